/**
 * How the InfluxDB stores answer a TelemetrySeriesQuery with the same series the embedded store
 * gives: first every field point by point, at most maxPoints + 1 points per series (one request);
 * then only the series that had more than maxPoints are asked again, downsampled server-side
 * (one more request, only when needed). The aggregate follows the type the raw points came back
 * in: mean for numbers, last for booleans and strings (downsample.ts).
 */
import type { TelemetrySeries, TelemetrySeriesKey, TelemetrySeriesQuery } from './store.js';

export type Aggregate = 'mean' | 'last';

export interface BucketedAsk {
  field: string;
  aggregate: Aggregate;
  devices: TelemetrySeriesKey[];
}

/** What a store's query language has to provide. Series may come back in any order. */
export interface SeriesSource {
  /** Per field, up to `limit` points per device of `devices`, oldest first. */
  raw(fields: string[], limit: number): Promise<TelemetrySeries[]>;
  /** Per ask, its devices' points downsampled into the query's buckets with its aggregate. */
  bucketed(asks: BucketedAsk[]): Promise<TelemetrySeries[]>;
}

const keyOf = (gatewayId: string, deviceId: string, field: string) =>
  JSON.stringify([gatewayId, deviceId, field]);

export async function readSeries(
  q: TelemetrySeriesQuery,
  source: SeriesSource,
): Promise<TelemetrySeries[]> {
  if (q.devices.length === 0 || q.fields.length === 0) return [];
  const asked = new Set(q.devices.map((d) => JSON.stringify([d.gatewayId, d.deviceId])));
  const found = new Map<string, TelemetrySeries>();
  const keep = (s: TelemetrySeries) => {
    if (s.points.length > 0 && asked.has(JSON.stringify([s.gatewayId, s.deviceId])))
      found.set(keyOf(s.gatewayId, s.deviceId, s.field), s);
  };
  for (const s of await source.raw(q.fields, q.maxPoints + 1)) keep(s);

  const asks = new Map<string, BucketedAsk>();
  for (const s of found.values()) {
    if (s.points.length <= q.maxPoints) continue;
    const aggregate: Aggregate = typeof s.points[0]?.[1] === 'number' ? 'mean' : 'last';
    const k = JSON.stringify([s.field, aggregate]);
    const ask = asks.get(k) ?? { field: s.field, aggregate, devices: [] };
    ask.devices.push({ gatewayId: s.gatewayId, deviceId: s.deviceId });
    asks.set(k, ask);
  }
  if (asks.size > 0) {
    const bucketed = await source.bucketed([...asks.values()]);
    for (const ask of asks.values())
      for (const d of ask.devices) found.delete(keyOf(d.gatewayId, d.deviceId, ask.field));
    for (const s of bucketed) keep(s);
  }

  const out: TelemetrySeries[] = [];
  for (const { gatewayId, deviceId } of q.devices)
    for (const field of q.fields) {
      const s = found.get(keyOf(gatewayId, deviceId, field));
      if (s) out.push({ gatewayId, deviceId, field, points: s.points });
    }
  return out;
}
