/**
 * For tests that check how SQLite plans the statements the hub really runs: a migrated, seeded
 * SQLite file, a Kysely on it that records every statement with its parameters, and SQLite's plan
 * of one of them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogEvent } from 'kysely';
import { pino } from 'pino';
import { openDatabase } from '../store/db.js';
import type { Database } from '../store/schema.js';
import { seedGatewayHome } from './gateway-home.js';

/**
 * A new temporary directory holding `hub.db`: migrated, seeded with seedGatewayHome, then given
 * `more` rows, and closed again (remove `dir` when done).
 */
export async function seededSqliteFile(
  prefix: string,
  more: (db: Kysely<Database>) => Promise<void> = () => Promise.resolve(),
): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const file = join(dir, 'hub.db');
  const { db } = await openDatabase(file, pino({ level: 'silent' }));
  try {
    await seedGatewayHome(db);
    await more(db);
  } finally {
    await db.destroy();
  }
  return { dir, file };
}

export type RecordedQuery = LogEvent['query'];

export interface RecordingSqlite {
  db: Kysely<Database>;
  /** Every statement run through `db`, in order (clear it to start over). */
  seen: RecordedQuery[];
  /** EXPLAIN QUERY PLAN of a recorded statement, its steps joined by " | ". */
  planOf: (query: RecordedQuery) => string;
}

export function recordingSqlite(file: string): RecordingSqlite {
  const sqlite = new BetterSqlite3(file);
  const seen: RecordedQuery[] = [];
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: sqlite }),
    log: (event) => {
      seen.push(event.query);
    },
  });
  const planOf = (query: RecordedQuery) =>
    sqlite
      .prepare(`explain query plan ${query.sql}`)
      .all(...query.parameters)
      .map((step) => (isPlanStep(step) ? step.detail : `(unreadable step ${JSON.stringify(step)})`))
      .join(' | ');
  return { db, seen, planOf };
}

/** A row of EXPLAIN QUERY PLAN (its `detail` says which table and index a step uses). */
function isPlanStep(row: unknown): row is { detail: string } {
  return (
    typeof row === 'object' && row !== null && 'detail' in row && typeof row.detail === 'string'
  );
}
