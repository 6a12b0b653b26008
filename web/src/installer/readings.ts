/** Live readings per device from the telemetry query: the newest value of each field. Pure. */
import type { TelemetrySeriesDto } from '@anxin/protocol';

/** At most 16 fields per query (protocol TelemetryQuerySchema). */
export const LIVE_FIELDS = [
  'power_w',
  'energy_kwh',
  'voltage_v',
  'water_m3',
  'motion',
  'presence',
  'occupancy',
  'contact_closed',
  'bed_occupied',
  'heart_rate_bpm',
  'respiration_rate_bpm',
  'battery_pct',
  'temperature_c',
  'humidity_pct',
  'link_quality',
  'motion_level',
] as const;

export interface Reading {
  field: string;
  value: string;
  unit: string | null;
  at: number;
}

/** Key `${gatewayId}/${deviceId}` → newest reading of each field, newest first. */
export function latestReadings(series: readonly TelemetrySeriesDto[]): Map<string, Reading[]> {
  const result = new Map<string, Reading[]>();
  for (const s of series) {
    let newest: [number, number | boolean | string] | undefined;
    for (const point of s.points) if (newest === undefined || point[0] >= newest[0]) newest = point;
    if (newest === undefined) continue;
    const key = `${s.gatewayId}/${s.deviceId}`;
    const list = result.get(key) ?? [];
    const value =
      typeof newest[1] === 'number'
        ? String(Math.round(newest[1] * 1000) / 1000)
        : String(newest[1]);
    list.push({ field: s.field, value, unit: s.unit, at: newest[0] });
    result.set(key, list);
  }
  for (const list of result.values())
    list.sort((a, b) => b.at - a.at || a.field.localeCompare(b.field));
  return result;
}
