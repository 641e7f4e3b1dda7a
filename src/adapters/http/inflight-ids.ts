import type { RequestId } from '@modelcontextprotocol/sdk/types.js';

/** The ids of the requests in a POST body (notifications and responses carry none that matter here). */
export function requestIds(body: unknown): RequestId[] {
  const messages = Array.isArray(body) ? body : [body];
  const ids: RequestId[] = [];
  for (const message of messages) {
    const m = message as { method?: unknown; id?: unknown };
    if (typeof m.method === 'string' && (typeof m.id === 'string' || typeof m.id === 'number')) ids.push(m.id);
  }
  return ids;
}

/**
 * Request ids in flight in one session. The SDK transport routes a reply by its request id, so a second request
 * reusing an id still in flight would steal the first one's reply and leave one of the two hanging forever; such a
 * request is refused instead.
 */
export class InflightIds {
  private readonly ids = new Set<RequestId>();

  get size(): number {
    return this.ids.size;
  }

  /** Claims the ids, or returns the one that is already taken (or repeated within the batch). */
  claim(ids: readonly RequestId[]): RequestId | undefined {
    const batch = new Set<RequestId>();
    for (const id of ids) {
      if (this.ids.has(id) || batch.has(id)) return id;
      batch.add(id);
    }
    for (const id of ids) this.ids.add(id);
    return undefined;
  }

  release(ids: readonly RequestId[]): void {
    for (const id of ids) this.ids.delete(id);
  }
}
