/**
 * Opens the SQL state: SQLite (better-sqlite3) through Kysely, WAL journal, migrated to the latest
 * version before anything else touches it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { Migrator } from 'kysely';
import type { Logger } from 'pino';
import { inCodeMigrations } from './migrations.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  /** The raw handle, for pragmas and health checks. */
  sqlite: BetterSqlite3.Database;
}

export async function openDatabase(file: string, log: Logger): Promise<OpenedDatabase> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL: readers (REST, consoles) never block the ingest writer. synchronous=FULL: an acknowledged
  // alarm must survive power loss, because the gateway deletes it from its outbox on our ack
  // (DESIGN.md, contract clause 3) — NORMAL could lose the last commits on power failure.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
  const migrator = new Migrator({ db, provider: inCodeMigrations });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'database migrated');
    else if (r.status === 'Error')
      log.error({ migration: r.migrationName }, 'database migration failed');
  }
  if (error) {
    await db.destroy();
    throw error instanceof Error ? error : new Error('database migration failed', { cause: error });
  }
  log.info({ file }, 'SQL state open (SQLite, WAL)');
  return { db, sqlite };
}
