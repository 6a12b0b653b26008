/**
 * `anxin bench latency`: the --hubs option and its side-by-side table (pure), and one real run of
 * the several-hubs layout (Mosquitto, PostgreSQL, Redis and two `anxin hub` processes) at a tiny
 * load, so the layout a user benchmarks is the one that works; a tiny single-hub run with the
 * gateways' outboxes elsewhere (--gateway-dir, --load-dir); and small storms over MQTT over
 * TLS (`--tls`, and `--tls-resume` with tickets primed before the hub restarts). Timings are not
 * asserted: they belong to the benchmark, not to a test.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { LatencyBenchResult, LatencyRunResult } from '../bench/latency.js';
import type { StormBenchResult } from '../bench/storm.js';
import { outboxPlaces, sideBySide } from '../bench/latency-report.js';
import { tlsHandshakes } from '../bench/bench-tls.js';
import { UsageError } from '../command.js';
import { parseHubCounts } from './bench.js';

const ANXIN = fileURLToPath(new URL('../../bin/anxin.js', import.meta.url));

function run(rate: number, p50: number, p99: number, lost: number): LatencyRunResult {
  const lag = { p50: 1, p99: 2, max: 3 };
  return {
    rate,
    durationS: 2,
    heldAtStart: 0,
    alarmLatencyMs: { count: 4, p50, p95: p99, p99, max: p99 + 1 },
    breakdown: [],
    diskFsyncMs: { count: 10, p50: 0.5, p95: 1, p99: 2, max: 3 },
    alarmsSent: 4,
    alarmsReceived: 4 - lost,
    alarmsLost: lost,
    consoleResolves: { done: 4 - lost, failed: 0 },
    telemetryOfferedPerS: rate,
    telemetryOffered: rate * 2,
    telemetryStored: rate * 2,
    telemetryStoredPerS: rate,
    offerLagMaxMs: 3,
    loadLoopLagMs: lag,
    hubLoopLagMs: { count: 100, p50: 0.5, p99: 4, maxBelowMs: 10 },
    consoleLoopLagMs: lag,
    hubPeakRssMb: 120,
    hubCpuCores: 0.5,
    loadCpuMsPer1000Events: null,
    loadAverage: [1, 1, 1],
  };
}

function result(layout: string, p50: number, p99: number, lost = 0): LatencyBenchResult {
  return {
    layout,
    tls: false,
    gateways: 10,
    workers: 1,
    loadPriority: 'idle',
    probeGateways: 1,
    gatewayDir: null,
    loadDir: null,
    warmupS: 10,
    runs: [run(100, p50, p99, lost)],
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
    expect(lines.find((l) => l.includes('100/s: alarm p50 / p99'))).toMatch(
      /\| 5 \/ 12 +\| 7 \/ 40 +\|$/,
    );
    expect(lines.find((l) => l.includes('100/s: alarms sent / lost'))).toMatch(
      /\| 4 \/ 0 +\| 4 \/ 1 +\|$/,
    );
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });

  it('refuses a --load-nice other than idle or 0–19 before starting anything', async () => {
    for (const bad of ['20', '-1', 'low', '', '1.5']) {
      const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          [ANXIN, 'bench', 'latency', '--load-nice', bad],
          { timeout: 30_000 },
          (err, _stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
        );
      });
      expect(code, bad).toBe(2);
      expect(stderr, bad).toContain('--load-nice');
    }
  });

  it('refuses a --warmup that is not 0–600 seconds before starting anything', async () => {
    for (const bad of ['-1', '601', 'ten']) {
      const { code, stderr } = await anxin(['bench', 'latency', '--warmup', bad]);
      expect(code, bad).toBe(2);
      expect(stderr, bad).toContain('--warmup');
    }
  });

  it('refuses a --gateway-dir that is not a writable directory before starting anything', async () => {
    const { code, stderr } = await anxin(['bench', 'latency', '--gateway-dir', '/nonexistent/x']);
    expect(code).toBe(2);
    expect(stderr).toContain('--gateway-dir must be a writable directory');
  });

  it("keeps the gateways' outboxes under --gateway-dir, and says so", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'anxin-bench-gwdir-'));
    const seen = new Set<string>();
    // The run removes its directory when it ends: look while it runs.
    const watch = setInterval(() => {
      for (const d of readdirSync(elsewhere)) seen.add(d);
    }, 50);
    try {
      const args = ['bench', 'latency', '--gateways', '4', '--rate', '40', '--duration', '2'];
      const { code, stdout, stderr } = await anxin([
        ...args,
        '--alarm-rate',
        '2',
        '--workers',
        '1',
        '--gateway-dir',
        elsewhere,
        '--warmup',
        '0',
      ]);
      expect(code, stderr).toBe(0);
      const figures = JSON.parse(stdout.trim().split('\n').pop() ?? '') as LatencyBenchResult;
      expect(figures.gatewayDir).toBe(elsewhere);
      expect(figures.warmupS).toBe(0);
      expect(stderr).not.toContain('warming up');
      expect(figures.runs[0]?.telemetryStored).toBeGreaterThan(0);
      expect(figures.runs[0]?.alarmsLost).toBe(0);
      expect(stdout).toContain(`gateways' outboxes: ${elsewhere}`);
      expect([...seen].some((d) => d.startsWith('anxin-bench-gw-'))).toBe(true);
      expect(readdirSync(elsewhere)).toEqual([]);
    } finally {
      clearInterval(watch);
      rmSync(elsewhere, { recursive: true, force: true });
    }
  }, 120_000);

  it("puts only the load's outboxes under --load-dir; the probe's stay under --gateway-dir", async () => {
    const probeDir = mkdtempSync(join(tmpdir(), 'anxin-bench-probedir-'));
    const loadDir = mkdtempSync(join(tmpdir(), 'anxin-bench-loaddir-'));
    const seen = { probe: new Set<string>(), load: new Set<string>() };
    // Each run directory holds one directory per gateway: look while the run lasts.
    const look = (root: string, into: Set<string>) => {
      for (const run of readdirSync(root))
        for (const gw of readdirSync(join(root, run))) into.add(`${run}/${gw}`);
    };
    const watch = setInterval(() => {
      look(probeDir, seen.probe);
      look(loadDir, seen.load);
    }, 50);
    try {
      const { code, stdout, stderr } = await anxin([
        ...['bench', 'latency', '--gateways', '4', '--rate', '40', '--duration', '2'],
        ...['--alarm-rate', '2', '--workers', '1', '--probe-gateways', '1'],
        ...['--gateway-dir', probeDir, '--load-dir', loadDir, '--warmup', '1'],
      ]);
      expect(code, stderr).toBe(0);
      const figures = JSON.parse(stdout.trim().split('\n').pop() ?? '') as LatencyBenchResult;
      // The warm-up ran the first rate's load before it, and only the measured run is reported.
      expect(stderr).toContain('warming up: 40 telemetry/s for 1 s, not measured');
      expect(figures.warmupS).toBe(1);
      expect(figures.runs.map((r) => r.rate)).toEqual([40]);
      expect(figures.gatewayDir).toBe(probeDir);
      expect(figures.loadDir).toBe(loadDir);
      expect(figures.runs[0]?.alarmsLost).toBe(0);
      expect(stdout).toContain(
        `gateways' outboxes: the probes' ${probeDir}, the load's ${loadDir}`,
      );
      // load-layout.ts: the probe is the first gateway; the other three are the load's.
      const gateways = (paths: Set<string>) => [...paths].map((p) => p.split('/')[1]).sort();
      expect(gateways(seen.probe)).toEqual(['bench-00001']);
      expect(gateways(seen.load)).toEqual(['bench-00002', 'bench-00003', 'bench-00004']);
      expect([...seen.load].every((p) => p.startsWith('anxin-bench-load-'))).toBe(true);
      expect(readdirSync(probeDir)).toEqual([]);
      expect(readdirSync(loadDir)).toEqual([]);
    } finally {
      clearInterval(watch);
      rmSync(probeDir, { recursive: true, force: true });
      rmSync(loadDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a --load-dir that is not a writable directory before starting anything', async () => {
    const { code, stderr } = await anxin(['bench', 'latency', '--load-dir', '/nonexistent/x']);
    expect(code).toBe(2);
    expect(stderr).toContain('--load-dir must be a writable directory');
  });

  it('says where the outboxes were', () => {
    const one = result('1 hub', 5, 12);
    expect(outboxPlaces(one)).toBe("on the hub's disk");
    expect(outboxPlaces({ ...one, loadDir: '/dev/shm' })).toBe(
      "the probes' on the hub's disk, the load's /dev/shm",
    );
    expect(outboxPlaces({ ...one, gatewayDir: '/a' })).toBe('/a');
    expect(outboxPlaces({ ...one, probeGateways: 0, loadDir: '/dev/shm' })).toBe(
      '/dev/shm (every gateway is in the load)',
    );
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
          '--warmup',
          '0',
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
    // No --gateway-dir or --load-dir: the load's outboxes on the machine's tmpfs, if it has one.
    expect(figures.gatewayDir).toBeNull();
    expect(figures.loadDir).toBe(existsSync('/dev/shm') ? '/dev/shm' : null);
    const [only] = figures.runs;
    expect(figures.runs).toHaveLength(1);
    expect(only?.alarmsSent).toBeGreaterThan(0);
    expect(only?.alarmsLost).toBe(0);
    expect(only?.telemetryStored).toBeGreaterThan(0);
    // Each hub writes its own alarm trace: the breakdown has the hub-side stages.
    expect(only?.breakdown.length).toBeGreaterThan(0);
    expect(stderr).toContain('hub-2 up at');
    // One of the 6 gateways is the probe (load-layout.ts): it raised the alarms, in a process of
    // its own whose lag is reported; the console resolved the new ones through the REST API.
    expect(figures.probeGateways).toBe(1);
    expect(only?.probeLoopLagMs).toBeDefined();
    expect(only?.consoleResolves.failed).toBe(0);
    expect(only?.consoleResolves.done).toBeGreaterThan(0);
  }, 300_000);
});

/** Runs `anxin bench …` and returns its exit code and output. */
function anxin(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [ANXIN, ...args], { timeout: 240_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('anxin bench storm', () => {
  it('drains every backlog and stores each alarm once, raised on the probe gateway', async () => {
    const { code, stdout, stderr } = await anxin([
      'bench',
      'storm',
      ...['--gateways', '6', '--backlog-minutes', '2', '--alarm-rate', '5'],
      ...['--workers', '1', '--spread-ms', '1500'],
    ]);
    expect(code, stderr).toBe(0);
    const figures = JSON.parse(stdout.trim().split('\n').pop() ?? '') as StormBenchResult & {
      benchmark: string;
    };
    expect(figures.benchmark).toBe('storm');
    expect(figures.drained).toBe(true);
    expect(figures.backlogEvents).toBeGreaterThan(0);
    expect(figures.probeGateways).toBe(1);
    expect(figures.alarmsRaised).toBeGreaterThan(0);
    expect(figures.alarmsStored).toBe(figures.alarmsRaised);
    expect(figures.alarmsDuplicated).toBe(0);
    expect(figures.alarmsLost).toBe(0);
    expect(figures.alarmLatencyMs.count).toBe(figures.alarmsRaised);
  }, 300_000);
});

/**
 * A small storm over MQTT over TLS (20 gateways, 1 minute of backlog, 5 alarms/s) with `--tls` or
 * `--tls-resume`: it exits 0, says TLS in its layout line and JSON, drains, and stores every alarm
 * raised exactly once. Its output and figures, for what each test adds.
 */
async function smallTlsStorm(
  flag: '--tls' | '--tls-resume',
): Promise<{ stdout: string; figures: StormBenchResult }> {
  const { code, stdout, stderr } = await anxin([
    'bench',
    'storm',
    ...['--gateways', '20', '--backlog-minutes', '1', '--alarm-rate', '5'],
    ...['--workers', '1', '--spread-ms', '1000', flag],
  ]);
  expect(code, stderr).toBe(0);
  expect(stdout).toContain('# 1 hub, embedded broker, SQLite, MQTT over TLS');
  const figures = JSON.parse(stdout.trim().split('\n').pop() ?? '') as StormBenchResult;
  expect(figures.tls).toBe(true);
  expect(figures.layout).toContain('MQTT over TLS');
  expect(figures.drained).toBe(true);
  expect(figures.alarmsRaised).toBeGreaterThan(0);
  expect(figures.alarmsStored).toBe(figures.alarmsRaised);
  expect(figures.alarmsDuplicated).toBe(0);
  expect(figures.alarmsLost).toBe(0);
  return { stdout, figures };
}

describe('anxin bench --tls', () => {
  it('refuses --tls with --hubs before starting anything', async () => {
    const { code, stderr } = await anxin(['bench', 'latency', '--hubs', '2', '--tls']);
    expect(code).toBe(2);
    expect(stderr).toContain('--tls is supported only with the single hub');
  });

  it("reads the hub's handshake counts, and nothing when the hub does not export them", () => {
    const name = 'anxin_mqtt_tls_handshakes_total';
    const text = [
      `# TYPE ${name} counter`,
      `${name}{resumed="false"} 20`,
      `${name}{resumed="true"} 3`,
      'anxin_other_total 1',
    ].join('\n');
    expect(tlsHandshakes(text)).toEqual({ full: 20, resumed: 3 });
    // Registered but nothing counted yet: the registry prints the bare name with 0.
    expect(tlsHandshakes(`${name} 0\n`)).toEqual({ full: 0, resumed: 0 });
    expect(tlsHandshakes('anxin_other_total 1\n')).toBeNull();
  });

  it('runs the storm over MQTT over TLS, each alarm stored once', async () => {
    const { stdout, figures } = await smallTlsStorm('--tls');
    expect(stdout).not.toContain('TLS session tickets primed');
    // New data directories: no gateway had a ticket to offer.
    expect(figures.ticketsPrimed).toBe(false);
    expect(figures.tlsTickets).toEqual({ saved: 0, offered: 0 });
    // Every gateway's connection was a TLS handshake at the hub (when the hub counts them).
    if (figures.tlsHandshakes) {
      const { full, resumed } = figures.tlsHandshakes;
      expect(full + resumed).toBeGreaterThanOrEqual(figures.gateways);
      expect(stdout).toContain(`TLS handshakes: ${full} full, ${resumed} resumed`);
    }
  }, 300_000);

  it('--tls-resume primes the tickets before the hub restarts: every storm handshake resumes', async () => {
    const utcDay = () => Math.floor(Date.now() / 86_400_000);
    const dayAtStart = utcDay();
    const { stdout, figures } = await smallTlsStorm('--tls-resume');
    expect(stdout).toContain('MQTT over TLS, TLS session tickets primed');
    expect(figures.ticketsPrimed).toBe(true);
    // Each gateway saved the hub's ticket while priming and offered it in the storm.
    expect(figures.tlsTickets).toEqual({ saved: 20, offered: 20 });
    expect(stdout).toContain('tickets primed: 20 saved, 20 offered');
    // The restarted hub's counters are the storm's alone: without priming all 20 would be full
    // (the --tls test above), and a hub not restarted would count the priming's 20 full ones. A
    // gateway that reconnects in the storm offers the storm's ticket, so resumed may exceed 20.
    // Only the hub's daily ticket keys changing (UTC midnight) between priming and storm makes
    // full handshakes legitimate.
    expect(figures.tlsHandshakes).not.toBeNull();
    const { full, resumed } = figures.tlsHandshakes ?? { full: -1, resumed: -1 };
    expect(full + resumed).toBeGreaterThanOrEqual(20);
    if (utcDay() === dayAtStart) {
      expect(full).toBe(0);
      expect(resumed).toBeGreaterThanOrEqual(20);
    }
    expect(stdout).toContain(`TLS handshakes: ${full} full, ${resumed} resumed`);
  }, 300_000);
});
