/**
 * Reading telemetry back for the charts of a home (GET /api/v1/homes/:id/telemetry). The
 * embedded store can be read back point by point per device; the series are cut to the time
 * range and fields asked for and downsampled into at most `maxPoints` buckets (mean of numbers,
 * last value otherwise). InfluxDB stores are not read back yet: the route answers no series.
 */
import { EmbeddedTelemetryStore } from '../telemetry/embedded.js';
import type { TelemetryStore, TelemetryValue } from '../telemetry/store.js';

export interface TelemetryRange {
  devices: { gatewayId: string; deviceId: string }[];
  fields: string[];
  from: number;
  /** Exclusive. */
  to: number;
  maxPoints: number;
}

export interface TelemetrySeries {
  gatewayId: string;
  deviceId: string;
  field: string;
  points: [number, TelemetryValue][];
}

export interface TelemetryReader {
  query(range: TelemetryRange): Promise<TelemetrySeries[]>;
}

/** Buckets points into at most maxPoints, stamped at the bucket start. Pure. */
export function downsample(
  points: [number, TelemetryValue][],
  from: number,
  to: number,
  maxPoints: number,
): [number, TelemetryValue][] {
  if (points.length <= maxPoints) return points;
  const width = Math.max(1, Math.ceil((to - from) / maxPoints));
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

export function telemetryReaderOf(store: TelemetryStore): TelemetryReader | undefined {
  if (!(store instanceof EmbeddedTelemetryStore)) return undefined;
  return {
    query(range) {
      const series: TelemetrySeries[] = [];
      for (const { gatewayId, deviceId } of range.devices) {
        const points = store
          .query(gatewayId, deviceId, range.from)
          .filter((p) => p.observedAt < range.to);
        for (const field of range.fields) {
          const raw: [number, TelemetryValue][] = [];
          for (const p of points) {
            const v = p.fields[field];
            if (v !== undefined) raw.push([p.observedAt, v]);
          }
          if (raw.length > 0)
            series.push({
              gatewayId,
              deviceId,
              field,
              points: downsample(raw, range.from, range.to, range.maxPoints),
            });
        }
      }
      return Promise.resolve(series);
    },
  };
}
