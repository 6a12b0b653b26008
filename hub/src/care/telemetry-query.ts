/**
 * Reading telemetry back for charts. The telemetry stores (telemetry/) write; a store that can
 * also answer queries implements `query` (duck-typed here so stores without it keep working:
 * the route then answers an empty series list).
 */
import type { TelemetryStore } from '../telemetry/store.js';

export interface TelemetryRange {
  gatewayIds: string[];
  deviceId?: string;
  fields: string[];
  from: number;
  to: number;
  maxPoints: number;
}

export interface TelemetrySeries {
  gatewayId: string;
  deviceId: string;
  field: string;
  points: [number, number | boolean | string][];
}

export interface TelemetryReader {
  query(range: TelemetryRange): Promise<TelemetrySeries[]>;
}

export function telemetryReaderOf(store: TelemetryStore): TelemetryReader | undefined {
  const candidate = store as TelemetryStore & Partial<TelemetryReader>;
  return typeof candidate.query === 'function'
    ? { query: (range) => (candidate.query as TelemetryReader['query']).call(store, range) }
    : undefined;
}
