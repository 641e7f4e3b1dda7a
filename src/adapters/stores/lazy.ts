/**
 * A store whose connection is made on first use and retried on the next use after a failure, so that the gateway
 * can start (and report not-ready, and deny what needs the store) while a database is down, and recover without
 * a restart once it is back. Every method of T must return a promise.
 */
export function connectLazily<T extends { close(): Promise<void> }>(connect: () => Promise<T>): T {
  let pending: Promise<T> | undefined;
  const instance = () => {
    pending ??= connect().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
  return new Proxy({} as T, {
    get(_target, property) {
      if (property === 'then') return undefined; // not a thenable: `await store` must not try to call it
      if (property === 'close') return async () => (pending ? (await pending.catch(() => undefined))?.close() : undefined);
      return async (...args: unknown[]) => {
        const store = await instance();
        const method = (store as Record<PropertyKey, unknown>)[property];
        if (typeof method !== 'function') throw new TypeError(`${String(property)} is not a store method`);
        return (method as (...a: unknown[]) => unknown).apply(store, args);
      };
    },
  });
}
