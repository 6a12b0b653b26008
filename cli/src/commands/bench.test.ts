/**
 * `anxin bench latency`: the --hubs option and its side-by-side table (pure), and one real run of
 * the several-hubs layout (Mosquitto, PostgreSQL, Redis and two `anxin hub` processes) at a tiny
 * load, so the layout a user benchmarks is the one that works. Figures are not asserted: timing
 * belongs to the benchmark, not to a test.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LatencyBenchResult } from '../bench/latency.js';
import { UsageError } from '../command.js';
import { parseHubCounts, sideBySide } from './bench.js';

const ANXIN = fileURLToPath(new URL('../../bin/anxin.js', import.meta.url));

function result(layout: string, p50: number, p99: number, lost = 0): LatencyBenchResult {
  return {
    layout,
    gateways: 10,
    workers: 1,
    durationS: 2,
    alarmLatencyMs: { count: 4, p50, p95: p99, p99, max: p99 + 1 },
    alarmsSent: 4,
    alarmsReceived: 4 - lost,
    alarmsLost: lost,
    telemetryOfferedPerS: 100,
    telemetryOffered: 200,
    telemetryStored: 200,
    telemetryStoredPerS: 100,
    offerLagMaxMs: 3,
    hubPeakRssMb: 120,
  };
}

describe('anxin bench latency --hubs', () => {
  it('takes one count or a list, and refuses anything else with a usage error', () => {
    expect(parseHubCounts(undefined)).toEqual([undefined]);
    expect(parseHubCounts('2')).toEqual([2]);
    expect(parseHubCounts('1, 2')).toEqual([1, 2]);
    for (const bad of ['0', '9', 'two', '1,,2', '1.5', '1,2,3,4,5', ''])
      expect(() => parseHubCounts(bad), bad).toThrow(UsageError);
  });

  it('prints the runs as aligned columns, one row per figure', () => {
    const lines = sideBySide([result('1 hub, A', 5, 12), result('2 hubs, B', 7, 40, 1)]);
    expect(lines[0]).toMatch(/^\| +\| 1 hub, A +\| 2 hubs, B +\|$/);
    expect(lines.find((l) => l.includes('alarm p50 / p99'))).toMatch(/\| 5 \/ 12 +\| 7 \/ 40 +\|$/);
    expect(lines.find((l) => l.includes('alarms sent / lost'))).toMatch(
      /\| 4 \/ 0 +\| 4 \/ 1 +\|$/,
    );
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('runs two hubs behind Mosquitto on PostgreSQL and Redis, every alarm pushed to the console', async () => {
    const { code, stdout, stderr } = await new Promise<{
      code: number;
      stdout: string;
      stderr: string;
    }>((resolve) => {
      execFile(
        process.execPath,
        [
          ANXIN,
          'bench',
          'latency',
          '--gateways',
          '6',
          '--rate',
          '60',
          '--duration',
          '3',
          '--alarm-rate',
          '4',
          '--workers',
          '1',
          '--hubs',
          '2',
        ],
        { timeout: 240_000 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(code, stderr).toBe(0);
    const last = stdout.trim().split('\n').pop() ?? '';
    const figures = JSON.parse(last) as LatencyBenchResult & { benchmark: string };
    expect(figures.benchmark).toBe('latency');
    expect(figures.layout).toBe('2 hubs, Mosquitto, PostgreSQL, Redis');
    expect(figures.alarmsSent).toBeGreaterThan(0);
    expect(figures.alarmsLost).toBe(0);
    expect(figures.telemetryStored).toBeGreaterThan(0);
    expect(stderr).toContain('hub-2 up at');
  }, 300_000);
});
