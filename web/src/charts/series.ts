/**
 * Turns the telemetry query answer (GET /homes/:id/telemetry) into the aligned columns uPlot draws:
 * one shared time axis in seconds, one column per device series, null where a series has no point.
 * Cumulative water (m³) becomes litres used per interval, booleans become 0/1 steps. Pure.
 */
import type { TelemetrySeriesDto } from '@anxin/protocol';

export type ChartKind = 'power' | 'water' | 'activity';

/** Which canonical fields feed which chart (protocol/src/telemetry.ts). */
export const CHART_FIELDS: Readonly<Record<ChartKind, readonly string[]>> = {
  power: ['power_w'],
  water: ['water_m3'],
  activity: ['motion', 'presence', 'occupancy', 'bed_occupied'],
};

export const ALL_CHART_FIELDS = Object.values(CHART_FIELDS).flat();

export interface ChartColumns {
  /** Epoch seconds, ascending. */
  x: number[];
  series: { label: string; values: (number | null)[] }[];
  /** Largest value over every series (null when there is none). */
  max: number | null;
  /** Newest value of the first series that has a value. */
  latest: number | null;
}

function toNumber(value: number | boolean | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  return null;
}

/** Litres used between consecutive readings of a cumulative m³ counter (a meter reset → null). */
export function waterUseLitres(
  points: readonly [number, number | null][],
): [number, number | null][] {
  const result: [number, number | null][] = [];
  let previous: number | null = null;
  for (const [t, value] of points) {
    if (value === null) {
      result.push([t, null]);
      continue;
    }
    if (previous === null) result.push([t, 0]);
    else {
      const used = (value - previous) * 1000;
      result.push([t, used >= 0 ? Math.round(used * 10) / 10 : null]);
    }
    previous = value;
  }
  return result;
}

export function chartColumns(series: readonly TelemetrySeriesDto[], kind: ChartKind): ChartColumns {
  const fields = CHART_FIELDS[kind];
  const picked = series.filter((s) => fields.includes(s.field));
  const prepared = picked.map((s) => {
    let points: [number, number | null][] = s.points.map(([t, v]) => [
      Math.floor(t / 1000),
      toNumber(v),
    ]);
    points.sort((a, b) => a[0] - b[0]);
    if (kind === 'water') points = waterUseLitres(points);
    return { label: `${s.deviceId} · ${s.field}`, points };
  });
  const times = [...new Set(prepared.flatMap((s) => s.points.map(([t]) => t)))].sort(
    (a, b) => a - b,
  );
  const index = new Map(times.map((t, i) => [t, i]));
  let max: number | null = null;
  let latest: number | null = null;
  const columns = prepared.map((s) => {
    const values: (number | null)[] = new Array<number | null>(times.length).fill(null);
    for (const [t, v] of s.points) {
      const i = index.get(t);
      if (i !== undefined) values[i] = v;
      if (v !== null && (max === null || v > max)) max = v;
    }
    return { label: s.label, values };
  });
  for (const column of columns) {
    for (let i = column.values.length - 1; i >= 0; i -= 1) {
      const v = column.values[i];
      if (v !== null && v !== undefined) {
        latest = v;
        break;
      }
    }
    if (latest !== null) break;
  }
  return { x: times, series: columns, max, latest };
}

/** The 24-hour window the console shows around an alarm: 23 h before it, up to 1 h after (not past now). */
export function chartWindow(raisedAt: string, now: Date): { from: string; to: string } {
  const raised = Date.parse(raisedAt);
  const anchor = Number.isNaN(raised) ? now.getTime() : raised;
  const to = Math.min(now.getTime(), anchor + 3600_000);
  const from = to - 24 * 3600_000;
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}
