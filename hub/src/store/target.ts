/**
 * Where the SQL state lives: a SQLite file (the embedded default) or a PostgreSQL server. The
 * config keys (database.postgres.*) and their check, named by key, live here so config.ts stays a
 * plain schema and `anxin db copy` can build the same target from a URL.
 */
import { join } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '@anxin/protocol';
import type { PoolConfig } from 'pg';

export const PostgresConfigSchema = Type.Object(
  {
    /**
     * postgres://user:password@host:5432/database?sslmode=require. Empty = the host settings
     * below. A password left out of the URL is taken from `password`.
     */
    url: Type.String({ default: '', pattern: '^$|^postgres(ql)?://' }),
    host: Type.String({ default: '' }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 5432 }),
    database: Type.String({ minLength: 1, default: 'anxin' }),
    user: Type.String({ minLength: 1, default: 'anxin' }),
    /** Better given as ANXIN__HUB__DATABASE__POSTGRES__PASSWORD than written in a file. */
    password: Type.String({ default: '' }),
    /** TLS to the server, verifying its certificate against the system CAs. */
    ssl: Type.Boolean({ default: false }),
    /** Connections this hub keeps open (each hub of several has its own pool). */
    poolSize: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
    connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000 }),
  },
  { default: {}, additionalProperties: false },
);
export type PostgresConfig = Static<typeof PostgresConfigSchema>;

export type DatabaseTarget =
  | { driver: 'sqlite'; file: string }
  | { driver: 'postgres'; pool: PoolConfig; /** For logs: no password. */ display: string };

interface DatabaseSection {
  driver: 'sqlite' | 'postgres';
  file: string;
  postgres: PostgresConfig;
}

/** The hub's database target from its (schema-validated) config; names the key that is wrong. */
export function resolveDatabaseTarget(
  config: { dataDir: string; database: DatabaseSection },
  source = 'hub config',
): DatabaseTarget {
  const d = config.database;
  if (d.driver === 'sqlite')
    return { driver: 'sqlite', file: d.file || join(config.dataDir, 'anxin.db') };
  const pg = d.postgres;
  if (!pg.url && !pg.host)
    throw new ConfigError(source, [
      'database.postgres.url: required when database.driver is postgres (or set database.postgres.host)',
    ]);
  if (d.file)
    throw new ConfigError(source, [
      'database.file: only for database.driver sqlite; PostgreSQL is set with database.postgres.*',
    ]);
  const common: PoolConfig = {
    max: pg.poolSize,
    connectionTimeoutMillis: pg.connectTimeoutMs,
    ...(pg.ssl ? { ssl: { rejectUnauthorized: true } } : {}),
    ...(pg.password ? { password: pg.password } : {}),
  };
  if (pg.url) {
    let parsed: URL;
    try {
      parsed = new URL(pg.url);
    } catch {
      throw new ConfigError(source, ['database.postgres.url: not a valid URL']);
    }
    if (!parsed.pathname || parsed.pathname === '/')
      throw new ConfigError(source, [
        'database.postgres.url: names no database (postgres://user@host:5432/DATABASE)',
      ]);
    return {
      driver: 'postgres',
      pool: { connectionString: pg.url, ...common },
      display: redact(parsed),
    };
  }
  return {
    driver: 'postgres',
    pool: { host: pg.host, port: pg.port, database: pg.database, user: pg.user, ...common },
    display: `postgres://${pg.user}@${pg.host}:${pg.port}/${pg.database}`,
  };
}

/**
 * A target from a command-line argument: a postgres:// URL, else a SQLite file path
 * (`anxin db copy --from data/hub/anxin.db --to postgres://…`).
 */
export function parseDatabaseArgument(arg: string, what: string): DatabaseTarget {
  if (/^postgres(ql)?:\/\//.test(arg)) {
    return resolveDatabaseTarget(
      {
        dataDir: '.',
        database: {
          driver: 'postgres',
          file: '',
          postgres: {
            url: arg,
            host: '',
            port: 5432,
            database: 'anxin',
            user: 'anxin',
            password: process.env.PGPASSWORD ?? '',
            ssl: false,
            poolSize: 2,
            connectTimeoutMs: 10_000,
          },
        },
      },
      what,
    );
  }
  if (arg.includes('://'))
    throw new ConfigError(what, [`${what}: only postgres:// URLs or a SQLite file path`]);
  return { driver: 'sqlite', file: arg };
}

function redact(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href;
}

/** How a target is named in logs and messages (never with its password). */
export function describeTarget(t: DatabaseTarget): string {
  return t.driver === 'sqlite' ? t.file : t.display;
}
