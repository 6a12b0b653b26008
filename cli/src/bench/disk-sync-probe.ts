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
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { DiskSyncProbeData } from './disk-sync-probe-worker.js';
import { isUnknownArray } from '@anxin/protocol';
import { percentiles, type Percentiles } from './stats.js';

/** The built probe thread, next to this file once compiled (dist/bench). */
const PROBE_THREAD = fileURLToPath(
  new URL(
    import.meta.url.endsWith('.ts')
      ? '../../dist/bench/disk-sync-probe-worker.js'
      : './disk-sync-probe-worker.js',
    import.meta.url,
  ),
);

export interface DiskSyncProbe {
  /** Stops probing; the fsyncs' durations (ms, two decimals) since the start. */
  stop(): Promise<Percentiles>;
}

/** What the probe thread posts when it stops: each fsync's duration, ms. */
function isDurations(d: unknown): d is number[] {
  return isUnknownArray(d) && d.every((x) => typeof x === 'number');
}

/** Starts an fsync every `everyMs` on `dir`'s disk (one at a time). */
export function startDiskSyncProbe(dir: string, everyMs = 20): DiskSyncProbe {
  const stop = new SharedArrayBuffer(4);
  const worker = new Worker(PROBE_THREAD, {
    workerData: {
      file: join(dir, 'disk-sync-probe.bin'),
      stop,
      everyMs,
    } satisfies DiskSyncProbeData,
  });
  const durations = new Promise<number[]>((resolve, reject) => {
    // The thread posts its durations once; anything else is a disagreement between the two files.
    worker.once('message', (d: unknown) =>
      isDurations(d)
        ? resolve(d)
        : reject(new Error('disk probe thread sent something other than its durations')),
    );
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
