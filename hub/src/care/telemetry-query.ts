/**
 * Reading telemetry back for the charts of a home (GET /api/v1/homes/:id/telemetry). Every
 * telemetry store answers it (TelemetryStore.querySeries): the series are cut to the time range
 * and fields asked for and downsampled into at most `maxPoints` buckets (mean of numbers, last
 * value otherwise; telemetry/downsample.ts).
 */
import type { TelemetrySeries, TelemetrySeriesQuery, TelemetryStore } from '../telemetry/store.js';

export { downsample } from '../telemetry/downsample.js';
export type { TelemetrySeries } from '../telemetry/store.js';

export type TelemetryRange = TelemetrySeriesQuery;

export interface TelemetryReader {
  query(range: TelemetryRange): Promise<TelemetrySeries[]>;
}

export function telemetryReaderOf(store: TelemetryStore): TelemetryReader {
  return { query: (range) => store.querySeries(range) };
}
