/**
 * How long an fsync takes on the bench's own disk while the load runs: the floor under the alarm's
 * durable writes. The no-loss contract makes an alarm durable twice — the gateway's outbox commit
 * (reading → outbox durable, which a connected gateway overlaps with sending the alarm) and the
 * hub's alarm transaction (SQL start → SQL commit, on the path to the console) — and on a shared
 * virtual disk their cost moves with everything else writing to it (here: the load's outboxes and
 * the hub's telemetry store). Printed beside the breakdown so a reader can tell the
 * disk's share of a median from the hub's.
 *
 * Like SQLite's WAL: 4 KiB written into a file that cycles through 1 MiB, then fsync (SQLite calls
 * fsync, not fdatasync, on Linux). On a thread of its own, timed around the system call alone, so
 * neither this process's event loop nor the thread pool's queue is in the figure.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { percentiles, type Percentiles } from './stats.js';

/** The probing thread (CommonJS, evaluated): fsyncs until told to stop, then posts durations. */
const PROBE_THREAD = `
const { openSync, writeSync, fsyncSync, closeSync } = require('node:fs');
const { parentPort, workerData } = require('node:worker_threads');
const fd = openSync(workerData.file, 'w');
const block = Buffer.alloc(4096, 0x5a);
const stop = new Int32Array(workerData.stop);
const durations = [];
for (let i = 0; Atomics.load(stop, 0) === 0; i++) {
  writeSync(fd, block, 0, 4096, (i % 256) * 4096);
  const started = performance.now();
  fsyncSync(fd);
  durations.push(performance.now() - started);
  Atomics.wait(stop, 0, 0, workerData.everyMs);
}
closeSync(fd);
parentPort.postMessage(durations);
`;

export interface DiskSyncProbe {
  /** Stops probing; the fsyncs' durations (ms, two decimals) since the start. */
  stop(): Promise<Percentiles>;
}

/** Starts an fsync every `everyMs` on `dir`'s disk (one at a time). */
export function startDiskSyncProbe(dir: string, everyMs = 20): DiskSyncProbe {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(PROBE_THREAD, {
    eval: true,
    workerData: { file: join(dir, 'disk-sync-probe.bin'), stop, everyMs },
  });
  const durations = new Promise<number[]>((resolve, reject) => {
    worker.once('message', (d: number[]) => resolve(d));
    worker.once('error', reject);
    worker.once('exit', () => resolve([]));
  });
  return {
    async stop() {
      const flag = new Int32Array(stop);
      Atomics.store(flag, 0, 1);
      Atomics.notify(flag, 0);
      const p = percentiles(await durations);
      const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
      return { ...p, p50: round(p.p50), p95: round(p.p95), p99: round(p.p99), max: round(p.max) };
    },
  };
}
