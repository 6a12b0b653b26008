/**
 * The hub's SQLite state is checkpointed by a thread of its own (wal-checkpointer.ts): the hub's
 * connection never copies WAL pages into the database file on the event loop, the thread does,
 * and when the thread is gone the connection checkpoints by itself again.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWalCheckpointer, type WalCheckpointer } from './wal-checkpointer.js';

let dir: string;
let connection: Database.Database;
let checkpointer: WalCheckpointer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-wal-checkpointer-'));
  connection = new Database(join(dir, 'hub.db'));
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
});

afterEach(async () => {
  await checkpointer?.stop();
  checkpointer = undefined;
  connection.close();
  rmSync(dir, { recursive: true, force: true });
});

/** ~2,000 pages of rows, committed in many small transactions like the hub's. */
function writeRows(): void {
  const insert = connection.prepare('INSERT INTO t (body) VALUES (?)');
  const body = 'x'.repeat(3000);
  for (let i = 0; i < 2000; i += 1) insert.run(body);
}

const databaseBytes = () => statSync(join(dir, 'hub.db')).size;

async function until(cond: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  expect(cond(), what).toBe(true);
}

const silent = pino({ level: 'silent' });

describe('WAL checkpointer', () => {
  it("takes checkpoints out of the hub's commits", () => {
    const before = databaseBytes();
    checkpointer = startWalCheckpointer(join(dir, 'hub.db'), connection, silent, 60_000);
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    writeRows();
    // 2,000 pages committed, twice SQLite's own threshold: all still in the WAL.
    expect(databaseBytes()).toBe(before);
  });

  it('copies the WAL into the database file from its own thread', async () => {
    const before = databaseBytes();
    checkpointer = startWalCheckpointer(join(dir, 'hub.db'), connection, silent, 50);
    writeRows();
    // The file grows as the thread copies; its report of the checkpoint follows.
    await until(() => databaseBytes() > before + 2000 * 3000, 'the database file holds the rows');
    await until(() => (checkpointer?.checkpoints ?? 0) > 0, 'the thread reported a checkpoint');
  });

  it('hands checkpoints back to the connection when its thread fails', async () => {
    // The thread cannot open this file: it fails at once.
    const missing = join(dir, 'no-such-dir', 'hub.db');
    checkpointer = startWalCheckpointer(missing, connection, silent, 50);
    await until(
      () => connection.pragma('wal_autocheckpoint', { simple: true }) === 1000,
      "SQLite's own checkpoints are back",
    );
  });

  it('leaves them off when the hub stops it (its close checkpoints)', async () => {
    checkpointer = startWalCheckpointer(join(dir, 'hub.db'), connection, silent, 60_000);
    await checkpointer.stop();
    expect(connection.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });
});
