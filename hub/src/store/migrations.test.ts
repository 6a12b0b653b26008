/**
 * The migrations on both engines (SQLite file, real PostgreSQL): every table is created, ids are
 * generated, bigint comes back as a number, and a migration added later with a lower number than
 * one already run still runs (the hub no longer refuses to start over migration order).
 */
import { sql, type Kysely, type Migration } from 'kysely';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { describeEngines } from '../testing/engines.js';
import { migrateToLatest, parseInt8 } from './db.js';
import { MIGRATIONS } from './migrations.js';
import type { Database } from './schema.js';

const log = pino({ level: 'silent' });

async function tableNames(db: Kysely<Database>): Promise<string[]> {
  return (await db.introspection.getTables()).map((t) => t.name).sort();
}

describe('migration names', () => {
  it('follow NNNN_topic with unique numbers (the naming rule in migrations.ts)', () => {
    const names = Object.keys(MIGRATIONS);
    for (const n of names) expect(n).toMatch(/^\d{4}_[a-z0-9_]+$/i);
    const numbers = names.map((n) => n.slice(0, 4));
    expect(new Set(numbers).size).toBe(numbers.length);
  });

  it('parseInt8 gives numbers within the safe range and keeps larger values exact', () => {
    expect(parseInt8('1764806400000')).toBe(1764806400000);
    expect(parseInt8('-5')).toBe(-5);
    expect(parseInt8('9007199254740993')).toBe('9007199254740993');
  });
});

describeEngines('migrations', (engine) => {
  it('create every table; identity ids count up; bigint and count(*) are numbers', async () => {
    const { db } = await engine.open();
    try {
      const tables = await tableNames(db);
      for (const t of ['alarms', 'audit_log', 'gateways', 'homes', 'notification_outbox', 'users'])
        expect(tables).toContain(t);
      const at = 1_764_806_400_123;
      const ids: number[] = [];
      for (const action of ['a', 'b']) {
        const row = await db
          .insertInto('audit_log')
          .values({
            at,
            action,
            target_type: 'test',
            user_id: null,
            username: null,
            target_id: null,
            detail_json: null,
          })
          .returning(['id', 'at'])
          .executeTakeFirstOrThrow();
        expect(typeof row.at).toBe('number');
        expect(row.at).toBe(at);
        ids.push(Number(row.id));
      }
      expect(ids[1]).toBeGreaterThan(ids[0] ?? Infinity);
      const n = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      expect(n.n).toBe(2);
    } finally {
      await db.destroy();
    }
  });

  it('run a migration added later with a lower number than one already run', async () => {
    const { db } = await engine.open(); // ran every migration
    try {
      const late: Migration = {
        async up(d: Kysely<unknown>) {
          await d.schema
            .createTable('late_arrival')
            .addColumn('k', 'text', (c) => c.primaryKey())
            .execute();
        },
      };
      const provider = {
        getMigrations: () => Promise.resolve({ ...MIGRATIONS, '0003_late_arrival': late }),
      };
      await migrateToLatest(db, log, provider);
      expect(await tableNames(db)).toContain('late_arrival');
      const ran = await sql<{
        name: string;
      }>`select name from kysely_migration order by name`.execute(db);
      expect(ran.rows.map((r) => r.name)).toContain('0003_late_arrival');
      // Run again: nothing pending, no error.
      await migrateToLatest(db, log, provider);
    } finally {
      await db.destroy();
    }
  });

  it('refuse to start when a migration the database ran is missing from the code', async () => {
    const { db } = await engine.open();
    try {
      const { ['0900_engine']: _dropped, ...rest } = MIGRATIONS;
      expect(_dropped).toBeDefined();
      await expect(
        migrateToLatest(db, log, { getMigrations: () => Promise.resolve(rest) }),
      ).rejects.toThrow(/0900_engine/);
    } finally {
      await db.destroy();
    }
  });
});
