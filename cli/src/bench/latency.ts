/**
 * `anxin bench latency`: end-to-end alarm latency under telemetry load, on loopback (issue 12).
 *
 * The hub runs as its own process (hubs.ts: `anxin hub`, a core of its own, as in production);
 * W load processes (gateway-worker.ts) run N real gateways (each its own durable outbox and MQTT
 * connection), and this process runs a console (a logged-in Socket.IO client). Telemetry is
 * offered at --rate events/s, each gateway served once a second with its share in one outbox
 * transaction; alarms are raised at random moments (Poisson, --alarm-rate per second) in random
 * gateways.
 *
 * Every alarm is timed at each point that matters, on one clock (all processes share this
 * machine's): the reading (the event's observedAt) → MQTT publish (handed to the gateway's MQTT
 * client, publish-probe.ts) → hub receive (the broker handed it to ingest) → SQL commit → push
 * emitted (both from the hub's alarm trace) → console (the Socket.IO push arrived here), and
 * beside that chain the gateway's outbox durable (its transaction returned): a connected gateway
 * sends the alarm while that commit fsyncs (gateway outbox.ts), so the two overlap. The load processes' and the console's own event-loop lag is
 * reported beside it: when it is high, the figures include the generator's queueing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAlarmTrace, type AlarmTraceEntry } from '@anxin/hub';
import { openBenchConsole, type BenchConsole } from './bench-console.js';
import { startDiskSyncProbe, type DiskSyncProbe } from './disk-sync-probe.js';
import { loopLagMonitor } from './loop-lag.js';
import { reportProgress } from './latency-progress.js';
import { startBenchHubs, type BenchHubs } from './hubs.js';
import { breakdown, consoleLatencies, type StageBreakdown } from './breakdown.js';
import { percentiles, type Percentiles } from './stats.js';
import type { GatewayWorker } from './worker-client.js';
import {
  DEFAULT_LATENCY_LOAD_PRIORITY,
  type LoadPriority,
  type OfferedAlarm,
} from './worker-protocol.js';
import { windowFigures, type HistogramScrape, type WindowFigures } from './prom-histogram.js';
import {
  forkLayoutWorkers,
  heldTelemetry,
  waitForDrain,
  startGateways,
  workerLag,
  type LoopLag,
} from './worker-pool.js';
import { defaultProbeGateways, loadLayout, sharesInOrder, type LoadLayout } from './load-layout.js';

export interface LatencyBenchOptions {
  gateways: number;
  /** Telemetry events per second offered, across all gateways: one run per rate, in order. */
  rates: number[];
  durationS: number;
  /** Alarms per second, on average, across all gateways. */
  alarmRate: number;
  /** Load processes hosting the gateways and offering the load. */
  workers: number;
  /** The load processes' CPU priority (default DEFAULT_LATENCY_LOAD_PRIORITY; the hub: nice 0). */
  loadPriority?: LoadPriority;
  /**
   * Gateways in the probe process, at the hub's priority, that raise every alarm (load-layout.ts;
   * default defaultProbeGateways). 0: alarms on random gateways of the load processes.
   */
  probeGateways?: number;
  /**
   * N hubs behind Mosquitto on PostgreSQL and Redis (cluster-layout.ts); absent: one hub with its
   * embedded broker and SQLite.
   */
  hubs?: number;
  /** MQTT over TLS between the gateways and the (single) hub; not with `hubs`. */
  tls?: boolean;
  /**
   * A directory on another disk (or a tmpfs) for the gateways' outboxes; absent: beside the hub's
   * data, on its disk. In a district every gateway syncs its own flash; here 2,000 gateways'
   * outbox commits share the hub's disk unless they are put elsewhere.
   */
  gatewayDir?: string;
  /**
   * A directory for the load processes' gateways only (overrides gatewayDir for them); the probe
   * gateways, which raise the alarms, stay on gatewayDir or the hub's disk. The command defaults
   * it to /dev/shm (bench.ts): the 2,000 load gateways' fsyncs are not on the hub's disk in a
   * district, while the alarm's own outbox commit is still timed on a real disk.
   */
  loadDir?: string;
  /** Seconds of the first rate's load, unmeasured, before it (default 0; bench.ts says why). */
  warmupS?: number;
  /** Seconds between progress lines while the load runs (0: none). */
  progressS?: number;
  /** Where progress lines go (the JSON result is returned, not printed). */
  log: (line: string) => void;
}

