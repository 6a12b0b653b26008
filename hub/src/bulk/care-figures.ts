/**
 * Care-operation figures (protocol/src/care-figures.ts), pure: rows in, figures out, the clock
 * passed in. Table-tested in care-figures.test.ts.
 */
import type { CareFiguresResponse } from '@anxin/protocol';

export interface FigureRequest {
  category: string;
  status: string;
  createdAt: number;
  closedAt: number | null;
}
export interface FigurePlan {
  residentId: string;
  kind: string;
  cadence: string;
  count: number;
  /** First day the plan owes checks, 'YYYY-MM-DD'. */
  startDay: string;
  active: boolean;
}
export interface FigureCheck {
  kind: string;
  status: string;
  result: string | null;
  doneAt: number | null;
}
export interface FigureOrder {
  kind: string;
  status: string;
  createdAt: number;
  closedAt: number | null;
  dueAt: number | null;
}

const DAY = 86_400_000;
/** The mean Gregorian month, so "per month" reads the same for any period. */
const MONTH_DAYS = 365.2425 / 12;
const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(p * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);

/** Checks a plan owes in [from, to): from its start day, pro rata. */
export function plannedChecks(plan: FigurePlan, from: number, to: number): number {
  if (!plan.active || plan.count <= 0) return 0;
  const start = Math.max(from, dayMs(plan.startDay));
  if (!(start < to)) return 0;
  const days = (to - start) / DAY;
  return plan.cadence === 'per_month' ? (days / MONTH_DAYS) * plan.count : days / plan.count;
}

export function computeCareFigures(input: {
  requests: readonly FigureRequest[];
  plans: readonly FigurePlan[];
  checks: readonly FigureCheck[];
  orders: readonly FigureOrder[];
  from: number;
  to: number;
  now: number;
  areaId: string | null;
}): CareFiguresResponse {
  const { from, to, now } = input;
  const categories = [...new Set(input.requests.map((r) => r.category))].sort();
  const serviceRequests = categories.map((category) => {
    const rows = input.requests.filter((r) => r.category === category);
    const hours = rows
      .filter((r) => r.status === 'done' && r.closedAt !== null)
      .map((r) => ((r.closedAt ?? r.createdAt) - r.createdAt) / 3_600_000)
      .sort((a, b) => a - b);
    const median = percentile(hours, 0.5);
    const p90 = percentile(hours, 0.9);
    return {
      category,
      total: rows.length,
      done: rows.filter((r) => r.status === 'done').length,
      cancelled: rows.filter((r) => r.status === 'cancelled').length,
      open: rows.filter((r) => r.status !== 'done' && r.status !== 'cancelled').length,
      medianHoursToComplete: median === null ? null : round(median),
      p90HoursToComplete: p90 === null ? null : round(p90),
    };
  });

  const months = (to - from) / DAY / MONTH_DAYS;
  const kinds = [
    ...new Set([...input.plans.map((p) => p.kind), ...input.checks.map((c) => c.kind)]),
  ].sort();
  const welfare = kinds.map((kind) => {
    const plans = input.plans.filter((p) => p.kind === kind && p.active);
    const residents = new Set(plans.map((p) => p.residentId)).size;
    const planned = plans.reduce((sum, p) => sum + plannedChecks(p, from, to), 0);
    const done = input.checks.filter(
      (c) =>
        c.kind === kind &&
        c.status === 'done' &&
        c.doneAt !== null &&
        c.doneAt >= from &&
        c.doneAt < to,
    );
    return {
      kind,
      residentsWithPlan: residents,
      planned: round(planned, 1),
      done: done.length,
      share: planned > 0 ? round(done.length / planned, 3) : null,
      perElderPerMonth:
        residents > 0 && months > 0 ? round(done.length / residents / months) : null,
      notReached: done.filter((c) => c.result === 'not_reached').length,
      concerns: done.filter((c) => c.result === 'concern_raised').length,
    };
  });

  const orderKinds = [...new Set(input.orders.map((o) => o.kind))].sort();
  const workOrders = orderKinds.map((kind) => {
    const rows = input.orders.filter((o) => o.kind === kind);
    const open = rows.filter((o) => o.status !== 'done' && o.status !== 'cancelled');
    return {
      kind,
      created: rows.filter((o) => o.createdAt >= from && o.createdAt < to).length,
      completed: rows.filter(
        (o) => o.status === 'done' && o.closedAt !== null && o.closedAt >= from && o.closedAt < to,
      ).length,
      openNow: open.length,
      overdueNow: open.filter((o) => o.dueAt !== null && o.dueAt < now).length,
    };
  });

  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    areaId: input.areaId,
    serviceRequests,
    welfare,
    workOrders,
  };
}
