/**
 * How late the hub's event loop runs (issue 12): every message, ack and console push waits while
 * the loop is busy, so its delay is the floor under every alarm's latency. A timer due every
 * `intervalMs` records how late it fired into a Prometheus histogram (never reset: a reader such
 * as `anxin bench latency` subtracts two scrapes to get one period's distribution).
 */
import { intervalPart, type HubPart } from './lifecycle.js';
import type { Histogram } from './metrics.js';

export function eventLoopLagSampler(
  histogram: Histogram,
  intervalMs = 10,
  now: () => number = () => performance.now(),
): HubPart {
  let due = 0;
  return intervalPart(
    'event-loop-lag',
    intervalMs,
    () => {
      const at = now();
      histogram.observe(Math.max(0, at - due) / 1000);
      // Node schedules the next run intervalMs after this one started.
      due = at + intervalMs;
    },
    () => {
      due = now() + intervalMs;
    },
  );
}