export interface LatencyBenchResult {
  /** The hubs and engines measured (", MQTT over TLS" when the gateways used TLS). */
  layout: string;
  /** Whether the gateways connected over TLS (mqtts://, verifying the hub). */
  tls: boolean;
  gateways: number;
  workers: number;
  /** The load processes' CPU priority: 'idle' (SCHED_IDLE) or a niceness; the hub's is nice 0. */
  loadPriority: LoadPriority;
  /** Gateways in the probe process (nice 0), which raise the alarms; 0: none. */
  probeGateways: number;
  /** Where the gateways' outboxes were (--gateway-dir); null: on the hub's disk. */
  gatewayDir: string | null;
  /** Where the load processes' gateways' outboxes were (--load-dir), when not with the rest. */
  loadDir: string | null;
  /** Seconds of unmeasured load before the first rate (--warmup). */
  warmupS: number;
  runs: LatencyRunResult[];
}

export interface LatencyRunResult {
  rate: number;
  durationS: number;
  /** Telemetry held at the gateways when the run started (left from the previous rate). */
  heldAtStart: number;
  alarmLatencyMs: Percentiles;
  /** Per stage, p50/p99 (ms), for the alarms every point was seen for. */
  breakdown: StageBreakdown[];
  alarmsSent: number;
  alarmsReceived: number;
  alarmsLost: number;
  /** New alarms the console resolved once they arrived (bench-console.ts), and those it could not. */
  consoleResolves: { done: number; failed: number };
  telemetryOfferedPerS: number;
  telemetryOffered: number;
  telemetryStored: number;
  telemetryStoredPerS: number;
  /** The worst lateness of the load processes' offer ticks, and their event-loop lag. */
  offerLagMaxMs: number;
  loadLoopLagMs: LoopLag;
  /**
   * fsyncs on the bench's disk during the run (disk-sync-probe.ts): the floor under the two stages
   * that wait for one (the gateway's outbox commit, the hub's alarm transaction).
   */
  diskFsyncMs: Percentiles;
  /** The probe process's event-loop lag (absent with no probes): the floor under its stages. */
  probeLoopLagMs?: LoopLag;
  /**
   * The hub's own event-loop lag during the run (the worst hub by p99; from its
   * anxin_event_loop_lag_seconds histogram): the floor under its stages' latency.
   */
  hubLoopLagMs: WindowFigures;
  /** This process's (the console's) event-loop lag during the load. */
  consoleLoopLagMs: LoopLag;
  hubPeakRssMb: number;
  /** The hubs' CPU use during the run, in cores (1 = one core busy all the time). */
  hubCpuCores: number;
  /** The load processes' CPU per 1,000 telemetry events offered (ms): the generator's cost. */
  loadCpuMsPer1000Events: number | null;
  /** The machine's load average (1, 5, 15 min) at the end of the run: others' load is noise. */
  loadAverage: number[];
}

/**
 * Load processes by default: one per 1,000 gateways (2 to 16; at 4 open files a gateway, far below
 * the 20,000 limit). Fewer, fuller processes cost less per event and lag less: at 10,000 msg/s,
 * 10 processes used 126 ms of CPU per 1,000 events, 5 106 ms, 3 84–89 ms, 2 73–95 ms (README).
 */
export function defaultLatencyWorkers(gateways: number): number {
  return Math.max(2, Math.min(16, Math.ceil(gateways / 1000)));
}

