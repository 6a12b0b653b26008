import { describe, expect, it } from 'vitest';
import { RetrySchedule, type RetryScheduleOptions } from './retry-schedule.js';

const options: RetryScheduleOptions = {
  minMs: 250,
  maxMs: 60_000,
  initialRatePerS: 1000,
  floorRatePerS: 100,
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

  it('learns the rate from backlogged windows, and speeds up when gateways wait on a dry queue', () => {
    const s = new RetrySchedule(options);
    // Backlogged: 4,000 points in a second is the rate; the average moves 30 %: 1,000 → 1,900.
    s.recordWindow({ points: 4000, windowMs: 1000, backlogged: true }, 0);
    expect(s.ratePerS).toBe(1900);
    // Not backlogged and nobody booked: demand, not capacity; unchanged.
    s.recordWindow({ points: 10, windowMs: 1000, backlogged: false }, 1000);
    expect(s.ratePerS).toBe(1900);
    // Not backlogged while gateways are booked to wait: the rate was too low, it grows by half.
    s.book(19_000, 2000); // ten seconds ahead at 1,900/s
    s.recordWindow({ points: 10, windowMs: 1000, backlogged: false }, 3000);
    expect(s.ratePerS).toBe(2850);
    // …but not past twice the intake measured while backlogged (4,000/s), however long the queue
    // stays dry: past that the booked gateways are late, the hub could not take more.
    s.book(1_000_000, 3000);
    for (let t = 4000; t < 60_000; t += 1000)
      s.recordWindow({ points: 0, windowMs: 1000, backlogged: false }, 3000);
    expect(s.ratePerS).toBe(8000);
    // A store crawling while backlogged cannot take it below the floor.
    for (let i = 0; i < 60; i += 1)
      s.recordWindow({ points: 1, windowMs: 1000, backlogged: true }, 4000);
    expect(s.ratePerS).toBe(100);
  });

  it('with nothing measured yet, a dry queue speeds the rate up to the ceiling', () => {
    const s = new RetrySchedule(options);
    s.book(1_000_000, 0);
    for (let t = 1000; t < 60_000; t += 1000)
      s.recordWindow({ points: 0, windowMs: 1000, backlogged: false }, 0);
    expect(s.ratePerS).toBe(200_000);
    // A measurement then brings it down, a backlogged window at a time (30 % each).
    s.recordWindow({ points: 10_000, windowMs: 1000, backlogged: true }, 0);
    expect(s.ratePerS).toBe(143_000);
  });

  it('adds at most the configured jitter', () => {
    const s = new RetrySchedule({ ...options, jitter: 0.1 }, () => 0.999);
    expect(s.book(10, 0)).toBe(Math.round(250 * 1.0999));
  });
});
