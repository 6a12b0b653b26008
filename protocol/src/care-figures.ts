/**
 * Care-operation figures of an area and period (issue 13), beside the alarm figures (figures.ts):
 *
 *   GET /api/v1/care-figures?from&to&areaId   → CareFiguresResponse       supervisor, admin (their areas)
 *   GET /api/v1/export/figures?from&to&areaId → the same as CSV
 *
 * - Service requests created in [from, to), per category: how many, done, cancelled, still open,
 *   and the time to complete (closed − created) of those done, median and 90th percentile.
 * - Welfare checks against plan: per check kind (call, visit), the checks the active plans owe in
 *   the period (per_month N: N a month; every_days N: one each N days; pro rata for part months),
 *   those done in it, the share, and the district's figure "visits per month per elder" (done ÷
 *   residents with a plan ÷ months in the period). Results: not reached, concern raised.
 * - Work orders created in the period by kind, completed, and open ones overdue now (due time
 *   passed and not done).
 */
import { Type, type Static } from '@sinclair/typebox';

export const CareFiguresQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    areaId: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CareFiguresQuery = Static<typeof CareFiguresQuerySchema>;

const Hours = Type.Union([Type.Number(), Type.Null()]);

export const CareFiguresResponseSchema = Type.Object({
  from: Type.String(),
  to: Type.String(),
  areaId: Type.Union([Type.String(), Type.Null()]),
  serviceRequests: Type.Array(
    Type.Object({
      category: Type.String(),
      total: Type.Integer(),
      done: Type.Integer(),
      cancelled: Type.Integer(),
      open: Type.Integer(),
      medianHoursToComplete: Hours,
      p90HoursToComplete: Hours,
    }),
  ),
  welfare: Type.Array(
    Type.Object({
      kind: Type.String(),
      residentsWithPlan: Type.Integer(),
      planned: Type.Number(),
      done: Type.Integer(),
      /** done ÷ planned, null when nothing was planned. */
      share: Type.Union([Type.Number(), Type.Null()]),
      perElderPerMonth: Type.Union([Type.Number(), Type.Null()]),
      notReached: Type.Integer(),
      concerns: Type.Integer(),
    }),
  ),
  workOrders: Type.Array(
    Type.Object({
      kind: Type.String(),
      created: Type.Integer(),
      completed: Type.Integer(),
      openNow: Type.Integer(),
      overdueNow: Type.Integer(),
    }),
  ),
});
export type CareFiguresResponse = Static<typeof CareFiguresResponseSchema>;
