/**
 * The hub's SQLite durability rule on a real file (durable-sqlite.ts, relaxed-durability.ts):
 * the connection commits at `synchronous = NORMAL`; a write resolves only after the WAL fsync it
 * asked for; a transaction asks once; reads ask nothing; a relaxed write asks nothing; a deferred
 * write returns before its fsync with a promise of it. The fsync is held back by a gate where a
 * test needs to see who waits for it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, sqliteConnectionOf, sqliteDurabilityOf, type OpenedDatabase } from './db.js';
import { deferredDurability, relaxedDurability } from './relaxed-durability.js';
import type { Database } from './schema.js';
import type { WalSync } from './wal-sync.js';

const NORMAL = 1;
let dir: string;
let opened: OpenedDatabase;
let db: Kysely<Database>;
let wal: WalSync;
/** Every fsync asked for, in order. */
let asked: number;
/** WalSync.sync itself, under the spies. */
let realSync: () => Promise<void>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-durable-'));
  opened = await openDatabase(join(dir, 'hub.db'), pino({ level: 'silent' }));
  db = opened.db;
  const found = sqliteDurabilityOf(db)?.wal;
  if (!found) throw new Error('openDatabase gave no WAL fsync');
  wal = found;
  asked = 0;
  realSync = wal.sync.bind(wal);
  vi.spyOn(wal, 'sync').mockImplementation(() => {
    asked += 1;
    return realSync();
  });
});

afterEach(async () => {
  vi.restoreAllMocks();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

/** Holds every fsync asked for from now on until `open()`. */
function gateTheDisk(): { open: () => void } {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  vi.spyOn(wal, 'sync').mockImplementation(() => gate.then(() => realSync()));
  return { open };
}

const lease = (conn: Kysely<Database>, holder: string) =>
  sql`insert into hub_leases (name, holder, expires_at) values ('test', ${holder}, 0)
      on conflict (name) do update set holder = excluded.holder`.execute(conn);
const holder = async () =>
  (await sql<{ holder: string }>`select holder from hub_leases`.execute(db)).rows[0]?.holder;
const settle = () => new Promise((resolve) => setTimeout(resolve, 30));

describe('the hub connection (SQLite)', () => {
  it('commits at NORMAL; each commit asks for one fsync, a transaction once, a read none', async () => {
    expect(sqliteConnectionOf(db)?.pragma('synchronous', { simple: true })).toBe(NORMAL);
    const syncsBefore = wal.syncs;
    await lease(db, 'a');
    expect(asked).toBe(1);
    await db.transaction().execute(async (trx) => {
      await lease(trx, 'b');
      await lease(trx, 'c');
    });
    expect(asked).toBe(2);
    expect(await holder()).toBe('c');
    expect(asked).toBe(2);
    expect(wal.syncs - syncsBefore).toBe(2);
  });

  it('a write resolves only once its fsync has; the connection serves others meanwhile', async () => {
    const disk = gateTheDisk();
    let resolved = false;
    const write = lease(db, 'a').then(() => (resolved = true));
    await settle();
    expect(resolved).toBe(false);
    // SQLite needs the connection for the write, not for the fsync.
    expect(await holder()).toBe('a');
    const second = db.transaction().execute((trx) => lease(trx, 'b'));
    await settle();
    const raw = sqliteConnectionOf(db)?.prepare('select holder from hub_leases').get();
    expect(raw).toEqual({ holder: 'b' });
    expect(resolved).toBe(false);
    disk.open();
    await Promise.all([write, second]);
    expect(resolved).toBe(true);
  });

  it('a write whose fsync fails rejects with the disk error', async () => {
    vi.spyOn(wal, 'sync').mockRejectedValue(new Error('EIO: i/o error, fdatasync'));
    await expect(lease(db, 'a')).rejects.toThrow('EIO');
  });

  it('the health check fails, saying why, once the WAL fsync has failed', async () => {
    await expect(opened.ping()).resolves.toBeUndefined();
    vi.spyOn(wal, 'failed', 'get').mockReturnValue(new Error('EIO: i/o error, fdatasync'));
    await expect(opened.ping()).rejects.toThrow('WAL fsync failed (EIO: i/o error, fdatasync)');
  });
});

describe('relaxedDurability (SQLite)', () => {
  it('commits on its connection without asking for an fsync; the next write asks again', async () => {
    const relaxed = relaxedDurability(db);
    const got = await relaxed(async (conn) => {
      await lease(conn, 'a');
      return 'done';
    });
    expect(got).toBe('done');
    expect(asked).toBe(0);
    expect(await holder()).toBe('a');
    await lease(db, 'b');
    expect(asked).toBe(1);
  });

  it('gives the error to the caller, and the rule is back after it', async () => {
    const relaxed = relaxedDurability(db);
    await expect(
      relaxed(async (conn) => {
        await lease(conn, 'b');
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    await lease(db, 'c');
    expect(asked).toBe(1);
  });

  it('makes a transaction asked for meanwhile wait for it; that one asks for its fsync', async () => {
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
    });
    await settle();
    expect(order).toEqual(['relaxed start']);
    release();
    await write;
    await alarmCommit;
    expect(order).toEqual(['relaxed start', 'relaxed end', 'transaction']);
    expect(asked).toBe(1);
  });
});

describe('deferredDurability (SQLite)', () => {
  it('returns once committed, before the fsync; `durable` resolves after it', async () => {
    const disk = gateTheDisk();
    const deferred = deferredDurability(db);
    const { result, durable } = await deferred((conn) =>
      conn.transaction().execute(async (trx) => {
        await lease(trx, 'e');
        return 'committed';
      }),
    );
    expect(result).toBe('committed');
    expect(await holder()).toBe('e');
    let onDisk = false;
    const waited = durable.then(() => (onDisk = true));
    await settle();
    expect(onDisk).toBe(false);
    disk.open();
    await waited;
    expect(onDisk).toBe(true);
  });

  it('lets the connection go before the fsync: the next write commits meanwhile', async () => {
    const disk = gateTheDisk();
    const deferred = deferredDurability(db);
    const { durable } = await deferred((conn) => lease(conn, 'f'));
    const next = lease(db, 'g');
    await settle();
    // Read past Kysely: `next` holds the connection until its own (gated) fsync.
    const raw = sqliteConnectionOf(db)?.prepare('select holder from hub_leases').get();
    expect(raw).toEqual({ holder: 'g' });
    disk.open();
    await Promise.all([durable, next]);
  });

  it('rejects `durable` when the fsync fails', async () => {
    vi.spyOn(wal, 'sync').mockRejectedValue(new Error('EIO: i/o error, fdatasync'));
    const deferred = deferredDurability(db);
    const { durable } = await deferred((conn) => lease(conn, 'h'));
    await expect(durable).rejects.toThrow('EIO');
  });
});
