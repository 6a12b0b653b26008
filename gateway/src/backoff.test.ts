import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('widens the window exponentially up to maxMs, with jitter inside it', () => {
    const top = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => top.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    const bottom = new Backoff({ minMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3].map(() => bottom.next())).toEqual([100, 100, 100]);
  });

  it('starts over after reset', () => {
    const b = new Backoff({ minMs: 50, maxMs: 5000, random: () => 0.999999 });
    b.next();
    b.next();
    b.next();
    b.reset();
    expect(b.next()).toBe(50);
  });

  it('spreads real random delays across the window', () => {
    const b = new Backoff({ minMs: 1000, maxMs: 60_000 });
    for (let i = 0; i < 10; i += 1) b.next();
    const samples = Array.from({ length: 200 }, () => {
      const d = b.next();
      expect(d).toBeGreaterThanOrEqual(1000);
      expect(d).toBeLessThanOrEqual(60_000);
      return d;
    });
    expect(new Set(samples).size).toBeGreaterThan(100);
  });
});
