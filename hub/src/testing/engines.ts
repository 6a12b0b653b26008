/**
 * Runs a store test file on both SQL engines: `describeEngines('alarm store', (engine) => …)`
 * declares the suite once for SQLite and once for a real PostgreSQL (one temp cluster per test
 * file, a fresh database per open()). `engine.open()` gives a migrated database,
 * `engine.hubConfig()` the `database` section for startHub().
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe } from 'vitest';
import { openDatabase, type DatabaseEngine, type OpenedDatabase } from '../store/db.js';
import { LocalPostgres } from '../local-engines/postgres.js';

export interface EngineFixture {
  readonly name: DatabaseEngine;
  /** A fresh, migrated database (destroy its `db` when done). */
  open(): Promise<OpenedDatabase>;
  /** A fresh database as a hub's `database` config section. */
  hubConfig(): Promise<Record<string, unknown>>;
  /** The cluster (postgres only), e.g. to stop it under a running hub. */
  readonly postgres: LocalPostgres | undefined;
}

export const ENGINES: readonly DatabaseEngine[] = ['sqlite', 'postgres'];

const silent = pino({ level: 'silent' });

class SqliteFixture implements EngineFixture {
  readonly name = 'sqlite' as const;
  readonly postgres = undefined;
  private readonly dirs: string[] = [];

  private file(): string {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-sqlite-'));
    this.dirs.push(dir);
    return join(dir, 'hub.db');
  }

  open(): Promise<OpenedDatabase> {
    return openDatabase(this.file(), silent);
  }

  hubConfig(): Promise<Record<string, unknown>> {
    return Promise.resolve({ driver: 'sqlite', file: this.file() });
  }

  cleanup(): void {
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

class PostgresFixture implements EngineFixture {
  readonly name = 'postgres' as const;
  postgres: LocalPostgres | undefined;

  private cluster(): LocalPostgres {
    if (!this.postgres) throw new Error('PostgreSQL test cluster not started (beforeAll)');
    return this.postgres;
  }

  async open(): Promise<OpenedDatabase> {
    const url = await this.cluster().createDatabase();
    return openDatabase(
      { driver: 'postgres', pool: { connectionString: url }, display: url },
      silent,
    );
  }

  async hubConfig(): Promise<Record<string, unknown>> {
    return { driver: 'postgres', postgres: { url: await this.cluster().createDatabase() } };
  }
}

/** Declares `body` once per engine, inside `describe('<name> [<engine>]')`. */
export function describeEngines(name: string, body: (engine: EngineFixture) => void): void {
  for (const engineName of ENGINES) {
    describe(`${name} [${engineName}]`, () => {
      if (engineName === 'sqlite') {
        const fixture = new SqliteFixture();
        afterAll(() => fixture.cleanup());
        body(fixture);
      } else {
        const fixture = new PostgresFixture();
        beforeAll(async () => {
          fixture.postgres = await LocalPostgres.create();
        }, 60_000);
        afterAll(async () => {
          await fixture.postgres?.destroy();
        }, 30_000);
        body(fixture);
      }
    });
  }
}
