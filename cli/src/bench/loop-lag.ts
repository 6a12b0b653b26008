/**
 * Event-loop lag of a bench process (a load process, the console), as the lateness itself.
 *
 * `monitorEventLoopDelay` records the time between its timer's runs, interval included: an idle
 * process sampled every 5 ms shows a p50 of about 5.2 ms (measured on Node 20). Reported as it is,
 * that figure made every process look 5–10 ms late when it was not; the interval is taken off.
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopLag {
  p50: number;
  p99: number;
  max: number;
}

/** Histogram figures (ns, interval included) → lateness in ms, one decimal, never below 0. */
export function lagFromHistogram(
  h: Pick<IntervalHistogram, 'count' | 'percentile' | 'max'>,
  resolutionMs: number,
): LoopLag {
  if (h.count === 0) return { p50: 0, p99: 0, max: 0 };
  const ms = (ns: number) => Math.max(0, Math.round((ns / 1e6 - resolutionMs) * 10) / 10);
  return { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max) };
}

/** A monitor sampling every `resolutionMs`; `lag()` gives its figures since the last reset. */
export function loopLagMonitor(resolutionMs: number): {
  enable(): void;
  disable(): void;
  reset(): void;
  lag(): LoopLag;
} {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  return {
    enable: () => h.enable(),
    disable: () => h.disable(),
    reset: () => h.reset(),
    lag: () => lagFromHistogram(h, resolutionMs),
  };
}
