/**
 * The WAL fsync's coalescing and failure rule as pure logic (the fdatasync is a controllable
 * promise); durable-sqlite.test.ts runs the real one under the hub's connection.
 */
import { describe, expect, it } from 'vitest';
import { WalSync } from './wal-sync.js';

/** A dataSync whose calls stay pending until the test settles them, in order. */
function controlledDisk() {
  const calls: { resolve: () => void; reject: (err: Error) => void }[] = [];
  const dataSync = () =>
    new Promise<void>((resolve, reject) => {
      calls.push({ resolve, reject });
    });
  return { calls, dataSync };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('WalSync', () => {
  it('starts an fdatasync at once when none runs, and answers when it ends', async () => {
    const disk = controlledDisk();
    const wal = new WalSync(disk.dataSync, () => undefined);
    let done = false;
    const p = wal.sync().then(() => (done = true));
    expect(disk.calls).toHaveLength(1);
    await flush();
    expect(done).toBe(false);
    disk.calls[0]?.resolve();
    await p;
    expect(done).toBe(true);
  });

  it('answers everyone who asked while one ran with ONE more, begun after it', async () => {
    const disk = controlledDisk();
    const wal = new WalSync(disk.dataSync, () => undefined);
    const order: string[] = [];
    const first = wal.sync().then(() => order.push('first'));
    // These may have written after the running fdatasync began: it does not cover them.
    const later = [1, 2, 3].map((n) => wal.sync().then(() => order.push(`later ${n}`)));
    await flush();
    expect(disk.calls).toHaveLength(1);
    disk.calls[0]?.resolve();
    await first;
    await flush();
    expect(order).toEqual(['first']);
    expect(disk.calls).toHaveLength(2);
    disk.calls[1]?.resolve();
    await Promise.all(later);
    expect(order).toEqual(['first', 'later 1', 'later 2', 'later 3']);
    expect(wal.syncs).toBe(2);
    // Idle again: the next caller starts its own at once.
    void wal.sync();
    expect(disk.calls).toHaveLength(3);
    disk.calls[2]?.resolve();
    await wal.idle();
  });

  it('fails every caller from the first failed fdatasync on, reports it once, and starts no more', async () => {
    const disk = controlledDisk();
    const reported: Error[] = [];
    const wal = new WalSync(disk.dataSync, (err) => reported.push(err));
    const first = wal.sync();
    const waiting = wal.sync();
    disk.calls[0]?.reject(new Error('EIO: i/o error, fdatasync'));
    await expect(first).rejects.toThrow('EIO');
    // The one queued behind it must not be answered by a later fdatasync that "succeeds".
    await expect(waiting).rejects.toThrow('EIO');
    await expect(wal.sync()).rejects.toThrow('EIO');
    expect(disk.calls).toHaveLength(1);
    expect(reported.map((e) => e.message)).toEqual(['EIO: i/o error, fdatasync']);
    expect(wal.failed?.message).toContain('EIO');
    await wal.idle();
  });
});
