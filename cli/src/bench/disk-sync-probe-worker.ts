/**
 * The disk probe's thread (started by disk-sync-probe.ts): a 4 KiB write into a file that cycles
 * through 1 MiB, then an fsync timed around the system call alone, every `everyMs`, until the
 * shared stop flag is set; then it posts the durations (ms).
 */
import { closeSync, fsyncSync, openSync, writeSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

export interface DiskSyncProbeData {
  file: string;
  /** One Int32: 0 while probing, set to 1 (and notified) to stop. */
  stop: SharedArrayBuffer;
  everyMs: number;
}

const BLOCK_BYTES = 4096;
/** 256 blocks: 1 MiB, like a WAL that restarts. */
const BLOCKS = 256;

function probe(port: NonNullable<typeof parentPort>, data: DiskSyncProbeData): void {
  const fd = openSync(data.file, 'w');
  const block = Buffer.alloc(BLOCK_BYTES, 0x5a);
  const stop = new Int32Array(data.stop);
  const durations: number[] = [];
  for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
    writeSync(fd, block, 0, BLOCK_BYTES, (i % BLOCKS) * BLOCK_BYTES);
    const started = performance.now();
    fsyncSync(fd);
    durations.push(performance.now() - started);
    Atomics.wait(stop, 0, 0, data.everyMs);
  }
  closeSync(fd);
  port.postMessage(durations);
}

function isProbeData(data: unknown): data is DiskSyncProbeData {
  return (
    typeof data === 'object' &&
    data !== null &&
    'file' in data &&
    typeof data.file === 'string' &&
    'stop' in data &&
    data.stop instanceof SharedArrayBuffer &&
    'everyMs' in data &&
    typeof data.everyMs === 'number'
  );
}

const data: unknown = workerData;
if (parentPort) {
  if (!isProbeData(data)) throw new Error('disk probe thread: workerData is not DiskSyncProbeData');
  probe(parentPort, data);
}
