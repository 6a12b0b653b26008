/**
 * Where the hub's WAL fsyncs run: one thread of their own per process (wal-sync-worker.ts),
 * shared by every SQLite database the process has open, started with the first and ended with
 * the last.
 *
 * Not libuv's thread pool (fs.promises' fdatasync), though that costs the same: the pool has
 * four threads shared with scrypt, and the hub runs scrypt for every operator login (~150 ms at
 * N = 2^15) and for a gateway still on a legacy secret (~19 ms each, thousands in a reconnect
 * storm). Behind those, an alarm's ack and every operator's write would wait for a free thread.
 */
import { Worker } from 'node:worker_threads';
import { hubWorkerFile } from '../worker-file.js';
import type { DataSync } from './wal-sync.js';
import type { WalSyncReply, WalSyncRequest } from './wal-sync-worker.js';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

export class SyncThread {
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  /** Set once the thread is gone: every later request fails at once. */
  private gone: Error | undefined;
  users = 0;

  /** `worker` runs wal-sync-worker.ts; a test may hand in another to play a broken thread. */
  constructor(private readonly worker = new Worker(hubWorkerFile('store/wal-sync-worker.js'))) {
    // Idle, the thread must not keep the process alive; a sync under way must (ref in request).
    this.worker.unref();
    this.worker.on('message', (message: unknown) => {
      // Only our own worker posts here, so a reply we cannot read means the two ends disagree:
      // no waiter can be told apart, and dropping it would leave its write waiting forever.
      if (!isWalSyncReply(message)) {
        this.failAll(new Error('WAL sync thread sent an unreadable reply'));
        void this.worker.terminate();
        return;
      }
      const reply = message;
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) this.worker.unref();
      if (!waiter) return;
      if (reply.ok) waiter.resolve();
      else waiter.reject(Object.assign(new Error(reply.message), { code: reply.code }));
    });
    this.worker.on('error', (err) => this.failAll(err));
    this.worker.on('exit', (code) => this.failAll(new Error(`WAL sync thread exited (${code})`)));
  }

  sync(file: string): Promise<void> {
    if (this.gone) return Promise.reject(this.gone);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage({ op: 'sync', id, file } satisfies WalSyncRequest);
    });
  }

  release(file: string): void {
    this.worker.postMessage({ op: 'close', file } satisfies WalSyncRequest);
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }

  private failAll(err: Error): void {
    this.gone ??= err;
    const waiters = [...this.waiting.values()];
    this.waiting.clear();
    for (const w of waiters) w.reject(err);
    if (thread === this) thread = undefined;
  }
}

/** What the sync thread posts (wal-sync-worker.ts); anything else is ignored. */
function isWalSyncReply(message: unknown): message is WalSyncReply {
  if (typeof message !== 'object' || message === null) return false;
  if (!('id' in message) || typeof message.id !== 'number' || !('ok' in message)) return false;
  if (message.ok === true) return true;
  return (
    message.ok === false &&
    'code' in message &&
    typeof message.code === 'string' &&
    'message' in message &&
    typeof message.message === 'string'
  );
}

let thread: SyncThread | undefined;

/** fdatasync of `file` on the process's WAL sync thread; `close()` lets the file go. */
export function threadDataSync(file: string): { dataSync: DataSync; close: () => Promise<void> } {
  const t = (thread ??= new SyncThread());
  t.users += 1;
  let closed = false;
  return {
    dataSync: () => t.sync(file),
    close: async () => {
      if (closed) return;
      closed = true;
      t.release(file);
      t.users -= 1;
      if (t.users > 0) return;
      if (thread === t) thread = undefined;
      await t.stop();
    },
  };
}
