/** Pure summaries for the supervisor view (tested in load.test.ts). */
import type { AlarmDto, OperatorFiguresDto } from '@anxin/protocol';

export interface OperatorLoad {
  name: string;
  /** Alarms they hold now (taken, not resolved). */
  holding: number;
  /** Taken / resolved in the figures' range (today). */
  acknowledged: number;
  resolved: number;
  /** Median time to take, seconds. */
  p50S: number | null;
}

/** Everyone who holds an alarm now or took one today, busiest first. */
export function operatorLoads(
  alarms: readonly AlarmDto[],
  perOperator: readonly OperatorFiguresDto[],
): OperatorLoad[] {
  const byName = new Map<string, OperatorLoad>();
  const get = (name: string): OperatorLoad => {
    let entry = byName.get(name);
    if (!entry) {
      entry = { name, holding: 0, acknowledged: 0, resolved: 0, p50S: null };
      byName.set(name, entry);
    }
    return entry;
  };
  for (const f of perOperator) {
    const entry = get(f.username);
    entry.acknowledged = f.acknowledged;
    entry.resolved = f.resolved;
    entry.p50S = f.acknowledge.p50S;
  }
  for (const alarm of alarms) {
    if (alarm.status === 'acknowledged' && alarm.acknowledgedBy !== null)
      get(alarm.acknowledgedBy).holding += 1;
  }
  return [...byName.values()].sort(
    (a, b) =>
      b.holding - a.holding || b.acknowledged - a.acknowledged || a.name.localeCompare(b.name),
  );
}

/** Open (untaken, not test) alarms waiting longer than `thresholdS`, longest first. */
export function longWaiting(
  alarms: readonly AlarmDto[],
  nowMs: number,
  thresholdS: number,
): AlarmDto[] {
  return alarms
    .filter(
      (a) =>
        a.status === 'open' && !a.test && nowMs - Date.parse(a.receivedAt) >= thresholdS * 1000,
    )
    .sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1));
}

/** Start of the local day, as ISO. */
export function startOfToday(now: Date): string {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  return d.toISOString();
}

/** Share (0..1) as a percentage with one decimal, e.g. "97.5 %". */
export function percent(share: number | null): string {
  return share === null ? '—' : `${(Math.floor(share * 1000) / 10).toFixed(1)} %`;
}

/** Seconds for a figure: one decimal below 10 s, whole seconds above; "—" without data. */
export function seconds(value: number | null): string {
  if (value === null) return '—';
  return value < 10 ? `${(Math.round(value * 10) / 10).toFixed(1)} s` : `${Math.round(value)} s`;
}
