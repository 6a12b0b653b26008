/**
 * The downsampling rule every telemetry store follows when a series has more points than a chart
 * asked for (TelemetrySeriesQuery.maxPoints). Buckets are ceil((to − from) / maxPoints) ms wide,
 * start at `from`, and are stamped at their start, so the embedded store (here, in memory) and
 * InfluxDB (GROUP BY time(width, offset) / aggregateWindow(every, offset, timeSrc: "_start"))
 * answer the same buckets.
 *
 * Numbers: the mean of the bucket. Booleans (presence, motion, contact) and strings: the LAST value
 * of the bucket. Booleans cannot be averaged, and between max ("was it ever true in the bucket")
 * and last ("what state was it left in") we take last because:
 * - a chart of a state is a step chart, and last keeps consecutive buckets consistent with each
 *   other and with the point-by-point answer at a finer range (max turns a door that was open for
 *   two seconds into a bucket-long "open" and a presence sensor into "always present");
 * - it is what all three stores can compute server-side in one pass: InfluxQL max() and Flux max()
 *   refuse booleans, last() takes every type;
 * - short events that matter for care (a door opened at night, a fall) are alarms on the alarm
 *   lane, never something to be spotted in a downsampled chart.
 */
import type { TelemetryValue } from './store.js';

/** The width in ms of one bucket when [from, to) is cut into at most maxPoints buckets. */
export function bucketWidthMs(from: number, to: number, maxPoints: number): number {
  return Math.max(1, Math.ceil((to - from) / Math.max(1, maxPoints)));
}

/** Buckets points (oldest first) into at most maxPoints, stamped at the bucket start. Pure. */
export function downsample(
  points: [number, TelemetryValue][],
  from: number,
  to: number,
  maxPoints: number,
): [number, TelemetryValue][] {
  if (points.length <= maxPoints) return points;
  const width = bucketWidthMs(from, to, maxPoints);
  const out: [number, TelemetryValue][] = [];
  let bucket = -1;
  let sum = 0;
  let count = 0;
  let last: TelemetryValue | undefined;
  const flush = () => {
    if (bucket < 0 || last === undefined) return;
    out.push([from + bucket * width, typeof last === 'number' && count > 0 ? sum / count : last]);
  };
  for (const [t, v] of points) {
    const b = Math.floor((t - from) / width);
    if (b !== bucket) {
      flush();
      bucket = b;
      sum = 0;
      count = 0;
    }
    if (typeof v === 'number') {
      sum += v;
      count += 1;
    }
    last = v;
  }
  flush();
  return out;
}
