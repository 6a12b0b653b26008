/**
 * Flux text for reading telemetry series back from InfluxDB 2.x. Pure. Every string that reaches
 * the text (bucket, field and device names) is a Flux string literal made by the client's `flux`
 * template / fluxString (escapes \, ", ${ and newlines), times are time(v: "…") of an ISO string,
 * and durations are integer milliseconds we computed; nothing is pasted in raw.
 */
import { flux, fluxDateTime, fluxExpression } from '@influxdata/influxdb-client';
import { bucketWidthMs } from './downsample.js';
import type { Aggregate } from './series-reader.js';
import { MEASUREMENT, type TelemetrySeriesKey } from './store.js';

export interface FluxSeriesQuery {
  bucket: string;
  fields: string[];
  devices: TelemetrySeriesKey[];
  from: number;
  to: number;
}

function isoOf(ms: number, what: string): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`${what} must be an integer epoch ms`);
  return new Date(ms).toISOString();
}

/** `a or b or c` of flux-escaped comparisons; at least one is needed. */
function anyOf(parts: string[], what: string): string {
  if (parts.length === 0) throw new RangeError(`at least one ${what} is needed`);
  return parts.join(' or ');
}

/** from |> range |> filters |> one table per (gateway, device, field), oldest first. */
function selected(q: FluxSeriesQuery): string {
  const fields = anyOf(
    q.fields.map((f) => flux`r._field == ${f}`.toString()),
    'field',
  );
  const devices = anyOf(
    q.devices.map((d) =>
      flux`(r.gateway == ${d.gatewayId} and r.device == ${d.deviceId})`.toString(),
    ),
    'device',
  );
  return flux`from(bucket: ${q.bucket})
  |> range(start: ${fluxDateTime(isoOf(q.from, 'from'))}, stop: ${fluxDateTime(isoOf(q.to, 'to'))})
  |> filter(fn: (r) => r._measurement == ${MEASUREMENT})
  |> filter(fn: (r) => ${fluxExpression(fields)})
  |> filter(fn: (r) => ${fluxExpression(devices)})
  |> group(columns: ["gateway", "device", "_field"])
  |> sort(columns: ["_time"])`.toString();
}

const KEEP = '  |> keep(columns: ["_time", "_value", "gateway", "device", "_field"])';

/** Point by point, at most `limit` points per (device, field); range stop is exclusive. */
export function rawFluxQuery(q: FluxSeriesQuery & { limit: number }): string {
  if (!Number.isSafeInteger(q.limit) || q.limit < 1) throw new RangeError('limit must be ≥ 1');
  return [selected(q), `  |> limit(n: ${q.limit})`, KEEP].join('\n');
}

/**
 * Downsampled server-side into buckets of bucketWidthMs(from, to, maxPoints) starting at `from`
 * (offset shifts Flux's epoch-aligned windows onto `from`), stamped at the window start.
 */
export function bucketedFluxQuery(
  q: FluxSeriesQuery & { maxPoints: number; aggregate: Aggregate },
): string {
  const width = bucketWidthMs(q.from, q.to, q.maxPoints);
  const offset = ((q.from % width) + width) % width;
  const fn = q.aggregate === 'mean' ? 'mean' : 'last';
  return [
    selected(q),
    `  |> aggregateWindow(every: ${width}ms, offset: ${offset}ms, fn: ${fn}, timeSrc: "_start", createEmpty: false)`,
    KEEP,
  ].join('\n');
}