export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
  const gatewayRoot = options.gatewayDir
    ? mkdtempSync(join(options.gatewayDir, 'anxin-bench-gw-'))
    : join(dir, 'gw');
  const loadRoot = options.loadDir
    ? mkdtempSync(join(options.loadDir, 'anxin-bench-load-'))
    : gatewayRoot;
  const workers: GatewayWorker[] = [];
  let hubs: BenchHubs | undefined;
  let benchConsole: BenchConsole | undefined;
  try {
    const ids = Array.from(
      { length: options.gateways },
      (_, i) => `bench-${String(i + 1).padStart(5, '0')}`,
    );
    const secret = 'bench-gateway-secret';
    const startedHubAt = Date.now();
    hubs = await startBenchHubs({
      dir,
      gatewayIds: ids,
      secret,
      log: options.log,
      ...(options.hubs === undefined ? {} : { hubs: options.hubs }),
      ...(options.tls ? { tls: true } : {}),
    });
    const hubClock = startedHubAt;
    const probes = options.probeGateways ?? defaultProbeGateways(ids.length);
    const layoutAt = (rate: number) =>
      loadLayout(ids, probes, options.workers, rate, options.alarmRate);
    const placement = layoutAt(0);
    const workerCount = placement.load.length;
    options.log(
      `${hubs.describe}: console hub at ${hubs.console.httpUrl} (pid ${hubs.pids.join(', ')}) in ${secondsSince(startedHubAt)} s; starting ${ids.length} gateways in ${workerCount} load process(es)${placement.probe ? ` and ${placement.probe.gatewayIds.length} probe gateways (they raise the alarms) in a process at nice 0` : ''}`,
    );

    const benchConsoleNow = await openBenchConsole(hubs.console.httpUrl, hubs.console.cookie);
    benchConsole = benchConsoleNow;

    const startedGatewaysAt = Date.now();
    const loadPriority = options.loadPriority ?? DEFAULT_LATENCY_LOAD_PRIORITY;
    // Process k hosts shares[k]: the probe first (at the hub's priority), then the load.
    const shares = sharesInOrder(placement);
    await forkLayoutWorkers(placement, loadPriority, workers);
    const base = {
      password: secret,
      ...(hubs.caFile ? { hub: { caFile: hubs.caFile } } : {}),
    };
    const hubsUp = hubs;
    await Promise.all(
      shares.map((share, k) =>
        startGateways(workers.slice(k, k + 1), share.gatewayIds, hubsUp, {
          ...base,
          dataRoot: share === placement.probe ? gatewayRoot : loadRoot,
        }),
      ),
    );
    options.log(`${ids.length} gateways connected in ${secondsSince(startedGatewaysAt)} s`);

    const runs: LatencyRunResult[] = [];
    const probe = placement.probe ? workers[0] : undefined;
    const setup: Setup = {
      workers,
      probe,
      layoutAt,
      hubs,
      console: benchConsoleNow,
      hubClock,
      diskDir: dir,
    };
    // Before every rate, including the first: the warm-up reading each gateway took at start
    // (2,000 events in flight at once) is start-up, not the load being measured.
    const warmupS = options.warmupS ?? 0;
    const firstRate = options.rates[0];
    if (warmupS > 0 && firstRate !== undefined) {
      await waitForDrain(workers, options.log);
      options.log(`warming up: ${firstRate} telemetry/s for ${warmupS} s, not measured`);
      await runRate(setup, firstRate, { ...options, durationS: warmupS, log: () => undefined });
    }
    for (const rate of options.rates) {
      await waitForDrain(workers, options.log);
      runs.push(await runRate(setup, rate, options));
    }
    return {
      layout: hubs.describe,
      tls: hubs.caFile !== undefined,
      gateways: ids.length,
      workers: workerCount,
      loadPriority,
      probeGateways: placement.probe?.gatewayIds.length ?? 0,
      gatewayDir: options.gatewayDir ?? null,
      loadDir: options.loadDir ?? null,
      warmupS,
      runs,
    };
  } finally {
    benchConsole?.close();
    await Promise.all(workers.map((worker) => worker.stop().catch(() => undefined)));
    await hubs?.stop();
    rmSync(dir, { recursive: true, force: true });
    rmSync(gatewayRoot, { recursive: true, force: true });
    rmSync(loadRoot, { recursive: true, force: true });
  }
}

interface Setup {
  /** Every process hosting gateways: the probe's first, when there is one. */
  workers: GatewayWorker[];
  probe: GatewayWorker | undefined;
  /** Each process's share of a rate, in the order of `workers`. */
  layoutAt: (rate: number) => LoadLayout;
  hubs: BenchHubs;
  console: BenchConsole;
  /** When the hub process was started: a `--cpu-prof` profile of it starts about then. */
  hubClock: number;
  /** A directory on the disk the hub and the gateways write to. */
  diskDir: string;
}

