/**
 * "Activity seen 08:12": the newest moment any activity sensor saw someone (motion, presence,
 * occupancy, bed, a door contact changing) or a meter moved, from the telemetry query. Pure.
 */
import type { TelemetrySeriesDto } from '@anxin/protocol';

export const ACTIVITY_FIELDS = [
  'motion',
  'presence',
  'occupancy',
  'bed_occupied',
  'contact_closed',
  'power_w',
  'water_m3',
] as const;

/** Power above standby (a kettle, a light): someone is likely using it. */
const POWER_ACTIVE_W = 60;

export function lastActivityAt(series: readonly TelemetrySeriesDto[]): number | null {
  let latest: number | null = null;
  const seen = (t: number) => {
    if (latest === null || t > latest) latest = t;
  };
  for (const s of series) {
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    if (s.field === 'contact_closed' || s.field === 'water_m3') {
      // A change is activity: the door moved, water ran.
      for (let i = 1; i < points.length; i += 1) {
        const previous = points[i - 1];
        const current = points[i];
        if (previous && current && previous[1] !== current[1]) seen(current[0]);
      }
    } else if (s.field === 'power_w') {
      for (const [t, v] of points) if (typeof v === 'number' && v >= POWER_ACTIVE_W) seen(t);
    } else {
      for (const [t, v] of points) if (v === true || (typeof v === 'number' && v > 0)) seen(t);
    }
  }
  return latest;
}
