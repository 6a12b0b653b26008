/**
 * A bench process's event-loop lag is the lateness itself: the monitor's interval is taken off
 * (loop-lag.ts), and a real stall still shows in full.
 */
import { describe, expect, it } from 'vitest';
import { lagFromHistogram, loopLagMonitor } from './loop-lag.js';

const histogram = (p50Ms: number, p99Ms: number, maxMs: number, count = 100) => ({
  count,
  max: maxMs * 1e6,
  percentile: (p: number) => (p === 50 ? p50Ms : p99Ms) * 1e6,
});

describe('bench loop lag', () => {
  it('takes the sampling interval off, never going below 0', () => {
    // An idle process sampled every 5 ms records ~5.2 ms: 0.2 ms late.
    expect(lagFromHistogram(histogram(5.16, 7.34, 42.5), 5)).toEqual({
      p50: 0.2,
      p99: 2.3,
      max: 37.5,
    });
    expect(lagFromHistogram(histogram(4.1, 4.9, 4.95), 5)).toEqual({ p50: 0, p99: 0, max: 0 });
    expect(lagFromHistogram(histogram(9, 9, 9, 0), 5)).toEqual({ p50: 0, p99: 0, max: 0 });
  });

  it('shows a blocked event loop as late by about the time it was blocked', async () => {
    const monitor = loopLagMonitor(5);
    monitor.enable();
    await new Promise((r) => setTimeout(r, 30));
    const until = Date.now() + 80;
    while (Date.now() < until); // the stall
    await new Promise((r) => setTimeout(r, 30));
    monitor.disable();
    const lag = monitor.lag();
    expect(lag.max).toBeGreaterThanOrEqual(70);
    expect(lag.p50).toBeLessThan(lag.max);
  });
});
