/**
 * Supervisor figures from alarm rows (protocol/src/figures.ts says what each figure means). Pure:
 * the caller loads the rows and passes the time; tests feed a known set of alarms.
 */
import {
  ANSWER_TARGETS,
  type AgeBucketDto,
  type AlarmTimesDto,
  type AnswerShareDto,
  type DayFiguresDto,
  type DurationStatsDto,
  type FalseAlarmRateDto,
  type FiguresResponse,
  type OperatorFiguresDto,
} from '@anxin/protocol';

export interface FigureAlarm {
  id: string;
  kind: string;
  priority: number;
  receivedAt: number;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  resolvedAt: number | null;
  resolvedBy: string | null;
  outcome: string | null;
  status: string;
  /** Device kind (care model), driver, or null. */
  deviceKind: string | null;
  deviceId: string | null;
}

/** Most alarms listed one by one in `perAlarm` (the newest). */
export const PER_ALARM_MAX = 5000;

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1] ?? null;
}

function durationStats(values: number[]): DurationStatsDto {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50S: percentile(sorted, 50), p90S: percentile(sorted, 90) };
}

const seconds = (ms: number): number => Math.round(ms) / 1000;

/** Answer-time shares over alarm calls (priority 1 and 2); untaken ones count late once old. */
function answerShares(alarms: FigureAlarm[], now: number): AnswerShareDto[] {
  const calls = alarms.filter((a) => a.priority <= 2);
  return ANSWER_TARGETS.map(({ withinS, target }) => {
    let counted = 0;
    let within = 0;
    for (const a of calls) {
      const limit = a.receivedAt + withinS * 1000;
      if (a.acknowledgedAt !== null) {
        counted += 1;
        if (a.acknowledgedAt <= limit) within += 1;
      } else if (now > limit) {
        counted += 1; // still untaken past the limit: late, whatever happens next
      }
      // untaken and younger than the limit: not decided yet, not counted
    }
    const share = counted === 0 ? null : within / counted;
    return { withinS, share, target, met: share === null ? null : share >= target };
  });
}

export const AGE_BUCKETS: { label: string; minS: number; maxS: number | null }[] = [
  { label: '<1m', minS: 0, maxS: 60 },
  { label: '1-5m', minS: 60, maxS: 300 },
  { label: '5-15m', minS: 300, maxS: 900 },
  { label: '15-60m', minS: 900, maxS: 3600 },
  { label: '1-4h', minS: 3600, maxS: 14_400 },
  { label: '>=4h', minS: 14_400, maxS: null },
];

export function openByAge(open: { receivedAt: number }[], now: number): AgeBucketDto[] {
  const buckets = AGE_BUCKETS.map((b) => ({ ...b, count: 0 }));
  for (const a of open) {
    const age = Math.max(0, (now - a.receivedAt) / 1000);
    const b = buckets.find((x) => age >= x.minS && (x.maxS === null || age < x.maxS));
    if (b) b.count += 1;
  }
  return buckets;
}

export function computeFigures(input: {
  alarms: FigureAlarm[];
  openNow: { receivedAt: number }[];
  from: number;
  to: number;
  now: number;
}): FiguresResponse {
  const { alarms, now } = input;
  const ackS = (a: FigureAlarm): number | null =>
    a.acknowledgedAt === null ? null : seconds(a.acknowledgedAt - a.receivedAt);
  const resS = (a: FigureAlarm): number | null =>
    a.resolvedAt === null ? null : seconds(a.resolvedAt - a.receivedAt);
  const nums = (xs: (number | null)[]): number[] => xs.filter((x): x is number => x !== null);

  // The newest PER_ALARM_MAX only: the summaries cover all of them, the list is for drilling in.
  const perAlarm: AlarmTimesDto[] = alarms.slice(-PER_ALARM_MAX).map((a) => ({
    alarmId: a.id,
    kind: a.kind,
    priority: a.priority,
    receivedAt: new Date(a.receivedAt).toISOString(),
    acknowledgedBy: a.acknowledgedBy,
    acknowledgeS: ackS(a),
    resolveS: resS(a),
  }));

  const operators = new Map<string, FigureAlarm[]>();
  for (const a of alarms) {
    if (a.acknowledgedBy === null) continue;
    const list = operators.get(a.acknowledgedBy) ?? [];
    list.push(a);
    operators.set(a.acknowledgedBy, list);
  }
  const resolvedBy = new Map<string, number>();
  for (const a of alarms)
    if (a.resolvedBy !== null)
      resolvedBy.set(a.resolvedBy, (resolvedBy.get(a.resolvedBy) ?? 0) + 1);
  const perOperator: OperatorFiguresDto[] = [...operators.entries()]
    .map(([username, list]) => ({
      username,
      acknowledged: list.length,
      resolved: resolvedBy.get(username) ?? 0,
      acknowledge: durationStats(nums(list.map(ackS))),
      resolve: durationStats(nums(list.filter((a) => a.resolvedBy === username).map(resS))),
    }))
    .sort((a, b) => a.username.localeCompare(b.username));

  const days = new Map<string, FigureAlarm[]>();
  for (const a of alarms) {
    const day = new Date(a.receivedAt).toISOString().slice(0, 10);
    const list = days.get(day) ?? [];
    list.push(a);
    days.set(day, list);
  }
  const perDay: DayFiguresDto[] = [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([day, list]) => ({
      day,
      alarms: list.length,
      acknowledge: durationStats(nums(list.map(ackS))),
      resolve: durationStats(nums(list.map(resS))),
      answerShares: answerShares(list, now),
    }));

  const kinds = new Map<string, { resolved: number; falseAlarms: number }>();
  for (const a of alarms) {
    if (a.status !== 'resolved') continue;
    const kind = a.deviceKind ?? (a.deviceId === null || a.deviceId === 'hub' ? 'hub' : 'unknown');
    const k = kinds.get(kind) ?? { resolved: 0, falseAlarms: 0 };
    k.resolved += 1;
    if (a.outcome === 'false_alarm') k.falseAlarms += 1;
    kinds.set(kind, k);
  }
  const falseAlarmRates: FalseAlarmRateDto[] = [...kinds.entries()]
    .map(([deviceKind, k]) => ({
      deviceKind,
      resolved: k.resolved,
      falseAlarms: k.falseAlarms,
      rate: k.resolved === 0 ? null : k.falseAlarms / k.resolved,
    }))
    .sort((a, b) => a.deviceKind.localeCompare(b.deviceKind));

  return {
    from: new Date(input.from).toISOString(),
    to: new Date(input.to).toISOString(),
    generatedAt: new Date(now).toISOString(),
    alarms: alarms.length,
    acknowledge: durationStats(nums(alarms.map(ackS))),
    resolve: durationStats(nums(alarms.map(resS))),
    answerShares: answerShares(alarms, now),
    perAlarm,
    perOperator,
    perDay,
    openByAge: openByAge(input.openNow, now),
    falseAlarmRates,
  };
}
