/**
 * The embedded telemetry store for the demo and small sites with no InfluxDB: one SQLite table in
 * its own file (so telemetry volume never bloats or locks the SQL state), keyed like an InfluxDB
 * series point (gateway, device, time) so a replayed event overwrites instead of duplicating, and
 * pruned to a retention period.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import type { Logger } from 'pino';
import { downsample } from './downsample.js';
import { EmbeddedWriter } from './embedded-writer.js';
import type {
  TelemetryPoint,
  TelemetrySeries,
  TelemetrySeriesQuery,
  TelemetryStore,
  TelemetryValue,
} from './store.js';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export class EmbeddedTelemetryStore implements TelemetryStore {
  readonly kind = 'embedded';
  private db: BetterSqlite3.Database | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;
  /** Writes (and prunes) on a worker thread: see embedded-writer.ts. */
  private writer: EmbeddedWriter | undefined;

  constructor(
    private readonly file: string,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    // This connection reads (charts, tests) and creates the table; the writer has its own.
    const db = new BetterSqlite3(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry (
      gateway TEXT NOT NULL, device TEXT NOT NULL, time INTEGER NOT NULL, fields TEXT NOT NULL,
      PRIMARY KEY (gateway, device, time)) WITHOUT ROWID`);
    db.exec('CREATE INDEX IF NOT EXISTS telemetry_time ON telemetry (time)');
    const writer = new EmbeddedWriter(this.file);
    try {
      await writer.start();
    } catch (err) {
      db.close();
      throw err;
    }
    this.db = db;
    this.writer = writer;
    this.log.warn(
      { file: this.file },
      `no InfluxDB configured: telemetry kept in embedded store ${this.file}`,
    );
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
  }

  /**
   * Most points per write (one SQLite transaction, fsync included, on the writer's thread). Ingest
   * sends at most this many; a commit per 2,000 points keeps a reconnect storm's drain rate (1,000
   * halved it) while one write still settles in tens of milliseconds.
   */
  readonly maxPointsPerWrite = 2000;

  /** Resolves once the points are committed on the writer thread (durable: contract clause 3). */
  async write(points: TelemetryPoint[]): Promise<void> {
    const writer = this.writer;
    if (!writer) throw new Error('embedded telemetry store is not open');
    await writer.write(
      points.map((p) => [p.gatewayId, p.deviceId, p.observedAt, JSON.stringify(p.fields)]),
    );
  }

  /** Points of one device in [sinceMs, untilMs), oldest first. */
  query(
    gatewayId: string,
    deviceId: string,
    sinceMs = 0,
    untilMs = Number.MAX_SAFE_INTEGER,
  ): TelemetryPoint[] {
    if (!this.db) return [];
    const rows = this.db
      .prepare(
        'SELECT time, fields FROM telemetry WHERE gateway = ? AND device = ? AND time >= ? AND time < ? ORDER BY time',
      )
      .all(gatewayId, deviceId, sinceMs, untilMs) as { time: number; fields: string }[];
    return rows.map((r) => ({
      gatewayId,
      deviceId,
      observedAt: r.time,
      fields: JSON.parse(r.fields) as TelemetryPoint['fields'],
    }));
  }

  querySeries(q: TelemetrySeriesQuery): Promise<TelemetrySeries[]> {
    if (!this.db) return Promise.reject(new Error('embedded telemetry store is not open'));
    const series: TelemetrySeries[] = [];
    for (const { gatewayId, deviceId } of q.devices) {
      const points = this.query(gatewayId, deviceId, q.from, q.to);
      for (const field of q.fields) {
        const raw: [number, TelemetryValue][] = [];
        for (const p of points) {
          const v = p.fields[field];
          if (v !== undefined) raw.push([p.observedAt, v]);
        }
        if (raw.length > 0)
          series.push({
            gatewayId,
            deviceId,
            field,
            points: downsample(raw, q.from, q.to, q.maxPoints),
          });
      }
    }
    return Promise.resolve(series);
  }

  check(): Promise<void> {
    if (!this.db) return Promise.reject(new Error('embedded telemetry store is not open'));
    this.db.prepare('SELECT 1').get();
    return Promise.resolve();
  }

  private prune(): void {
    const writer = this.writer;
    if (!writer) return;
    const cutoff = Date.now() - this.retentionDays * 86_400_000;
    writer.prune(cutoff).then(
      (removed) => {
        if (removed > 0)
          this.log.info(
            { removed, retentionDays: this.retentionDays },
            'embedded telemetry pruned',
          );
      },
      (err: unknown) => this.log.warn({ err }, 'embedded telemetry not pruned'),
    );
  }

  async close(): Promise<void> {
    clearInterval(this.pruneTimer);
    const writer = this.writer;
    this.writer = undefined;
    await writer?.close();
    this.db?.close();
    this.db = undefined;
  }
}
