import type { Writable } from 'node:stream';

/**
 * Writes made to `stream` in the same turn of the event loop leave as one write(2) instead of one each: the
 * stream is corked at the first write and uncorked on the next tick. With many calls in flight, the replies that
 * one batch of upstream output completes go out together. Nothing waits longer than the current turn.
 */
export function coalesceWrites<T extends Writable>(stream: T): T {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  let corked = false;
  const uncork = () => {
    corked = false;
    stream.uncork();
  };
  stream.write = ((...args: unknown[]) => {
    if (!corked) {
      corked = true;
      stream.cork();
      process.nextTick(uncork);
    }
    return write(...args);
  }) as T['write'];
  return stream;
}
