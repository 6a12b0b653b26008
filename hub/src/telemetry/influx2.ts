/**
 * InfluxDB 2.x API (/api/v2/write) through @influxdata/influxdb-client. One short-lived WriteApi
 * per write with the client's own retries off: the call resolves only when InfluxDB has answered
 * 204, and a failure is ours to defer (the gateway holds the data, DESIGN.md contract clause 7).
 */
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import { bucketedFluxQuery, rawFluxQuery } from './flux.js';
import { readSeries } from './series-reader.js';
import {
  isDataRejection,
  MEASUREMENT,
  RejectedPointsError,
  type TelemetryPoint,
  type TelemetrySeries,
  type TelemetrySeriesQuery,
  type TelemetryStore,
  type TelemetryValue,
} from './store.js';

export interface Influx2Options {
  url: string;
  org: string;
  bucket: string;
  token: string;
  timeoutMs: number;
}

export class Influx2TelemetryStore implements TelemetryStore {
  readonly kind = 'influx2';
  private readonly client: InfluxDB;

  constructor(
    private readonly options: Influx2Options,
    private readonly log: Logger,
  ) {
    this.client = new InfluxDB({
      url: options.url,
      token: options.token,
      timeout: options.timeoutMs,
    });
    // The client logs failed writes to the console by default; route them into our logs.
    setLogger({
      error: (message: string, err?: unknown) => log.debug({ err }, message),
      warn: (message: string, err?: unknown) => log.debug({ err }, message),
    });
  }

  start(): Promise<void> {
    this.log.info(
      { url: this.options.url, org: this.options.org, bucket: this.options.bucket },
      'telemetry → InfluxDB 2.x',
    );
    return Promise.resolve();
  }

  async write(points: TelemetryPoint[]): Promise<void> {
    const api = this.client.getWriteApi(this.options.org, this.options.bucket, 'ms', {
      batchSize: points.length + 1,
      flushInterval: 0,
      maxRetries: 0,
    });
    try {
      api.writePoints(points.map(toPoint));
      await api.flush();
    } catch (err) {
      if (err instanceof HttpError && isDataRejection(err.statusCode))
        throw new RejectedPointsError(err.message, { cause: err });
      throw err;
    } finally {
      api.dispose();
    }
  }

  querySeries(q: TelemetrySeriesQuery): Promise<TelemetrySeries[]> {
    const range = { bucket: this.options.bucket, devices: q.devices, from: q.from, to: q.to };
    return readSeries(q, {
      raw: (fields, limit) => this.select(rawFluxQuery({ ...range, fields, limit })),
      bucketed: async (asks) =>
        (
          await Promise.all(
            asks.map((a) =>
              this.select(
                bucketedFluxQuery({
                  ...range,
                  fields: [a.field],
                  devices: a.devices,
                  maxPoints: q.maxPoints,
                  aggregate: a.aggregate,
                }),
              ),
            ),
          )
        ).flat(),
    });
  }

  /** Runs one Flux query; rows become one series per (gateway, device, field), in row order. */
  private async select(query: string): Promise<TelemetrySeries[]> {
    const api = this.client.getQueryApi(this.options.org);
    const rows = await api.collectRows(query, (values, meta) => {
      const gatewayId: unknown = meta.get(values, 'gateway');
      const deviceId: unknown = meta.get(values, 'device');
      const field: unknown = meta.get(values, '_field');
      const value: unknown = meta.get(values, '_value');
      const time = parseRfc3339Ms(meta.get(values, '_time'));
      if (typeof gatewayId !== 'string' || typeof deviceId !== 'string') return undefined;
      if (typeof field !== 'string' || time === undefined) return undefined;
      if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string')
        return undefined;
      return { gatewayId, deviceId, field, point: [time, value] as [number, TelemetryValue] };
    });
    const series = new Map<string, TelemetrySeries>();
    for (const r of rows) {
      const key = JSON.stringify([r.gatewayId, r.deviceId, r.field]);
      const s = series.get(key);
      if (s) s.points.push(r.point);
      else
        series.set(key, {
          gatewayId: r.gatewayId,
          deviceId: r.deviceId,
          field: r.field,
          points: [r.point],
        });
    }
    return [...series.values()];
  }

  async check(): Promise<void> {
    const res = await fetch(new URL('/health', this.options.url), {
      signal: AbortSignal.timeout(2000),
    });
    if (!res.ok) throw new Error(`InfluxDB /health answered ${res.status}`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

function toPoint(p: TelemetryPoint): Point {
  const point = new Point(MEASUREMENT)
    .tag('gateway', p.gatewayId)
    .tag('device', p.deviceId)
    .timestamp(p.observedAt);
  for (const [name, value] of Object.entries(p.fields)) {
    if (typeof value === 'number') point.floatField(name, value);
    else if (typeof value === 'boolean') point.booleanField(name, value);
    else point.stringField(name, value);
  }
  return point;
}

/** Epoch ms of an RFC 3339 time as Flux answers it (up to nanoseconds: cut to ms). */
export function parseRfc3339Ms(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? ms : undefined;
}
