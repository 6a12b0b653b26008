/**
 * The WAL checkpoint thread (started by wal-checkpointer.ts): its own connection to the hub's
 * SQLite file, a PASSIVE checkpoint every `intervalMs` until told to stop. It imports nothing of
 * the hub's: the types below are shared with the main thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

export interface CheckpointData {
  file: string;
  intervalMs: number;
}

/** One checkpoint: WAL frames in the log, and how many of them are in the database file now. */
export interface CheckpointReport {
  log: number;
  checkpointed: number;
}

/** PRAGMA wal_checkpoint's one row (sqlite.org/pragma.html#pragma_wal_checkpoint). */
interface CheckpointRow {
  busy: number;
  log: number;
  checkpointed: number;
}

function serve(port: NonNullable<typeof parentPort>, data: CheckpointData): void {
  const db = new Database(data.file);
  const checkpoint = db.prepare<[], CheckpointRow>('PRAGMA wal_checkpoint(PASSIVE)');
  const timer = setInterval(() => {
    const row = checkpoint.get();
    if (row)
      port.postMessage({ log: row.log, checkpointed: row.checkpointed } satisfies CheckpointReport);
  }, data.intervalMs);
  port.on('message', () => {
    clearInterval(timer);
    db.close();
    port.close();
  });
}

function isCheckpointData(data: unknown): data is CheckpointData {
  return (
    typeof data === 'object' &&
    data !== null &&
    'file' in data &&
    typeof data.file === 'string' &&
    'intervalMs' in data &&
    typeof data.intervalMs === 'number'
  );
}

const data: unknown = workerData;
if (parentPort) {
  if (!isCheckpointData(data))
    throw new Error('WAL checkpoint thread: workerData is not CheckpointData');
  serve(parentPort, data);
}
