/**
 * database.* config: the PostgreSQL settings are checked and a wrong one is named by its key; a
 * hub pointed at a PostgreSQL that is not there fails to start with the connection error.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@anxin/protocol';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { hubConfig } from '../config.js';
import { buildHub } from '../hub.js';
import { parseDatabaseArgument, resolveDatabaseTarget, type DatabaseTarget } from './target.js';

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

const target = (database: Record<string, unknown>): DatabaseTarget =>
  resolveDatabaseTarget(hubConfig({ dataDir: '/srv/anxin', database }));

describe('database config', () => {
  it('defaults to SQLite in the data dir, as before', () => {
    expect(target({})).toEqual({ driver: 'sqlite', file: '/srv/anxin/anxin.db' });
    expect(target({ file: '/var/x.db' })).toEqual({ driver: 'sqlite', file: '/var/x.db' });
  });

  it('names the key that is wrong', () => {
    expect(problems(() => hubConfig({ database: { driver: 'oracle' } })).join()).toMatch(
      /^database\.driver:/,
    );
    expect(
      problems(() => hubConfig({ database: { postgres: { url: 'mysql://h/db' } } })).join(),
    ).toMatch(/^database\.postgres\.url:/);
    expect(problems(() => hubConfig({ database: { postgres: { port: 70000 } } })).join()).toMatch(
      /^database\.postgres\.port:/,
    );
    expect(problems(() => hubConfig({ database: { postgres: { colour: 1 } } })).join()).toMatch(
      /database\.postgres\.colour/,
    );
    expect(problems(() => target({ driver: 'postgres' }))).toEqual([
      'database.postgres.url: required when database.driver is postgres (or set database.postgres.host)',
    ]);
    expect(
      problems(() =>
        target({ driver: 'postgres', postgres: { url: 'postgres://db.example:5432' } }),
      ),
    ).toEqual(['database.postgres.url: names no database (postgres://user@host:5432/DATABASE)']);
    expect(
      problems(() =>
        target({ driver: 'postgres', file: 'x.db', postgres: { url: 'postgres://h/anxin' } }),
      )[0],
    ).toMatch(/^database\.file:/);
  });

  it('builds the pool from a URL or from host settings, and never shows the password', () => {
    const fromUrl = target({
      driver: 'postgres',
      postgres: { url: 'postgres://anxin:s3cret@db.example:5433/city', poolSize: 4 },
    });
    expect(fromUrl).toMatchObject({
      driver: 'postgres',
      pool: { connectionString: 'postgres://anxin:s3cret@db.example:5433/city', max: 4 },
      display: 'postgres://anxin:***@db.example:5433/city',
    });
    const fromHost = target({
      driver: 'postgres',
      postgres: { host: 'db.example', database: 'city', user: 'hub', password: 'pw', ssl: true },
    });
    expect(fromHost).toMatchObject({
      pool: {
        host: 'db.example',
        port: 5432,
        database: 'city',
        user: 'hub',
        password: 'pw',
        ssl: { rejectUnauthorized: true },
      },
      display: 'postgres://hub@db.example:5432/city',
    });
  });

  it('reads a copy argument as a postgres URL or a SQLite file', () => {
    expect(parseDatabaseArgument('data/hub/anxin.db', '--from')).toEqual({
      driver: 'sqlite',
      file: 'data/hub/anxin.db',
    });
    expect(parseDatabaseArgument('postgres://u@h/anxin', '--to')).toMatchObject({
      driver: 'postgres',
    });
    expect(problems(() => parseDatabaseArgument('mysql://h/db', '--to')).join()).toMatch(/--to/);
  });

  it('a hub whose PostgreSQL is not there fails to start with the connection error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-pg-down-'));
    try {
      const config = hubConfig({
        dataDir: dir,
        http: { port: 0 },
        mqtt: { port: 0 },
        // Port 1 on loopback: nothing listens there.
        database: { driver: 'postgres', postgres: { url: 'postgres://anxin@127.0.0.1:1/anxin' } },
      });
      await expect(buildHub(config, { logger: pino({ level: 'silent' }) })).rejects.toThrow(
        /ECONNREFUSED/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
