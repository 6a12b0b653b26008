/**
 * The time and the repeating timers a part runs on (issue 14). Parts whose rules depend on time
 * passing (escalation steps due after a timeout) take a Clock instead of calling Date.now and
 * setInterval themselves, so a test moves time forward and runs a pass at once instead of
 * sleeping through real timeouts (which failed on a loaded machine). Production uses real time.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Calls `fn` every `ms` until the returned function is called. Timers never keep the process
   * alive. `fn` may return a promise of its work, which a test clock waits for.
   */
  every(ms: number, fn: () => unknown): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    timer.unref();
    return () => clearInterval(timer);
  },
};
