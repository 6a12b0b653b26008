/**
 * Supervisor figures (DESIGN.md, "Supervisor"; issue 5): answer times against the telecare
 * targets, per operator and per day, open alarms by age, false alarms per device kind.
 *
 *   GET /api/v1/figures?from&to   → FiguresResponse   supervisor, admin
 *
 * `from`/`to` are ISO 8601 (default: the last 7 days up to now; at most 366 days). Alarms count
 * when they were received by the hub within [from, to). Test alarms never count. Times are
 * measured from when the hub received the alarm (when the call centre could first see it):
 * time to acknowledge = acknowledgedAt − receivedAt, time to resolve = resolvedAt − receivedAt.
 * The answer-time shares count alarm calls (life-safety and wellbeing, priority 1 and 2); an
 * alarm still untaken counts as taken late once it is older than the limit.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, nullable } from './operations-common.js';

/** The telecare answer-time targets: 97.5 % within 60 s, 99 % within 180 s. */
export const ANSWER_TARGETS = [
  { withinS: 60, target: 0.975 },
  { withinS: 180, target: 0.99 },
] as const;

export const FiguresQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
  },
  { additionalProperties: false },
);
export type FiguresQuery = Static<typeof FiguresQuerySchema>;

const closed = { additionalProperties: false } as const;

/** p50 / p90 of a set of durations in seconds (nearest rank), null when the set is empty. */
export const DurationStatsSchema = Type.Object(
  { count: Type.Integer(), p50S: nullable(Type.Number()), p90S: nullable(Type.Number()) },
  closed,
);
export type DurationStatsDto = Static<typeof DurationStatsSchema>;

export const AnswerShareSchema = Type.Object(
  {
    withinS: Type.Number(),
    /** Share of counted alarms taken within withinS (0..1), null with no alarms. */
    share: nullable(Type.Number()),
    target: Type.Number(),
    met: nullable(Type.Boolean()),
  },
  closed,
);
export type AnswerShareDto = Static<typeof AnswerShareSchema>;

export const AlarmTimesSchema = Type.Object(
  {
    alarmId: Type.String(),
    kind: Type.String(),
    priority: Type.Integer(),
    receivedAt: IsoTime,
    acknowledgedBy: nullable(Type.String()),
    /** null while not acknowledged. */
    acknowledgeS: nullable(Type.Number()),
    resolveS: nullable(Type.Number()),
  },
  closed,
);
export type AlarmTimesDto = Static<typeof AlarmTimesSchema>;

export const OperatorFiguresSchema = Type.Object(
  {
    username: Type.String(),
    acknowledged: Type.Integer(),
    resolved: Type.Integer(),
    acknowledge: DurationStatsSchema,
    resolve: DurationStatsSchema,
  },
  closed,
);
export type OperatorFiguresDto = Static<typeof OperatorFiguresSchema>;

export const DayFiguresSchema = Type.Object(
  {
    /** UTC day, YYYY-MM-DD. */
    day: Type.String(),
    alarms: Type.Integer(),
    acknowledge: DurationStatsSchema,
    resolve: DurationStatsSchema,
    answerShares: Type.Array(AnswerShareSchema),
  },
  closed,
);
export type DayFiguresDto = Static<typeof DayFiguresSchema>;

export const AgeBucketSchema = Type.Object(
  {
    /** e.g. "<1m", "1-5m", "5-15m", "15-60m", "1-4h", ">=4h". */
    label: Type.String(),
    minS: Type.Number(),
    /** null for the last (open-ended) bucket. */
    maxS: nullable(Type.Number()),
    count: Type.Integer(),
  },
  closed,
);
export type AgeBucketDto = Static<typeof AgeBucketSchema>;

export const FalseAlarmRateSchema = Type.Object(
  {
    /** Device kind (care model), else the driver, else "unknown"/"hub" (derived alarms). */
    deviceKind: Type.String(),
    resolved: Type.Integer(),
    falseAlarms: Type.Integer(),
    /** falseAlarms / resolved, null with none resolved. */
    rate: nullable(Type.Number()),
  },
  closed,
);
export type FalseAlarmRateDto = Static<typeof FalseAlarmRateSchema>;

export const FiguresResponseSchema = Type.Object(
  {
    from: IsoTime,
    to: IsoTime,
    generatedAt: IsoTime,
    /** Alarms counted (received in the range, not tests). */
    alarms: Type.Integer(),
    acknowledge: DurationStatsSchema,
    resolve: DurationStatsSchema,
    answerShares: Type.Array(AnswerShareSchema),
    /** One line per alarm, oldest first; the newest 5,000 when there are more. */
    perAlarm: Type.Array(AlarmTimesSchema),
    perOperator: Type.Array(OperatorFiguresSchema),
    perDay: Type.Array(DayFiguresSchema),
    /** Unresolved (not test) alarms now, by age since received. */
    openByAge: Type.Array(AgeBucketSchema),
    falseAlarmRates: Type.Array(FalseAlarmRateSchema),
  },
  closed,
);
export type FiguresResponse = Static<typeof FiguresResponseSchema>;
