import { apiFetch } from './api.js';

export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Splits a text/event-stream into events (the WHATWG format: `event:` and `data:` lines, a blank line ends
 * an event, `:` lines are comments). EventSource cannot send an Authorization header, hence fetch and this.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (e: ServerSentEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = 'message';
  let data: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let newline: number;
    while ((newline = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith('\r\n', newline) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) onEvent({ event, data: data.join('\n') });
        event = 'message';
        data = [];
      } else if (!line.startsWith(':')) {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const val = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event = val;
        else if (field === 'data') data.push(val);
      }
    }
  }
}

/**
 * Follows an authenticated event stream until `signal` aborts, reconnecting after a pause when it drops;
 * `onState` says whether it is live, so the caller can poll meanwhile.
 */
export async function followEvents(path: string, signal: AbortSignal, onEvent: (e: ServerSentEvent) => void, onState: (live: boolean) => void): Promise<void> {
  while (!signal.aborted) {
    try {
      const res = await apiFetch(path, { signal, headers: { accept: 'text/event-stream' } });
      if (!res.body) throw new Error('no stream');
      onState(true);
      await readEventStream(res.body, onEvent);
    } catch {
      // dropped or not available (yet): poll until the next attempt
    }
    onState(false);
    if (signal.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}
