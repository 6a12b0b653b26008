/**
 * For tests that check how SQLite plans the statements the hub really runs: a Kysely on a migrated
 * SQLite file that records every statement with its parameters, and SQLite's plan of one of them.
 */
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, type LogEvent } from 'kysely';
import type { Database } from '../store/schema.js';

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
    (
      sqlite.prepare(`explain query plan ${query.sql}`).all(...query.parameters) as {
        detail: string;
      }[]
    )
      .map((step) => step.detail)
      .join(' | ');
  return { db, seen, planOf };
}
