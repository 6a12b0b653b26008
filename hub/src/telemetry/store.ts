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

export interface TelemetryStore {
  /** 'embedded' | 'influx1' | 'influx2' (or a test double's name). */
  readonly kind: string;
  /** Prepares the store (e.g. creates the database). Must not throw when the store is down. */
  start(): Promise<void>;
  write(points: TelemetryPoint[]): Promise<void>;
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
