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

/** p50 / p90 of a set of durations in seconds (nearest rank), null when the set is empty. */
export interface DurationStatsDto {
  count: number;
  p50S: number | null;
  p90S: number | null;
}

export interface AnswerShareDto {
  withinS: number;
  /** Share of counted alarms taken within withinS (0..1), null with no alarms. */
  share: number | null;
  target: number;
  met: boolean | null;
}

export interface AlarmTimesDto {
  alarmId: string;
  kind: string;
  priority: number;
  receivedAt: string;
  acknowledgedBy: string | null;
  /** null while not acknowledged. */
  acknowledgeS: number | null;
  resolveS: number | null;
}

export interface OperatorFiguresDto {
  username: string;
  acknowledged: number;
  resolved: number;
  acknowledge: DurationStatsDto;
  resolve: DurationStatsDto;
}

export interface DayFiguresDto {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  alarms: number;
  acknowledge: DurationStatsDto;
  resolve: DurationStatsDto;
  answerShares: AnswerShareDto[];
}

export interface AgeBucketDto {
  /** e.g. "<1m", "1-5m", "5-15m", "15-60m", "1-4h", ">=4h". */
  label: string;
  minS: number;
  /** null for the last (open-ended) bucket. */
  maxS: number | null;
  count: number;
}

export interface FalseAlarmRateDto {
  /** Device kind (care model), else the driver, else "unknown"/"hub" (derived alarms). */
  deviceKind: string;
  resolved: number;
  falseAlarms: number;
  /** falseAlarms / resolved, null with none resolved. */
  rate: number | null;
}

export interface FiguresResponse {
  from: string;
  to: string;
  generatedAt: string;
  /** Alarms counted (received in the range, not tests). */
  alarms: number;
  acknowledge: DurationStatsDto;
  resolve: DurationStatsDto;
  answerShares: AnswerShareDto[];
  /** One line per alarm, oldest first; the newest 5,000 when there are more. */
  perAlarm: AlarmTimesDto[];
  perOperator: OperatorFiguresDto[];
  perDay: DayFiguresDto[];
  /** Unresolved (not test) alarms now, by age since received. */
  openByAge: AgeBucketDto[];
  falseAlarmRates: FalseAlarmRateDto[];
}
