/**
 * The welfare schedule's pure rules, table-tested: calendar days in a time zone, month windows,
 * the next check after each kind of result, overdue and follow-up.
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  isOverdue,
  isValidDay,
  localDay,
  monthWindow,
  needsFollowUp,
  nextCheck,
  type LastCheck,
  type PlanRule,
} from './schedule.js';

describe('days', () => {
  it.each([
    // 23:30 UTC is already the next day in Shanghai (UTC+8), still the same day in UTC.
    [Date.UTC(2026, 11, 3, 23, 30), 'Asia/Shanghai', '2026-12-04'],
    [Date.UTC(2026, 11, 3, 23, 30), 'UTC', '2026-12-03'],
    [Date.UTC(2026, 11, 3, 15, 59), 'Asia/Shanghai', '2026-12-03'],
    [Date.UTC(2026, 11, 3, 16, 0), 'Asia/Shanghai', '2026-12-04'],
  ])('localDay(%i, %s) = %s', (ms, tz, day) => {
    expect(localDay(ms, tz)).toBe(day);
  });

  it.each([
    ['2026-12-31', 1, '2027-01-01'],
    ['2028-02-28', 1, '2028-02-29'],
    ['2027-02-28', 1, '2027-03-01'],
    ['2026-03-01', -1, '2026-02-28'],
    ['2026-12-04', 2, '2026-12-06'],
  ])('addDays(%s, %i) = %s', (day, n, out) => {
    expect(addDays(day, n)).toBe(out);
  });

  it.each([
    ['2026-02-29', false],
    ['2028-02-29', true],
    ['2026-13-01', false],
    ['2026-1-01', false],
    ['2026-12-31', true],
  ])('isValidDay(%s) = %s', (day, ok) => {
    expect(isValidDay(day)).toBe(ok);
  });
});

describe('monthWindow', () => {
  it.each([
    ['2026-12-01', 2, '2026-12-01', '2026-12-15'],
    ['2026-12-15', 2, '2026-12-01', '2026-12-15'],
    ['2026-12-16', 2, '2026-12-16', '2026-12-31'],
    ['2026-02-14', 2, '2026-02-01', '2026-02-14'],
    ['2026-02-15', 2, '2026-02-15', '2026-02-28'],
    ['2026-12-20', 1, '2026-12-01', '2026-12-31'],
    ['2026-12-11', 3, '2026-12-11', '2026-12-20'],
    // More checks than days: one a day, never an empty window.
    ['2026-02-28', 31, '2026-02-28', '2026-02-28'],
  ])('%s cut into %i: %s … %s', (day, count, start, end) => {
    expect(monthWindow(day, count)).toEqual({ start, end });
  });
});

describe('nextCheck', () => {
  const every2: PlanRule = { cadence: 'every_days', count: 2, startDay: '2026-12-01' };
  const twiceMonthly: PlanRule = { cadence: 'per_month', count: 2, startDay: '2026-12-04' };
  const done = (dueDay: string, doneDay: string, result: LastCheck['result'] = 'reached') => ({
    dueDay,
    doneDay,
    result,
  });

  it.each<[string, PlanRule, LastCheck | null, string, string]>([
    ['first call on the start day', every2, null, '2026-12-01', '2026-12-01'],
    [
      'on time: two days later',
      every2,
      done('2026-12-01', '2026-12-01'),
      '2026-12-03',
      '2026-12-03',
    ],
    [
      'late: two days after it was done',
      every2,
      done('2026-12-03', '2026-12-05'),
      '2026-12-07',
      '2026-12-07',
    ],
    [
      'early: counts from the day done',
      every2,
      done('2026-12-03', '2026-12-02'),
      '2026-12-04',
      '2026-12-04',
    ],
    [
      'concern keeps the cadence',
      every2,
      done('2026-12-03', '2026-12-03', 'concern_raised'),
      '2026-12-05',
      '2026-12-05',
    ],
    [
      'not reached: again tomorrow',
      every2,
      done('2026-12-03', '2026-12-03', 'not_reached'),
      '2026-12-04',
      '2026-12-04',
    ],
    ['first visit: rest of the start window', twiceMonthly, null, '2026-12-15', '2026-12-04'],
    [
      'visit done in its window: next window',
      twiceMonthly,
      done('2026-12-15', '2026-12-10'),
      '2026-12-31',
      '2026-12-16',
    ],
    [
      'second half done: next month',
      twiceMonthly,
      done('2026-12-31', '2026-12-20'),
      '2027-01-15',
      '2027-01-01',
    ],
    [
      'done late, inside the next window: that window',
      twiceMonthly,
      done('2026-12-15', '2026-12-20'),
      '2026-12-31',
      '2026-12-16',
    ],
    [
      'done very late: window of the day done',
      twiceMonthly,
      done('2026-12-15', '2027-01-20'),
      '2027-01-31',
      '2027-01-16',
    ],
    [
      'visit not reached: again tomorrow',
      twiceMonthly,
      done('2026-12-15', '2026-12-12', 'not_reached'),
      '2026-12-13',
      '2026-12-13',
    ],
    [
      'retry reached: the window after the retry',
      twiceMonthly,
      done('2026-12-13', '2026-12-13'),
      '2026-12-31',
      '2026-12-16',
    ],
  ])('%s', (_what, plan, last, dueDay, windowStartDay) => {
    expect(nextCheck(plan, last)).toEqual({ dueDay, windowStartDay });
  });

  it('never before the start day', () => {
    const later: PlanRule = { cadence: 'every_days', count: 1, startDay: '2026-12-10' };
    expect(nextCheck(later, done('2026-12-01', '2026-12-01')).dueDay).toBe('2026-12-10');
  });
});

describe('overdue and follow-up', () => {
  it.each([
    ['2026-12-03', '2026-12-04', true],
    ['2026-12-04', '2026-12-04', false],
    ['2026-12-05', '2026-12-04', false],
  ])('due %s, today %s: overdue %s', (due, today, overdue) => {
    expect(isOverdue(due, today)).toBe(overdue);
  });

  it.each<[LastCheck['result'], LastCheck['result'] | null, boolean]>([
    ['reached', null, false],
    ['reached', 'not_reached', false],
    ['not_reached', null, false],
    ['not_reached', 'reached', false],
    ['not_reached', 'not_reached', true],
    ['concern_raised', null, true],
    ['concern_raised', 'reached', true],
  ])('%s after %s: follow-up %s', (result, previous, follow) => {
    expect(needsFollowUp(result, previous)).toBe(follow);
  });
});
