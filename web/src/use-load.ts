import { useCallback, useEffect, useState } from 'react';
import { errorText, getJson } from './api.js';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

/** GETs `path` (again whenever it changes or `reload` is called); null skips the request. */
export function useLoad<T>(path: string | null): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return undefined;
    const controller = new AbortController();
    setLoading(true);
    getJson<T>(path, controller.signal)
      .then((value) => {
        setData(value);
        setError(undefined);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(errorText(e));
      })
      .finally(() => {
        if (!controller.signal.aborted) setLoading(false);
      });
    return () => controller.abort();
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload };
}

/** Re-runs `reload` every `ms` while the page is open. */
export function useInterval(callback: () => void, ms: number | null): void {
  useEffect(() => {
    if (ms === null) return undefined;
    const id = setInterval(callback, ms);
    return () => clearInterval(id);
  }, [callback, ms]);
}
