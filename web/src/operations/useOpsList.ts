/**
 * A care-operations list kept current by the hub (issue 13): read over REST, read again ~300 ms
 * after the hub announces a change of its kind (`ops:changed`, sent only to those who may see
 * the record), and polled every `pollMs` ONLY while the socket is down — a connected socket says
 * when to refetch, so no list GET happens on a timer. On (re)connect the list is read once to
 * catch up with what changed meanwhile. `reload()` refreshes at once after the user's own change;
 * a failed refresh keeps the last list and reports the error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { OpsChangedEvent, OpsChangeKind } from '@anxin/protocol';
import { acquireHubSocket } from '../realtime/hubSocket';

/** Several changes in a burst (an assignment and its note) cost one refetch. */
export const OPS_DEBOUNCE_MS = 300;

export function useOpsList<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  kinds: readonly OpsChangeKind[],
  pollMs: number,
): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [generation, setGeneration] = useState(0);
  const fetcherRef = useRef(fetcher);
  fetcherRef.current = fetcher;
  const kindsKey = kinds.join(',');

  useEffect(() => {
    const listened = new Set(kindsKey.split(','));
    const controller = new AbortController();
    const { socket, release } = acquireHubSocket();
    let poll: ReturnType<typeof setTimeout> | undefined;
    let debounce: ReturnType<typeof setTimeout> | undefined;
    let inFlight = false;
    let again = false;

    // Polling only while disconnected; called after every read and on disconnect.
    const schedulePoll = () => {
      if (poll !== undefined) clearTimeout(poll);
      poll = socket.connected ? undefined : setTimeout(read, pollMs);
    };
    function read() {
      // One read at a time; a change announced during a read is read right after it.
      if (inFlight) {
        again = true;
        return;
      }
      inFlight = true;
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
          inFlight = false;
          if (controller.signal.aborted) return;
          if (again) {
            again = false;
            read();
          } else schedulePoll();
        });
    }
    const onChanged = (change: OpsChangedEvent) => {
      if (!listened.has(change.kind)) return;
      if (debounce !== undefined) clearTimeout(debounce);
      debounce = setTimeout(read, OPS_DEBOUNCE_MS);
    };
    socket.on('ops:changed', onChanged);
    socket.on('connect', read);
    socket.on('disconnect', schedulePoll);
    read();
    return () => {
      controller.abort();
      if (poll !== undefined) clearTimeout(poll);
      if (debounce !== undefined) clearTimeout(debounce);
      socket.off('ops:changed', onChanged);
      socket.off('connect', read);
      socket.off('disconnect', schedulePoll);
      release();
    };
  }, [pollMs, generation, kindsKey]);

  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  return { data, error, reload };
}
