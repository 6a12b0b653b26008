import { afterEach, describe, expect, it } from 'vitest';
import { eventLoopLagSampler } from './event-loop-lag.js';
import type { HubPart } from './lifecycle.js';
import { EVENT_LOOP_LAG_BUCKETS_S, Registry } from './metrics.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function bucketCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/lag_seconds_bucket\{le="([^"]+)"\} (\d+)/g))
    counts.set(m[1] ?? '', Number(m[2]));
  return counts;
}

describe('event-loop lag sampler', () => {
  let sampler: HubPart | undefined;
  afterEach(async () => {
    await sampler?.stop();
  });

  it('records a blocked loop as that late, and nothing once stopped', async () => {
    const registry = new Registry();
    const histogram = registry.histogram('lag_seconds', 'test', EVENT_LOOP_LAG_BUCKETS_S);
    sampler = eventLoopLagSampler(histogram, 10);
    await sampler.start();
    await sleep(60);
    const before = bucketCounts(registry.render());
    // Hold the loop for 120 ms: the timer due meanwhile fires ~110 ms late.
    const until = performance.now() + 120;
    while (performance.now() < until) {
      /* busy */
    }
    await sleep(30);
    const after = bucketCounts(registry.render());
    const lateBy = (le: string) => (after.get('+Inf') ?? 0) - (after.get(le) ?? 0);
    const lateBefore = (before.get('+Inf') ?? 0) - (before.get('0.1') ?? 0);
    // The blocked sample is over 100 ms (a busy CI machine may add one of its own).
    expect(lateBy('0.1') - lateBefore).toBeGreaterThanOrEqual(1);
    await sampler.stop();
    const count = histogram.snapshot().count;
    await sleep(50);
    expect(histogram.snapshot().count).toBe(count);
  });
});
