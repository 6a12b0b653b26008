/**
 * InfluxDB 2.x API (/api/v2/write) through @influxdata/influxdb-client. One short-lived WriteApi
 * per write with the client's own retries off: the call resolves only when InfluxDB has answered
 * 204, and a failure is ours to defer (the gateway holds the data, DESIGN.md contract clause 7).
 */
import { HttpError, InfluxDB, Point, setLogger } from '@influxdata/influxdb-client';
import type { Logger } from 'pino';
import {
  isDataRejection,
  MEASUREMENT,
  RejectedPointsError,
  type TelemetryPoint,
  type TelemetryStore,
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
