/**
 * The WAL sync thread on real files: it fdatasyncs what it is asked for, answers a missing file
 * with its errno, serves several databases at once, and ends with the last of them so the
 * process can exit. A thread whose replies cannot be read fails its waiters rather than hanging.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { SyncThread, threadDataSync } from './wal-sync-thread.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-wal-thread-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('threadDataSync', () => {
  it('syncs real files for two databases at once; a missing file fails with its errno', async () => {
    writeFileSync(join(dir, 'a.db-wal'), 'frames');
    writeFileSync(join(dir, 'b.db-wal'), 'frames');
    const a = threadDataSync(join(dir, 'a.db-wal'));
    const b = threadDataSync(join(dir, 'b.db-wal'));
    const missing = threadDataSync(join(dir, 'gone.db-wal'));
    await Promise.all([a.dataSync(), b.dataSync(), a.dataSync()]);
    await expect(missing.dataSync()).rejects.toMatchObject({ code: 'ENOENT' });
    await a.close();
    // The thread stays for the other users.
    await b.dataSync();
    await missing.close();
    await b.close();
    // After the last user it is gone; a new user starts a new one.
    const again = threadDataSync(join(dir, 'a.db-wal'));
    await again.dataSync();
    await again.close();
  });
});

describe('SyncThread', () => {
  it('fails every waiter when the thread answers something it cannot read, instead of leaving them waiting', async () => {
    // A thread that answers each request with a reply missing its `ok`: the two ends disagree.
    const broken = new Worker(
      `const { parentPort } = require('node:worker_threads');
       parentPort.on('message', (m) => { if (m.op === 'sync') parentPort.postMessage({ id: m.id }); });`,
      { eval: true },
    );
    const t = new SyncThread(broken);
    const first = t.sync(join(dir, 'a.db-wal'));
    const second = t.sync(join(dir, 'b.db-wal'));
    await expect(first).rejects.toThrow(/unreadable reply/);
    await expect(second).rejects.toThrow(/unreadable reply/);
    // And every later request fails at once, not after a wait.
    await expect(t.sync(join(dir, 'a.db-wal'))).rejects.toThrow(/unreadable reply/);
    await t.stop();
  });
});
