/**
 * InfluxDB 1.x HTTP API (/write, /query) through the `influx` package. Also reaches InfluxDB 2.x
 * and 3.x through their 1.x compatibility endpoints. Numbers are written as floats (no `i`
 * suffix) so a meter that sends 5 then 5.5 never hits a field type conflict.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { Logger } from 'pino';
import { bucketedSeriesStatement, rawSeriesStatement, VALUE_COLUMN } from './influxql.js';
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
import { errorMessage, isRecord, isUnknownArray } from '@anxin/protocol';

export interface Influx1Options {
  url: string;
  database: string;
  username?: string | undefined;
  password?: string | undefined;
  retentionPolicy?: string | undefined;
  timeoutMs: number;
}

export class Influx1TelemetryStore implements TelemetryStore {
  readonly kind = 'influx1';
  private readonly influx: InfluxDB;
  private databaseReady = false;

  constructor(
    private readonly options: Influx1Options,
    private readonly log: Logger,
  ) {
    const url = new URL(options.url);
    this.influx = new InfluxDB({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 8086,
      protocol: url.protocol === 'https:' ? 'https' : 'http',
      path: url.pathname === '/' ? '' : url.pathname,
      database: options.database,
      username: options.username ?? 'root',
      password: options.password ?? 'root',
      // Retries are ours (the gateway holds deferred telemetry); one attempt per write here.
      pool: { maxRetries: 0, requestTimeout: options.timeoutMs },
    });
  }

  async start(): Promise<void> {
    try {
      await this.ensureDatabase();
      this.log.info(
        { url: this.options.url, database: this.options.database },
        'telemetry → InfluxDB 1.x',
      );
    } catch (err) {
      this.log.warn(
        { err: errorMessage(err), url: this.options.url },
        'InfluxDB not reachable at start; telemetry will be deferred until it is',
      );
    }
  }

  private async ensureDatabase(): Promise<void> {
    if (this.databaseReady) return;
    const names = await this.influx.getDatabaseNames();
    if (!names.includes(this.options.database)) {
      await this.influx.createDatabase(this.options.database);
      this.log.info({ database: this.options.database }, 'InfluxDB database created');
    }
    this.databaseReady = true;
  }

  async write(points: TelemetryPoint[]): Promise<void> {
    await this.ensureDatabase();
    const rows: IPoint[] = points.map((p) => ({
      measurement: MEASUREMENT,
      tags: { gateway: p.gatewayId, device: p.deviceId },
      fields: p.fields,
      timestamp: p.observedAt,
    }));
    try {
      await this.influx.writePoints(rows, {
        precision: 'ms',
        database: this.options.database,
        ...(this.options.retentionPolicy ? { retentionPolicy: this.options.retentionPolicy } : {}),
      });
    } catch (err) {
      // The influx package's RequestError carries the response for 3xx/4xx answers.
      const status = (err as { res?: { statusCode?: number } }).res?.statusCode;
      if (status === 404) this.databaseReady = false; // dropped behind our back: create again
      if (isDataRejection(status)) throw new RejectedPointsError(errorMessage(err), { cause: err });
      throw err;
    }
  }

  querySeries(q: TelemetrySeriesQuery): Promise<TelemetrySeries[]> {
    const range = { devices: q.devices, from: q.from, to: q.to };
    return readSeries(q, {
      raw: (fields, limit) =>
        this.select(
          fields,
          fields.map((field) => rawSeriesStatement({ ...range, field, limit })),
        ),
      bucketed: (asks) =>
        this.select(
          asks.map((a) => a.field),
          asks.map((a) =>
            bucketedSeriesStatement({
              ...range,
              field: a.field,
              devices: a.devices,
              maxPoints: q.maxPoints,
              aggregate: a.aggregate,
            }),
          ),
        ),
    });
  }

  /** Runs the statements in one request; statement i answers the values of fields[i]. */
  private async select(fields: string[], statements: string[]): Promise<TelemetrySeries[]> {
    const body: unknown = await this.influx.queryRaw(statements, {
      database: this.options.database,
      precision: 'ms',
      // POST: a home with many devices makes a long WHERE clause.
      method: 'POST',
      ...(this.options.retentionPolicy ? { retentionPolicy: this.options.retentionPolicy } : {}),
    });
    return parseQueryResponse(body, fields);
  }

  async check(): Promise<void> {
    const [host] = await this.influx.ping(Math.min(this.options.timeoutMs, 2000));
    if (!host?.online) throw new Error(`InfluxDB at ${this.options.url} is not answering /ping`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The JSON of /query?epoch=ms (https://docs.influxdata.com/influxdb/v1/tools/api/#query-http-endpoint):
 * { results: [{ statement_id, series?: [{ tags, columns, values }], error? }] }. A database that
 * does not exist yet (nothing written so far) answers no series rather than an error.
 */
export function parseQueryResponse(body: unknown, fields: string[]): TelemetrySeries[] {
  const results = isRecord(body) ? body['results'] : undefined;
  if (!isUnknownArray(results)) throw new Error('InfluxDB /query answered no results');
  const out: TelemetrySeries[] = [];
  results.forEach((result, i) => {
    const field = fields[i];
    if (field === undefined || !isRecord(result)) return;
    const { error, series } = result;
    if (typeof error === 'string') {
      if (/database not found/i.test(error)) return;
      throw new Error(`InfluxDB query failed: ${error}`);
    }
    if (!isUnknownArray(series)) return;
    for (const s of series) {
      if (!isRecord(s)) continue;
      const { tags, columns, values } = s;
      if (!isRecord(tags)) continue;
      const { gateway, device } = tags;
      if (typeof gateway !== 'string' || typeof device !== 'string') continue;
      if (!isUnknownArray(columns) || !isUnknownArray(values)) continue;
      const t = columns.indexOf('time');
      const v = columns.indexOf(VALUE_COLUMN);
      const points: [number, TelemetryValue][] = [];
      for (const row of values) {
        if (!isUnknownArray(row)) continue;
        const time: unknown = row[t];
        const value: unknown = row[v];
        if (typeof time !== 'number') continue;
        if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
          points.push([time, value]);
      }
      out.push({ gatewayId: gateway, deviceId: device, field, points });
    }
  });
  return out;
}
