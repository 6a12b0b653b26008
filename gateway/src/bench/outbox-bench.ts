/**
 * Outbox insert throughput per lane and fsync level, and the drain rate (read a batch, delete it
 * as if acked). Uses a real file in a temp dir (set ANXIN_BENCH_DIR to measure another disk, e.g.
 * the SD card of a gateway box). Prints a table, then the figures as JSON on the last line.
 *
 *   npx tsc -b gateway && node gateway/dist/bench/outbox-bench.js [--events N]
 *   npx tsx gateway/bench/outbox.ts [--events N]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FsyncPolicy } from '../config.js';
import { Outbox } from '../outbox/outbox.js';

export interface LaneFigure {
  lane: 'alarm' | 'telemetry';
  fsync: FsyncPolicy;
  events: number;
  eventsPerS: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

export interface OutboxBenchResult {
  dir: string;
  inserts: LaneFigure[];
  drain: { events: number; batchSize: number; eventsPerS: number };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;
}

function measureInserts(
  dir: string,
  lane: 'alarm' | 'telemetry',
  fsync: FsyncPolicy,
  events: number,
): LaneFigure {
  const file = join(dir, `${lane}-${fsync}.sqlite`);
  const outbox = new Outbox({
    file,
    maxTelemetryEvents: events * 2,
    maxTelemetryAgeMs: 3_600_000,
    fsync: { alarm: fsync, telemetry: fsync },
  });
  const latencies: number[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < events; i += 1) {
    const t0 = process.hrtime.bigint();
    if (lane === 'alarm') {
      outbox.append({
        type: 'alarm',
        observedAt: Date.now(),
        deviceId: 'radar1',
        kind: 'fall',
        action: 'raise',
        detail: { zone: 1 },
      });
    } else {
      outbox.append({
        type: 'telemetry',
        observedAt: Date.now(),
        deviceId: 'meter1',
        fields: { energy_kwh: 1234.5 + i, power_w: 812, voltage_v: 229.8, current_a: 3.6 },
      });
    }
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  outbox.close();
  latencies.sort((a, b) => a - b);
  return {
    lane,
    fsync,
    events,
    eventsPerS: Math.round(events / seconds),
    p50Us: Math.round(percentile(latencies, 50)),
    p99Us: Math.round(percentile(latencies, 99)),
    maxUs: Math.round(latencies[latencies.length - 1] ?? 0),
  };
}

function measureDrain(dir: string, events: number, batchSize: number): OutboxBenchResult['drain'] {
  const outbox = new Outbox({
    file: join(dir, 'drain.sqlite'),
    maxTelemetryEvents: events * 2,
    maxTelemetryAgeMs: 3_600_000,
    fsync: { alarm: 'full', telemetry: 'normal' },
  });
  for (let i = 0; i < events; i += 1) {
    outbox.append({
      type: 'telemetry',
      observedAt: Date.now(),
      deviceId: 'meter1',
      fields: { energy_kwh: i },
    });
  }
  const started = process.hrtime.bigint();
  let drained = 0;
  for (;;) {
    const batch = outbox.pending('telemetry', 0, batchSize);
    if (batch.length === 0) break;
    drained += outbox.remove(
      'telemetry',
      batch.map((e) => e.seq),
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  outbox.close();
  return { events: drained, batchSize, eventsPerS: Math.round(drained / seconds) };
}

export function runOutboxBench(events = 5000): OutboxBenchResult {
  const base = process.env.ANXIN_BENCH_DIR ?? tmpdir();
  const dir = mkdtempSync(join(base, 'anxin-outbox-bench-'));
  try {
    const inserts: LaneFigure[] = [];
    // FULL costs an fsync per insert: fewer events keep the run short on slow disks.
    inserts.push(measureInserts(dir, 'alarm', 'full', Math.min(events, 2000)));
    inserts.push(measureInserts(dir, 'alarm', 'normal', events));
    inserts.push(measureInserts(dir, 'telemetry', 'normal', events));
    inserts.push(measureInserts(dir, 'telemetry', 'full', Math.min(events, 2000)));
    inserts.push(measureInserts(dir, 'telemetry', 'off', events));
    const drain = measureDrain(dir, events * 4, 200);
    return { dir: base, inserts, drain };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printOutboxBench(result: OutboxBenchResult): void {
  const lines = ['lane       fsync    events   events/s   p50 µs   p99 µs   max µs'];
  for (const f of result.inserts) {
    lines.push(
      `${f.lane.padEnd(10)} ${f.fsync.padEnd(8)} ${String(f.events).padStart(6)} ${String(f.eventsPerS).padStart(10)} ${String(f.p50Us).padStart(8)} ${String(f.p99Us).padStart(8)} ${String(f.maxUs).padStart(8)}`,
    );
  }
  lines.push(
    `drain (read ${result.drain.batchSize} + delete as acked): ${result.drain.eventsPerS} events/s over ${result.drain.events}`,
  );
  process.stdout.write(`${lines.join('\n')}\n${JSON.stringify(result)}\n`);
}

function eventsArg(argv: readonly string[]): number {
  const i = argv.indexOf('--events');
  const value = i >= 0 ? Number(argv[i + 1]) : 5000;
  return Number.isInteger(value) && value > 0 ? value : 5000;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printOutboxBench(runOutboxBench(eventsArg(process.argv)));
}
