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
  private insert: BetterSqlite3.Statement | undefined;

  constructor(
    private readonly file: string,
    private readonly retentionDays: number,
    private readonly log: Logger,
  ) {}

  start(): Promise<void> {
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new BetterSqlite3(this.file);
    db.pragma('journal_mode = WAL');
    // FULL: we ack after this commit and the gateway then forgets the points (contract clause 3).
    db.pragma('synchronous = FULL');
    db.exec(`CREATE TABLE IF NOT EXISTS telemetry (
      gateway TEXT NOT NULL, device TEXT NOT NULL, time INTEGER NOT NULL, fields TEXT NOT NULL,
      PRIMARY KEY (gateway, device, time)) WITHOUT ROWID`);
    db.exec('CREATE INDEX IF NOT EXISTS telemetry_time ON telemetry (time)');
    this.insert = db.prepare(
      `INSERT INTO telemetry (gateway, device, time, fields) VALUES (?, ?, ?, ?)
       ON CONFLICT (gateway, device, time) DO UPDATE SET fields = json_patch(fields, excluded.fields)`,
    );
    this.db = db;
    this.log.warn(
      { file: this.file },
      `no InfluxDB configured: telemetry kept in embedded store ${this.file}`,
    );
    this.prune();
    this.pruneTimer = setInterval(() => this.prune(), PRUNE_EVERY_MS);
    this.pruneTimer.unref();
    return Promise.resolve();
  }

  /**
   * Most points per write (one SQLite transaction). better-sqlite3 holds the event loop for a whole
   * transaction (~7 µs a point here, JSON included), so a 5,000-point write blocked the broker, the
   * alarm lane and new connections for ~40 ms; ingest sends at most this many and lets the event
   * loop turn between writes, so nothing waits more than ~15 ms. (1,000 halved the storm's drain
   * rate: a commit, fsync included, per 1,000 points.)
   */
  readonly maxPointsPerWrite = 2000;

  write(points: TelemetryPoint[]): Promise<void> {
    const db = this.db;
    const insert = this.insert;
    if (!db || !insert) return Promise.reject(new Error('embedded telemetry store is not open'));
    db.transaction(() => {
      for (const p of points)
        insert.run(p.gatewayId, p.deviceId, p.observedAt, JSON.stringify(p.fields));
    })();
    return Promise.resolve();
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
    if (!this.db) return;
    const cutoff = Date.now() - this.retentionDays * 86_400_000;
    const r = this.db.prepare('DELETE FROM telemetry WHERE time < ?').run(cutoff);
    if (r.changes > 0)
      this.log.info(
        { removed: r.changes, retentionDays: this.retentionDays },
        'embedded telemetry pruned',
      );
  }

  close(): Promise<void> {
    clearInterval(this.pruneTimer);
    this.db?.close();
    this.db = undefined;
    return Promise.resolve();
  }
}
