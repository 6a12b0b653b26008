/**
 * Relaxed durability on a real SQLite file: only the relaxed write's own statements run at
 * `synchronous = NORMAL`; FULL is back after it (also when it throws), and a commit asked for
 * meanwhile — an alarm batch — waits for it and runs at FULL.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, sqliteConnectionOf } from './db.js';
import { relaxedDurability } from './relaxed-durability.js';
import type { Database } from './schema.js';

const FULL = 2;
const NORMAL = 1;
let dir: string;
let db: Kysely<Database>;
let synchronous: () => unknown;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-relaxed-'));
  db = (await openDatabase(join(dir, 'hub.db'), pino({ level: 'silent' }))).db;
  const sqlite = sqliteConnectionOf(db);
  if (!sqlite) throw new Error('openDatabase gave no SQLite connection');
  synchronous = () => sqlite.pragma('synchronous', { simple: true });
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const lease = (conn: Kysely<Database>, holder: string) =>
  sql`insert into hub_leases (name, holder, expires_at) values ('test', ${holder}, 0)
      on conflict (name) do update set holder = excluded.holder`.execute(conn);

describe('relaxedDurability (SQLite)', () => {
  it('runs the write at NORMAL, on its connection, and is back at FULL after it', async () => {
    expect(synchronous()).toBe(FULL);
    const relaxed = relaxedDurability(db);
    const during = await relaxed(async (conn) => {
      await lease(conn, 'a');
      return synchronous();
    });
    expect(during).toBe(NORMAL);
    expect(synchronous()).toBe(FULL);
    const row = await sql<{ holder: string }>`select holder from hub_leases`.execute(db);
    expect(row.rows).toEqual([{ holder: 'a' }]);
  });

  it('is back at FULL when the write throws, and the error reaches the caller', async () => {
    const relaxed = relaxedDurability(db);
    await expect(
      relaxed(async (conn) => {
        await lease(conn, 'b');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(synchronous()).toBe(FULL);
  });

  it('makes a transaction asked for meanwhile wait for it, and that one commits at FULL', async () => {
    const relaxed = relaxedDurability(db);
    const order: string[] = [];
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const write = relaxed(async (conn) => {
      order.push('relaxed start');
      await gate;
      await lease(conn, 'c');
      order.push('relaxed end');
    });
    const alarmCommit = db.transaction().execute(async (trx) => {
      order.push('transaction');
      await lease(trx, 'd');
      return synchronous();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(order).toEqual(['relaxed start']);
    release();
    await write;
    expect(await alarmCommit).toBe(FULL);
    expect(order).toEqual(['relaxed start', 'relaxed end', 'transaction']);
  });
});
