/**
 * The WAL sync thread on real files: it fdatasyncs what it is asked for, answers a missing file
 * with its errno, serves several databases at once, and ends with the last of them so the
 * process can exit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { threadDataSync } from './wal-sync-thread.js';

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
