import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

/** Opaque cursors over a list the gateway assembles itself; an offset is enough because lists are small and sorted stably. */
export function page<T>(items: readonly T[], cursor: string | undefined, size: number): { items: T[]; nextCursor?: string } {
  let offset = 0;
  if (cursor !== undefined) {
    offset = Number.parseInt(Buffer.from(cursor, 'base64url').toString('utf8'), 10);
    if (!Number.isSafeInteger(offset) || offset < 0 || offset > items.length) throw new McpError(ErrorCode.InvalidParams, `invalid cursor: ${JSON.stringify(cursor)}`);
  }
  const end = offset + size;
  return end < items.length
    ? { items: items.slice(offset, end), nextCursor: Buffer.from(String(end), 'utf8').toString('base64url') }
    : { items: items.slice(offset) };
}
