import { describe, expect, it } from 'vitest';
import { RetrySchedule, type RetryScheduleOptions } from './retry-schedule.js';

const options: RetryScheduleOptions = {
  minMs: 250,
  maxMs: 60_000,
  initialRatePerS: 1000,
  floorRatePerS: 100,
  targetLoopUtilization: 0.5,
  jitter: 0,
};

describe('telemetry retry schedule', () => {
  it('gives the minimum wait when nothing is booked ahead', () => {
    const s = new RetrySchedule(options);
    expect(s.book(10, 0)).toBe(250);
  });

  it('spreads a burst of deferrals at the assumed store rate, one slot after another', () => {
    const s = new RetrySchedule(options);
    // 1,000 points/s: each 400-event batch takes 400 ms of store time.
    const waits = Array.from({ length: 5 }, () => s.book(400, 10_000));
    expect(waits).toEqual([400, 800, 1200, 1600, 2000]);
    expect(s.bookedAheadMs(10_000)).toBe(2000);
    // Time passing uses up the booking.
    expect(s.bookedAheadMs(11_500)).toBe(500);
    expect(s.book(400, 11_500)).toBe(900);
  });

  it('promises no slot beyond the horizon: asks back within its second half, to book again', () => {
    let r = 0;
    const s = new RetrySchedule({ ...options, maxMs: 1000 }, () => r);
    expect(s.book(900, 0)).toBe(900); // within the horizon: a slot
    expect(s.book(900, 0)).toBe(500); // beyond it: 500 + random × 500
    r = 0.999;
    expect(s.book(900, 0)).toBe(1000);
    expect(s.bookedAheadMs(0)).toBe(1000);
  });

  it('learns capacity from the store time and the event loop share telemetry cost', () => {
    const s = new RetrySchedule(options);
    // 4,000 points in a second, store busy 100 ms (40,000/s), loop 80 % busy: within a 50 % share
    // the loop could take 4,000 / 0.8 × 0.5 = 2,500/s. The lesser counts; the average moves
    // halfway from 1,000: 1,750.
    s.recordWindow({ points: 4000, storeBusyMs: 100, windowMs: 1000, loopUtilization: 0.8 });
    expect(s.ratePerS).toBe(1750);
    // A slow store binds instead: 1,000 points in 500 ms of store time, loop nearly idle.
    s.recordWindow({ points: 1000, storeBusyMs: 500, windowMs: 1000, loopUtilization: 0.1 });
    expect(s.ratePerS).toBe(1875);
    // Too little store time to measure: unchanged.
    s.recordWindow({ points: 5, storeBusyMs: 1, windowMs: 1000, loopUtilization: 0.5 });
    expect(s.ratePerS).toBe(1875);
    // A store crawling at 1 point per busy second cannot take it below the floor.
    for (let i = 0; i < 20; i += 1)
      s.recordWindow({ points: 1, storeBusyMs: 1000, windowMs: 1000, loopUtilization: 1 });
    expect(s.ratePerS).toBe(100);
  });

  it('adds at most the configured jitter', () => {
    const s = new RetrySchedule({ ...options, jitter: 0.1 }, () => 0.999);
    expect(s.book(10, 0)).toBe(Math.round(250 * 1.0999));
  });
});
