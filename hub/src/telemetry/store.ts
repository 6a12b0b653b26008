/**
 * Where telemetry goes. Every store writes measurement `telemetry`, tags `gateway` and `device`,
 * one field per canonical name (protocol/src/telemetry.ts), timestamp = observedAt in ms.
 *
 * `write` resolves only once the points are durable in the store; the hub acks the gateway after
 * that (DESIGN.md, contract clause 3) and defers when it rejects (clause 7).
 */
export type TelemetryValue = number | boolean | string;

export interface TelemetryPoint {
  gatewayId: string;
  deviceId: string;
  observedAt: number;
  fields: Record<string, TelemetryValue>;
}

/** One device's series to read back: the (gateway, device) pair names it, as the tags do. */
export interface TelemetrySeriesKey {
  gatewayId: string;
  deviceId: string;
}

/** What the console's charts ask for (GET /api/v1/homes/:id/telemetry). */
export interface TelemetrySeriesQuery {
  /** The devices to read, in the order the answer lists them. */
  devices: TelemetrySeriesKey[];
  /** Field names, in the order the answer lists them (per device). */
  fields: string[];
  /** Epoch ms, inclusive. */
  from: number;
  /** Epoch ms, exclusive. */
  to: number;
  /**
   * A series with more points than this in [from, to) is downsampled into buckets of
   * ceil((to − from) / maxPoints) ms starting at `from`, each stamped at its start: mean of numbers,
   * last value of booleans and strings (see downsample.ts for why last). A series with at most
   * this many points is answered point by point.
   */
  maxPoints: number;
}

export interface TelemetrySeries extends TelemetrySeriesKey {
  field: string;
  /** [epoch ms, value], oldest first; never empty. */
  points: [number, TelemetryValue][];
}

export interface TelemetryStore {
  /** 'embedded' | 'influx1' | 'influx2' (or a test double's name). */
  readonly kind: string;
  /** Prepares the store (e.g. creates the database). Must not throw when the store is down. */
  start(): Promise<void>;
  /**
   * Most points the store takes in one write, when it has a limit of its own (the embedded store
   * commits each write, fsync included, on one writer thread and so keeps each write short);
   * ingest never sends more.
   */
  readonly maxPointsPerWrite?: number;
  write(points: TelemetryPoint[]): Promise<void>;
  /**
   * Series for charts: one per (device, field) that has points in the range, devices in the order
   * asked, then fields in the order asked. Throws when the store cannot be reached.
   */
  querySeries(query: TelemetrySeriesQuery): Promise<TelemetrySeries[]>;
  /** Throws when the store cannot be reached. */
  check(): Promise<void>;
  close(): Promise<void>;
}

export const MEASUREMENT = 'telemetry';

/**
 * The store refused the data itself (e.g. InfluxDB's 400 "field type conflict"): sending it
 * again can never succeed. The ingest then isolates the offending points and rejects only them,
 * instead of deferring — deferring would make the gateway resend them forever and hold up every
 * other gateway's telemetry written together with them.
 */
export class RejectedPointsError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RejectedPointsError';
  }
}

/** HTTP statuses that say "this data is wrong", as opposed to "the store is unavailable". */
export function isDataRejection(status: number | undefined): boolean {
  return status === 400 || status === 413 || status === 422;
}

/** Rejects after `ms`, so a hung store is treated like a down one. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
