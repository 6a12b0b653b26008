/**
 * The outbox file's tables and the statements the outbox runs on them, prepared once (outbox.ts
 * says what the tables hold). Two tables, one per lane, so that the alarm lane is read without
 * ever scanning a telemetry backlog; `seq` (the rowid) keeps the order within each lane.
 */
import type Database from 'better-sqlite3';
import type { Lane } from '@anxin/protocol';

export interface LaneStatements {
  insert: Database.Statement<[number, string, number, string]>;
  pending: Database.Statement<[number, number], { seq: number; body: string; created_at: number }>;
  remove: Database.Statement<[number]>;
  count: Database.Statement<[], { n: number }>;
  oldest: Database.Statement<[], { created_at: number }>;
  /** The highest seq and created_at the lane holds (0 when it is empty). */
  newest: Database.Statement<[], { seq: number | null; createdAt: number | null }>;
}

export interface OutboxStatements {
  lanes: Record<Lane, LaneStatements>;
  setMeta: Database.Statement<[string, number]>;
  getMeta: Database.Statement<[string], { value: number }>;
  /** Drops the `n` oldest telemetry rows. */
  dropOldest: Database.Statement<[number]>;
  /** Drops telemetry created before a moment. */
  dropOlderThan: Database.Statement<[number]>;
}

export function prepareOutbox(db: Database.Database): OutboxStatements {
  db.exec(`
    CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS alarm_outbox (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS telemetry_outbox (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, created_at INTEGER NOT NULL, body TEXT NOT NULL);
  `);
  const lane = (table: string): LaneStatements => ({
    insert: db.prepare(`INSERT INTO ${table} (seq, id, created_at, body) VALUES (?, ?, ?, ?)`),
    pending: db.prepare(
      `SELECT seq, body, created_at FROM ${table} WHERE seq > ? ORDER BY seq LIMIT ?`,
    ),
    remove: db.prepare(`DELETE FROM ${table} WHERE seq = ?`),
    count: db.prepare(`SELECT count(*) AS n FROM ${table}`),
    oldest: db.prepare(`SELECT created_at FROM ${table} ORDER BY seq LIMIT 1`),
    newest: db.prepare(`SELECT max(seq) AS seq, max(created_at) AS createdAt FROM ${table}`),
  });
  return {
    lanes: { alarm: lane('alarm_outbox'), telemetry: lane('telemetry_outbox') },
    setMeta: db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value',
    ),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    dropOldest: db.prepare(
      'DELETE FROM telemetry_outbox WHERE seq IN (SELECT seq FROM telemetry_outbox ORDER BY seq LIMIT ?)',
    ),
    dropOlderThan: db.prepare('DELETE FROM telemetry_outbox WHERE created_at < ?'),
  };
}
