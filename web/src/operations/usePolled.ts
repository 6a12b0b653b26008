/**
 * A REST read refreshed every `intervalMs` (care-operations lists change slowly and have no
 * push of their own; alarms keep their Socket.IO feed). `reload()` refreshes at once after the
 * user's own change; a failed refresh keeps the last list and reports the error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export function usePolled<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = () => {
      fetcherRef
        .current(controller.signal)
        .then((d) => {
          setData(d);
          setError(null);
        })
        .catch((e: unknown) => {
          if (!controller.signal.aborted) setError(e);
        })
        .finally(() => {
          if (!controller.signal.aborted) timer = setTimeout(run, intervalMs);
        });
    };
    run();
    return () => {
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [intervalMs, generation]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, reload };
}
