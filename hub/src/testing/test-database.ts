/**
 * The SQL engine a hub test runs on. The `postgres` vitest project (vitest.config.ts) runs the
 * store-touching test files again with ANXIN_TEST_DATABASE=postgres against one shared temp
 * cluster (postgres-global.ts); each key (a test's data dir or database file) gets its own
 * database, the same one again when a test restarts its hub on the same dir.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type DatabaseEngine, type OpenedDatabase } from '../store/db.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the shared test cluster (postgres-global.ts). */
    anxinPostgresUrl: string;
  }
}

export function testEngine(): DatabaseEngine {
  return process.env.ANXIN_TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

/**
 * The shared cluster's superuser URL. Only the `postgres` project's globalSetup starts (and
 * always stops) a cluster: a cluster started inside a test worker would outlive it when vitest
 * ends the worker with a signal.
 */
function adminUrl(): string {
  const shared = inject('anxinPostgresUrl') as string | undefined;
  if (!shared)
    throw new Error(
      'ANXIN_TEST_DATABASE=postgres needs the shared test cluster: run with --project postgres',
    );
  return shared;
}

/** The URL of the database for `key`, created on first use. */
export async function postgresDatabaseFor(key: string): Promise<string> {
  const name = `anxin_${createHash('sha256').update(`${process.pid}:${key}`).digest('hex').slice(0, 20)}`;
  const admin = adminUrl();
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return url.href;
}

/** The hub config's `database` section for a test hub whose data lives in `dataDir`. */
export async function testDatabaseConfig(dataDir: string): Promise<Record<string, unknown>> {
  if (testEngine() === 'sqlite') return { driver: 'sqlite' };
  return { driver: 'postgres', postgres: { url: await postgresDatabaseFor(dataDir) } };
}

/** openDatabase(file) on the test engine: the file, or the PostgreSQL database keyed by it. */
export async function openTestDatabase(file: string, log: Logger): Promise<OpenedDatabase> {
  if (testEngine() === 'sqlite') return openDatabase(file, log);
  const url = await postgresDatabaseFor(file);
  return openDatabase({ driver: 'postgres', pool: { connectionString: url }, display: url }, log);
}
