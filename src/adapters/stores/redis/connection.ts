import type { Redis } from 'ioredis';

/**
 * For a connection still connecting: settles on the first outcome either way — ready, or the first attempt
 * failed — so that operations wait for a connection being made but fail fast once it is known to be down.
 */
export function firstConnectionAttempt(redis: Redis): Promise<void> | undefined {
  if (redis.status !== 'connecting' && redis.status !== 'connect') return undefined;
  return new Promise<void>((resolve) => {
    const settle = (): void => {
      redis.off('ready', settle);
      redis.off('close', settle);
      resolve();
    };
    redis.once('ready', settle);
    redis.once('close', settle);
  });
}

/** Rejects when `work` has not settled within `timeoutMs`: a Redis that stops answering must not hang a call. */
export function withinTimeout<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no reply within ${timeoutMs} ms`)), timeoutMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
