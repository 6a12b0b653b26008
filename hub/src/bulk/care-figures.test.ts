/** Care-operation figures, pure, with an injected clock (table-tested). */
import { describe, expect, it } from 'vitest';
import { computeCareFigures, plannedChecks, type FigurePlan } from './care-figures.js';

const T0 = Date.parse('2026-11-01T00:00:00Z');
const H = 3_600_000;
const D = 24 * H;
const base = {
  requests: [],
  plans: [],
  checks: [],
  orders: [],
  from: T0,
  to: T0 + 30 * D,
  now: T0 + 30 * D,
  areaId: null,
};
const plan = (p: Partial<FigurePlan>): FigurePlan => ({
  residentId: 'r1',
  kind: 'visit',
  cadence: 'per_month',
  count: 2,
  startDay: '2026-01-01',
  active: true,
  ...p,
});

describe('plannedChecks', () => {
  it.each([
    ['2 visits a month over 30 days', plan({}), (30 * 2) / (365.2425 / 12)],
    ['a call every 2 days over 30 days', plan({ cadence: 'every_days', count: 2 }), 15],
    [
      'a plan that starts half way',
      plan({ cadence: 'every_days', count: 1, startDay: '2026-11-16' }),
      15,
    ],
    ['a plan that starts after the period', plan({ startDay: '2026-12-05' }), 0],
    ['an inactive plan', plan({ active: false }), 0],
  ])('%s', (_name, p, expected) => {
    expect(plannedChecks(p, T0, T0 + 30 * D)).toBeCloseTo(expected, 6);
  });
});

describe('computeCareFigures', () => {
  it('service requests by category with median and p90 time to complete', () => {
    const f = computeCareFigures({
      ...base,
      requests: [
        { category: 'meal_delivery', status: 'done', createdAt: T0, closedAt: T0 + 1 * H },
        { category: 'meal_delivery', status: 'done', createdAt: T0, closedAt: T0 + 3 * H },
        { category: 'meal_delivery', status: 'done', createdAt: T0, closedAt: T0 + 10 * H },
        { category: 'meal_delivery', status: 'assigned', createdAt: T0, closedAt: null },
        { category: 'repair', status: 'cancelled', createdAt: T0, closedAt: T0 + H },
      ],
    });
    expect(f.serviceRequests).toEqual([
      {
        category: 'meal_delivery',
        total: 4,
        done: 3,
        cancelled: 0,
        open: 1,
        medianHoursToComplete: 3,
        p90HoursToComplete: 10,
      },
      {
        category: 'repair',
        total: 1,
        done: 0,
        cancelled: 1,
        open: 0,
        medianHoursToComplete: null,
        p90HoursToComplete: null,
      },
    ]);
  });

  it('welfare checks done against plan, and visits per month per elder', () => {
    const f = computeCareFigures({
      ...base,
      plans: [
        plan({ residentId: 'r1' }),
        plan({ residentId: 'r2' }),
        plan({ residentId: 'r3', kind: 'call', cadence: 'every_days', count: 3 }),
      ],
      checks: [
        { kind: 'visit', status: 'done', result: 'reached', doneAt: T0 + D },
        { kind: 'visit', status: 'done', result: 'concern_raised', doneAt: T0 + 2 * D },
        { kind: 'visit', status: 'done', result: 'reached', doneAt: T0 + 40 * D },
        { kind: 'visit', status: 'pending', result: null, doneAt: null },
        { kind: 'call', status: 'done', result: 'not_reached', doneAt: T0 + 3 * D },
      ],
    });
    const months = 30 / (365.2425 / 12);
    expect(f.welfare).toEqual([
      {
        kind: 'call',
        residentsWithPlan: 1,
        planned: 10,
        done: 1,
        share: 0.1,
        perElderPerMonth: Math.round((1 / months) * 100) / 100,
        notReached: 1,
        concerns: 0,
      },
      {
        kind: 'visit',
        residentsWithPlan: 2,
        planned: Math.round(4 * months * 10) / 10,
        done: 2,
        share: Math.round((2 / (4 * months)) * 1000) / 1000,
        perElderPerMonth: Math.round((1 / months) * 100) / 100,
        notReached: 0,
        concerns: 1,
      },
    ]);
  });

  it('work orders: created and completed in the period, overdue by the clock', () => {
    const orders = [
      {
        kind: 'battery_change',
        status: 'open',
        createdAt: T0 + D,
        closedAt: null,
        dueAt: T0 + 5 * D,
      },
      {
        kind: 'battery_change',
        status: 'assigned',
        createdAt: T0 - 60 * D,
        closedAt: null,
        dueAt: T0 + 31 * D,
      },
      {
        kind: 'battery_change',
        status: 'done',
        createdAt: T0 + D,
        closedAt: T0 + 2 * D,
        dueAt: T0 + 5 * D,
      },
      {
        kind: 'device_repair',
        status: 'in_progress',
        createdAt: T0 + D,
        closedAt: null,
        dueAt: null,
      },
    ];
    expect(computeCareFigures({ ...base, orders }).workOrders).toEqual([
      { kind: 'battery_change', created: 2, completed: 1, openNow: 2, overdueNow: 1 },
      { kind: 'device_repair', created: 1, completed: 0, openNow: 1, overdueNow: 0 },
    ]);
    // A day later the second order is overdue too.
    expect(
      computeCareFigures({ ...base, orders, now: T0 + 32 * D }).workOrders[0]?.overdueNow,
    ).toBe(2);
  });
});
