/**
 * One shared once-a-second clock for the live ages. Only the components that show a time
 * subscribe, so with hundreds of alarms in the queue (a reconnect storm) a tick re-renders the age
 * cells, not every row.
 */
import { useSyncExternalStore } from 'react';

const listeners = new Set<() => void>();
let now = Date.now();
let timer: ReturnType<typeof setInterval> | null = null;

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  if (timer === null) {
    now = Date.now();
    timer = setInterval(() => {
      now = Date.now();
      for (const l of listeners) l();
    }, 1000);
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0 && timer !== null) {
      clearInterval(timer);
      timer = null;
    }
  };
}

const getSnapshot = (): number => now;

/** The current time in ms, updated every second. */
export function useSecondClock(): number {
  return useSyncExternalStore(subscribe, getSnapshot);
}
