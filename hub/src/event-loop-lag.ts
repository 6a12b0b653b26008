/**
 * How late the hub's event loop runs (issue 12): every message, ack and console push waits while
 * the loop is busy, so its delay is the floor under every alarm's latency. A timer due every
 * `intervalMs` records how late it fired into a Prometheus histogram (never reset: a reader such
 * as `anxin bench latency` subtracts two scrapes to get one period's distribution).
 */
import type { HubPart } from './lifecycle.js';
import type { Histogram } from './metrics.js';

export class EventLoopLagSampler implements HubPart {
  readonly name = 'event-loop-lag';
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly histogram: Histogram,
    private readonly intervalMs = 10,
    private readonly now: () => number = () => performance.now(),
  ) {}

  start(): Promise<void> {
    if (this.timer) return Promise.resolve();
    let due = this.now() + this.intervalMs;
    this.timer = setInterval(() => {
      const at = this.now();
      this.histogram.observe(Math.max(0, at - due) / 1000);
      // Node schedules the next run intervalMs after this one started.
      due = at + this.intervalMs;
    }, this.intervalMs);
    // Never what keeps a stopping hub alive.
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }
}
