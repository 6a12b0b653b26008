/**
 * InfluxDB 1.x HTTP API (/write, /query) through the `influx` package. Also reaches InfluxDB 2.x
 * and 3.x through their 1.x compatibility endpoints. Numbers are written as floats (no `i`
 * suffix) so a meter that sends 5 then 5.5 never hits a field type conflict.
 */
import { InfluxDB, type IPoint } from 'influx';
import type { Logger } from 'pino';
import {
  isDataRejection,
  MEASUREMENT,
  RejectedPointsError,
  type TelemetryPoint,
  type TelemetryStore,
} from './store.js';

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
        { err: (err as Error).message, url: this.options.url },
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
      if (isDataRejection(status))
        throw new RejectedPointsError((err as Error).message, { cause: err });
      throw err;
    }
  }

  async check(): Promise<void> {
    const [host] = await this.influx.ping(Math.min(this.options.timeoutMs, 2000));
    if (!host?.online) throw new Error(`InfluxDB at ${this.options.url} is not answering /ping`);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
