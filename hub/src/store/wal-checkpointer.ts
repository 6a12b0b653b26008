/**
 * WAL checkpoints of the hub's SQLite state, on a thread of their own.
 *
 * SQLite checkpoints by default in whichever commit takes the WAL past 1,000 pages: that commit
 * also copies the WAL's pages into the database file and syncs it. On the hub that commit runs
 * on the event loop, and it may be an alarm's. Measured under `bench latency` at 1,000 msg/s
 * (strace of the hub's main thread): about one checkpoint every 10 s, each a WAL fsync, 100+
 * page writes and a database fsync (~11 ms under strace). Every alarm that arrived meanwhile
 * waited for it.
 *
 * Here the hub's connection never checkpoints (`wal_autocheckpoint = 0`). A worker thread with its
 * own connection (wal-checkpoint-worker.ts) runs PASSIVE checkpoints every `intervalMs`: it
 * copies what is committed without taking a lock a writer or reader waits on
 * (sqlite.org/wal.html, "Checkpointing"; sqlite.org/c3ref/wal_checkpoint_v2.html). The WAL
 * restarts from its start at the next write once it has all been copied, and
 * `journal_size_limit` truncates it then. If the thread fails,
 * the hub's connection checkpoints by itself again, as SQLite does by default.
 */
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { hubWorkerFile } from '../worker-file.js';
import { sqliteConnectionOf } from './db.js';
import type { CheckpointData } from './wal-checkpoint-worker.js';
import type { Database } from './schema.js';
import type { DatabaseTarget } from './target.js';

/** Between checkpoints: at ~300 WAL pages a second (bench latency, 1,000 msg/s) ~1.2 MB each. */
export const CHECKPOINT_INTERVAL_MS = 1000;

/** The WAL file is cut back to this after a restart (it grows while checkpoints fall behind). */
const WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

/** SQLite's own default (sqlite.org/pragma.html#pragma_wal_autocheckpoint), restored on failure. */
const SQLITE_AUTOCHECKPOINT_PAGES = 1000;

export interface WalCheckpointer {
  /** Checkpoints the thread has run so far (tests, diagnostics). */
  readonly checkpoints: number;
  /** Stops the thread (the hub's connection, closing next, checkpoints what is left). */
  stop(): Promise<void>;
}

/**
 * The hub's checkpointer for `db`: the thread on a SQLite file, nothing to do on PostgreSQL or
 * an in-memory database.
 */
export function checkpointsOffTheLoop(
  db: Kysely<Database>,
  target: DatabaseTarget,
  log: Logger,
): Pick<WalCheckpointer, 'stop'> {
  const connection = sqliteConnectionOf(db);
  if (!connection || target.driver !== 'sqlite' || target.file === ':memory:')
    return { stop: () => Promise.resolve() };
  return startWalCheckpointer(target.file, connection, log);
}

export function startWalCheckpointer(
  file: string,
  connection: BetterSqlite3.Database,
  log: Logger,
  intervalMs = CHECKPOINT_INTERVAL_MS,
): WalCheckpointer {
  connection.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
  connection.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(hubWorkerFile('store/wal-checkpoint-worker.js'), {
    workerData: { file, intervalMs } satisfies CheckpointData,
  });
  let checkpoints = 0;
  let stopping = false;
  worker.on('message', () => (checkpoints += 1));
  worker.on('error', (err) => {
    log.error(
      { code: 'WAL_CHECKPOINTER_FAILED', err },
      'WAL checkpoint thread failed: the hub checkpoints on its own connection again',
    );
  });
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (!stopping && connection.open)
        connection.pragma(`wal_autocheckpoint = ${SQLITE_AUTOCHECKPOINT_PAGES}`);
      resolve();
    }),
  );
  worker.unref();
  return {
    get checkpoints() {
      return checkpoints;
    },
    async stop() {
      stopping = true;
      // Unreferenced, the thread would not keep a closing process alive until it has gone, and a
      // process whose last work is awaiting it would end with that await unsettled (exit code 13).
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
