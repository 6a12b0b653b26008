/**
 * Opens the SQL state through Kysely — SQLite (better-sqlite3, WAL; the embedded default) or
 * PostgreSQL (node-postgres pool; several hubs) — migrated to the latest version before anything
 * else touches it.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import type { MigrationProvider } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import { inCodeMigrations } from './migrations.js';
import { durableSqliteDialect, SqliteDurability } from './durable-sqlite.js';
import { StatementCachingDatabase } from './sqlite-statement-cache.js';
import { WalSync } from './wal-sync.js';
import { threadDataSync } from './wal-sync-thread.js';
import type { Database } from './schema.js';
import { describeTarget, type DatabaseTarget } from './target.js';

export type DatabaseEngine = 'sqlite' | 'postgres';

export interface OpenedDatabase {
  db: Kysely<Database>;
  engine: DatabaseEngine;
  /** A round trip to the database (health checks). */
  ping(): Promise<void>;
}

/** pg's type id of int8 (bigint), and of count(*). */
const INT8_OID = 20;

/**
 * bigint columns hold epoch milliseconds, sequence numbers and counts: all far below 2^53, so
 * they are read as numbers like SQLite gives them. A value beyond that stays a string rather than
 * being silently rounded (no column holds one; it would fail loudly where it is used).
 */
export function parseInt8(text: string): number | string {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

/** pg's own parser of a type (its declaration returns `any`). */
const builtinParser = pg.types.getTypeParser as (
  oid: number,
  format: 'text' | 'binary',
) => (value: string) => unknown;

/** Per pool, not pg.types.setTypeParser: other pg users in the process keep pg's defaults. */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary'
      ? parseInt8
      : builtinParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** A Kysely over PostgreSQL (not migrated): the hub's pool, or the copy command's target. */
export function postgresKysely(pool: pg.PoolConfig, log: Logger): Kysely<Database> {
  const p = new pg.Pool({ ...pool, types: pgTypes });
  // An idle connection dropped by the server (restart, failover) must not crash the hub: the pool
  // replaces it and the next query reconnects.
  p.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost (pool)'));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool: p }) });
}

function sqliteKysely(file: string, log: Logger): Kysely<Database> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new BetterSqlite3(file);
  // WAL: readers (REST, consoles) never block the ingest writer. synchronous=NORMAL: a commit
  // writes the WAL without waiting for the disk (it survives the process dying); the fsync that
  // makes it survive a power cut runs off the event loop, and whoever needs that waits for it
  // (durable-sqlite.ts, wal-sync.ts): an acknowledged alarm must survive power loss, because the
  // gateway deletes it from its outbox on our ack (DESIGN.md, contract clause 3).
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  const statements = new StatementCachingDatabase(sqlite);
  const walFile = file === ':memory:' ? undefined : threadDataSync(`${file}-wal`);
  const durability = new SqliteDurability(
    walFile &&
      new WalSync(walFile.dataSync, (err) =>
        log.fatal(
          { err, code: 'WAL_SYNC_FAILED', file },
          'fsync of the SQLite WAL failed: nothing more is acknowledged as durable; restart the hub',
        ),
      ),
    walFile?.close,
  );
  const watch = {
    get inTransaction() {
      return sqlite.inTransaction;
    },
    isReadonly: (query: string) => statements.isReadonly(query),
  };
  const db = new Kysely<Database>({
    dialect: durableSqliteDialect({ database: statements }, watch, durability),
  });
  sqliteParts.set(db, { connection: sqlite, durability });
  return db;
}

/** What lies under each Kysely that sqliteKysely made: its one connection and its fsync rule. */
const sqliteParts = new WeakMap<
  Kysely<Database>,
  { connection: BetterSqlite3.Database; durability: SqliteDurability }
>();

/** The durability rule of `db`'s connection, if it is a hub database on SQLite. */
export function sqliteDurabilityOf(db: Kysely<Database>): SqliteDurability | undefined {
  return sqliteParts.get(db)?.durability;
}

/**
 * The SQLite connection `db` runs on, if it is a hub database on SQLite (else undefined): for
 * statements prepared once and run synchronously on the alarm lane (alarms/sqlite-statements.ts).
 * Use it only inside a Kysely transaction or connection on `db`: Kysely's SQLite driver has this
 * one connection, and holding it is what keeps anything else from running in between.
 */
export function sqliteConnectionOf(db: Kysely<Database>): BetterSqlite3.Database | undefined {
  return sqliteParts.get(db)?.connection;
}

/**
 * Runs every pending migration. Unordered: a migration merged later with a lower number than one a
 * database already ran still runs (see the naming rule in migrations.ts) instead of the hub
 * refusing to start. On PostgreSQL Kysely holds a lock, so hubs starting together migrate once.
 */
export async function migrateToLatest(
  db: Kysely<Database>,
  log: Logger,
  provider: MigrationProvider = inCodeMigrations,
): Promise<void> {
  const migrator = new Migrator({
    db,
    provider,
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  for (const r of results ?? []) {
    if (r.status === 'Success') log.info({ migration: r.migrationName }, 'database migrated');
    else if (r.status === 'Error')
      log.error({ migration: r.migrationName }, 'database migration failed');
  }
  if (error)
    throw error instanceof Error ? error : new Error('database migration failed', { cause: error });
}

export async function openDatabase(
  target: string | DatabaseTarget,
  log: Logger,
): Promise<OpenedDatabase> {
  const t: DatabaseTarget =
    typeof target === 'string' ? { driver: 'sqlite', file: target } : target;
  const db = t.driver === 'sqlite' ? sqliteKysely(t.file, log) : postgresKysely(t.pool, log);
  try {
    await migrateToLatest(db, log);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  log.info(
    { database: describeTarget(t) },
    t.driver === 'sqlite' ? 'SQL state open (SQLite, WAL)' : 'SQL state open (PostgreSQL)',
  );
  return {
    db,
    engine: t.driver,
    ping: async () => {
      // A hub whose WAL fsync failed acknowledges nothing more (wal-sync.ts): not ready, say why.
      const failed = sqliteDurabilityOf(db)?.wal?.failed;
      if (failed) throw new Error(`WAL fsync failed (${failed.message}): restart the hub`);
      await sql`select 1`.execute(db);
    },
  };
}
