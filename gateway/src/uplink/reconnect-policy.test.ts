/** The first attempt after an outage (issue 12), as pure logic with an injected random source. */
import { describe, expect, it } from 'vitest';
import { ALARM_SPREAD_MS, firstAttemptDelayMs, startsAfterOutage } from './reconnect-policy.js';

const at = (r: number) => () => r;

describe('first attempt after an outage', () => {
  it('spreads uniformly over spreadMs', () => {
    const options = { spreadMs: 10_000, maxMs: 60_000 };
    expect(firstAttemptDelayMs({ ...options, random: at(0) }, false)).toBe(0);
    expect(firstAttemptDelayMs({ ...options, random: at(0.5) }, false)).toBe(5_000);
    expect(firstAttemptDelayMs({ ...options, random: at(0.999_999) }, false)).toBe(9_999);
  });

  it('never waits longer than the backoff ceiling', () => {
    expect(firstAttemptDelayMs({ spreadMs: 10_000, maxMs: 300, random: at(0.999) }, false)).toBe(
      299,
    );
  });

  it('a gateway holding an alarm waits at most ALARM_SPREAD_MS', () => {
    const options = { spreadMs: 10_000, maxMs: 60_000 };
    expect(firstAttemptDelayMs({ ...options, random: at(0.999_999) }, true)).toBe(
      ALARM_SPREAD_MS - 1,
    );
    expect(firstAttemptDelayMs({ ...options, random: at(0.5) }, true)).toBe(ALARM_SPREAD_MS / 2);
    // A window already shorter than the alarm's is kept.
    expect(firstAttemptDelayMs({ spreadMs: 100, maxMs: 60_000, random: at(0.5) }, true)).toBe(50);
  });

  it('spreadMs 0 connects at once, alarm or not', () => {
    for (const alarm of [false, true])
      expect(firstAttemptDelayMs({ spreadMs: 0, maxMs: 60_000, random: at(0.9) }, alarm)).toBe(0);
  });

  it('every delay of a district lies in the window, and they spread across it', () => {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const delays = Array.from({ length: 2_000 }, () =>
      firstAttemptDelayMs({ spreadMs: 10_000, maxMs: 60_000, random }, false),
    );
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(10_000);
    // Each second of the window gets its share (uniform: ~200 each), none a crowd.
    const perSecond = Array.from(
      { length: 10 },
      (_, s) => delays.filter((d) => Math.floor(d / 1000) === s).length,
    );
    for (const n of perSecond) expect(n).toBeGreaterThan(120);
    for (const n of perSecond) expect(n).toBeLessThan(280);
  });

  it('a start counts as after an outage only with unsent events', () => {
    expect(startsAfterOutage(() => 0)).toBe(false);
    expect(startsAfterOutage((lane) => (lane === 'telemetry' ? 5 : 0))).toBe(true);
    expect(startsAfterOutage((lane) => (lane === 'alarm' ? 1 : 0))).toBe(true);
  });
});
