/**
 * One REST read as React state: loading → loaded | failed, aborted when the inputs change or the
 * component goes away. `reload()` fetches again and keeps showing the old data meanwhile.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type Load<T> =
  { kind: 'loading' } | { kind: 'loaded'; data: T } | { kind: 'failed'; error: unknown };

export function useLoad<T>(
  fetcher: ((signal: AbortSignal) => Promise<T>) | null,
  deps: readonly unknown[],
): { load: Load<T>; reload: () => void; set: (data: T) => void } {
  const [load, setLoad] = useState<Load<T>>({ kind: 'loading' });
  const [generation, setGeneration] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  useEffect(() => {
    const run = fetcherRef.current;
    if (run === null) return;
    const controller = new AbortController();
    run(controller.signal)
      .then((data) => setLoad({ kind: 'loaded', data }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted) setLoad({ kind: 'failed', error });
      });
    return () => controller.abort();
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  const set = useCallback((data: T) => setLoad({ kind: 'loaded', data }), []);
  return { load, reload, set };
}