async function runRate(
  { workers, probe, layoutAt, hubs, console: c, hubClock, diskDir }: Setup,
  rate: number,
  options: LatencyBenchOptions,
): Promise<LatencyRunResult> {
  c.reset();
  const heldAtStart = await heldTelemetry(workers);
  const consoleLag = loopLagMonitor(5);
  let progressTimer: NodeJS.Timeout | undefined;
  let diskProbe: DiskSyncProbe | undefined;
  options.log(
    `offering ${rate} telemetry/s and ${options.alarmRate} alarms/s for ${options.durationS} s`,
  );
  try {
    const storedBefore = await hubs.telemetryStored();
    const hubLagBefore = await hubs.eventLoopLag();
    const startedAt = Date.now();
    diskProbe = startDiskSyncProbe(diskDir);
    const hubS = (startedAt - hubClock) / 1000;
    const hubCpuAtStart = hubs.cpuSeconds();
    consoleLag.enable();
    const progressS = options.progressS ?? 5;
    if (progressS > 0) {
      const hubsNow = hubs;
      let busy = false;
      progressTimer = setInterval(() => {
        if (busy) return;
        busy = true;
        void reportProgress(workers, hubsNow, storedBefore, startedAt, () => c.received())
          .then(options.log, () => undefined)
          .finally(() => (busy = false));
      }, progressS * 1000);
    }
    const shares = sharesInOrder(layoutAt(rate));
    const offers = await Promise.all(
      workers.map((worker, k) =>
        worker.request(
          {
            op: 'offer',
            rate: shares[k]?.rate ?? 0,
            durationS: options.durationS,
            alarmRate: shares[k]?.alarmRate ?? 0,
          },
          (options.durationS + 120) * 1000,
        ),
      ),
    );
    clearInterval(progressTimer);
    consoleLag.disable();
    const diskFsyncMs = await diskProbe.stop();
    const elapsedS = (Date.now() - startedAt) / 1000;
    const hubCpu = hubs.cpuSeconds() - hubCpuAtStart;
    const alarms: OfferedAlarm[] = offers.flatMap((o) => o.alarms ?? []);
    const telemetryOffered = offers.reduce((s, o) => s + (o.telemetryOffered ?? 0), 0);
    const stored = (await hubs.telemetryStored()) - storedBefore;
    const hubLagAfter = await hubs.eventLoopLag();
    const loadLag = await workerLag(workers.filter((w) => w !== probe));
    const probeLag = probe ? await workerLag([probe]) : undefined;
    const loadCpuMs = (await Promise.all(workers.map((w) => w.request({ op: 'progress' })))).reduce(
      (sum, r) => sum + (r.cpuMs ?? 0),
      0,
    );
    options.log(
      `load done (${hubS.toFixed(0)}–${(hubS + elapsedS).toFixed(0)} s after the hub started, for a profile window); waiting for the last alarms`,
    );
    const drainDeadline = Date.now() + 30_000;
    while (c.received() < alarms.length && Date.now() < drainDeadline)
      await new Promise((r) => setTimeout(r, 100));

    // The trace holds every run's alarms; the join keeps this run's (gateway, seq) only.
    const trace: AlarmTraceEntry[] = hubs.traceFiles.flatMap((file) =>
      existsSync(file) ? parseAlarmTrace(readFileSync(file, 'utf8')) : [],
    );
    return {
      rate,
      heldAtStart,
      durationS: Math.round(elapsedS * 10) / 10,
      alarmLatencyMs: percentiles(consoleLatencies(alarms, c.arrivals)),
      breakdown: breakdown(alarms, trace, c.arrivals),
      diskFsyncMs,
      alarmsSent: alarms.length,
      alarmsReceived: c.received(),
      alarmsLost: Math.max(0, alarms.length - c.received()),
      consoleResolves: c.resolves(),
      telemetryOfferedPerS: Math.round(telemetryOffered / elapsedS),
      telemetryOffered,
      telemetryStored: stored,
      telemetryStoredPerS: Math.round(stored / elapsedS),
      offerLagMaxMs: Math.max(0, ...offers.map((o) => o.maxTickLagMs ?? 0)),
      loadLoopLagMs: loadLag,
      ...(probeLag ? { probeLoopLagMs: probeLag } : {}),
      hubLoopLagMs: worstHubLag(hubLagBefore, hubLagAfter),
      consoleLoopLagMs: consoleLag.lag(),
      hubPeakRssMb: hubs.peakRssMb(),
      hubCpuCores: Math.round((hubCpu / elapsedS) * 100) / 100,
      loadCpuMsPer1000Events: telemetryOffered
        ? Math.round((loadCpuMs / telemetryOffered) * 1000 * 10) / 10
        : null,
      loadAverage: loadavg().map((v) => Math.round(v * 100) / 100),
    };
  } finally {
    clearInterval(progressTimer);
    consoleLag.disable();
    await diskProbe?.stop();
  }
}

/** Each hub's lag over the run; the hub with the worst p99 speaks for the layout. */
function worstHubLag(before: HistogramScrape[], after: HistogramScrape[]): WindowFigures {
  const perHub = after.map((a, i) => windowFigures(before[i] ?? { le: a.le, counts: [] }, a));
  return perHub.reduce<WindowFigures>(
    (worst, f) => ((f.p99 ?? -1) > (worst.p99 ?? -1) ? f : worst),
    { count: 0, p50: null, p99: null, maxBelowMs: null },
  );
}

function secondsSince(t: number): number {
  return Math.round((Date.now() - t) / 100) / 10;
}
