/**
 * `anxin bench storm`: the reconnect storm of DESIGN.md, "Load model" — the district's network
 * comes back after an outage and every gateway replays its backlog at once, while new alarms must
 * still reach an operator.
 *
 * 1. A hub process (`anxin hub`, embedded broker, SQLite, embedded telemetry store) with N
 *    gateways provisioned; with `tls`, its broker serves MQTT over TLS (hubs.ts). With
 *    `primeTickets`, every gateway first connects once over TLS and saves the hub's session
 *    ticket, then the gateways stop and the hub restarts on its data directory: the outage after
 *    which every gateway has talked to the hub before (worker-pool.ts, primeTlsTickets).
 * 2. Gateway-worker processes (gateway-worker.ts), each hosting a slice of the N real gateways.
 *    Each gateway's durable outbox is pre-filled with M minutes of telemetry at the load model's
 *    rate (default 0.07 events/s per home: meters every 60 s, heartbeats every 30 s, ~8 devices —
 *    conservative, since heartbeats are sent live, never backlogged) while the hub is unreachable.
 * 3. Every gateway is started in the same moment: N MQTT connects, N backlogs replayed.
 * 4. During the drain, SOS alarms are raised on random probe gateways (--alarm-rate per second;
 *    the probes are real gateways of the storm in a process at the hub's priority, load-layout.ts);
 *    a console (a logged-in Socket.IO client) measures each from the reading to its push, and
 *    resolves each new alarm as an operator would. Gateways and console share this machine's clock.
 *
 * Reported: backlog size, connect time, drain time and events/s, hub peak RSS and CPU seconds,
 * alarm latency p50/p99/max, alarms raised / stored / duplicates (from the hub's SQLite, read-only
 * after the run), file descriptors per gateway.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openBenchConsole, type BenchConsole } from './bench-console.js';
import { defaultProbeGateways, loadLayout, sharesInOrder } from './load-layout.js';
import { histogramQuantileMs, metricValue } from './hub-process.js';
import { startBenchHubs, type BenchHubs } from './hubs.js';
import { tlsHandshakes } from './bench-tls.js';
import { readingAt } from './breakdown.js';
import { percentiles } from './stats.js';
import { stormBreakdown } from './storm-breakdown.js';
import { hubDrainLine, hubDrainSample, type HubDrainSample } from './storm-progress.js';
import type { GatewayWorker } from './worker-client.js';
import { forkLayoutWorkers, primeTlsTickets } from './worker-pool.js';
import {
  DEFAULT_STORM_LOAD_PRIORITY,
  type GatewayBase,
  type OfferedAlarm,
} from './worker-protocol.js';

import type { StormBenchOptions, StormBenchResult } from './storm-result.js';

export type { StormBenchOptions, StormBenchResult };

const SECRET = 'storm-bench-gateway-secret';

export async function runStormBench(options: StormBenchOptions): Promise<StormBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-storm-'));
  const workers: GatewayWorker[] = [];
  let hub: BenchHubs | undefined;
  let benchConsole: BenchConsole | undefined;
  try {
    const ids = Array.from(
      { length: options.gateways },
      (_, i) => `storm-${String(i + 1).padStart(5, '0')}`,
    );
    // The probes (load-layout.ts) are prefilled and start in the storm like every gateway; only
    // they raise alarms, so an alarm's own stages are not timed through a niced process.
    const layout = loadLayout(
      ids,
      options.probeGateways ?? defaultProbeGateways(ids.length),
      options.workers ?? Math.max(2, Math.ceil(ids.length / 2500)),
      0,
      0,
    );
    const workerCount = layout.load.length;
    // The single-hub layout of hubs.ts, so `--tls` and the report's layout line are the latency
    // bench's; its alarm trace is what the breakdown joins.
    hub = await startBenchHubs({
      dir,
      gatewayIds: ids,
      secret: SECRET,
      log: options.log,
      ...(options.tls || options.primeTickets ? { tls: true } : {}),
    });
    options.log(
      `${hub.describe} up (pid ${hub.pids.join(', ')}), ${ids.length} gateways provisioned`,
    );

    // Process w hosts slices[w]: the probes first (at the hub's priority), then the load.
    const slices = sharesInOrder(layout).map((share) => share.gatewayIds);
    const loadPriority = options.loadPriority ?? DEFAULT_STORM_LOAD_PRIORITY;
    await forkLayoutWorkers(layout, loadPriority, workers);
    const workerOf = new Map<string, GatewayWorker | undefined>(
      slices.flatMap((slice, w) => slice.map((id) => [id, workers[w]] as const)),
    );
    const raisers = layout.probe?.gatewayIds ?? ids;
    const base: GatewayBase = {
      hubUrl: hub.mqttUrlFor(0),
      password: SECRET,
      dataRoot: join(dir, 'gateways'),
      ...(hub.caFile ? { hub: { caFile: hub.caFile } } : {}),
      ...(options.spreadMs === undefined ? {} : { reconnect: { spreadMs: options.spreadMs } }),
      // Production defaults otherwise (30 s heartbeats, 10 s ack timeout, backoff 1 s … 60 s).
    };
    let ticketsSaved = 0;
    if (options.primeTickets) {
      ticketsSaved = await primeTlsTickets(workers, slices, base, options.timeoutS * 1000);
      if (!hub.restart) throw new Error(`${hub.describe} cannot be restarted to prime tickets`);
      hub = await hub.restart();
      options.log(
        `primed: ${ticketsSaved} gateways connected once and saved the hub's TLS ticket; hub restarted on its data directory (pid ${hub.pids.join(', ')})`,
      );
    }
    // The hub of the storm (restarted when primed): its counters and CPU are the storm's.
    const [traceFile = join(dir, 'alarm-trace.tsv')] = hub.traceFiles;
    const hubLayout = hub.describe;
    const tls = hub.caFile !== undefined;
    const httpUrl = hub.console.httpUrl;
    const cpuAtStart = hub.cpuSeconds();
    const perGateway = Math.round(options.eventsPerHomePerS * 60 * options.backlogMinutes);
    const prefillStart = Date.now();
    const prefilled = await Promise.all(
      workers.map((worker, w) =>
        worker.request(
          {
            op: 'prefill',
            gateways: slices[w] ?? [],
            base,
            events: perGateway,
            spanMs: options.backlogMinutes * 60_000,
          },
          3_600_000,
        ),
      ),
    );
    const backlogEvents = prefilled.reduce((s, r) => s + (r.events ?? 0), 0);
    const prefillSeconds = (Date.now() - prefillStart) / 1000;
    options.log(
      `prefilled ${backlogEvents} events (${perGateway} per gateway) in ${prefillSeconds.toFixed(1)} s`,
    );

    // The console: the first push showing each trigger (matched to the raised alarm afterwards
    // by gateway and observed time; a push can arrive before the load process's reply). It
    // resolves new alarms as an operator would (bench-console.ts).
    benchConsole = await openBenchConsole(httpUrl, hub.console.cookie);
    const firstSeen = benchConsole.arrivals;

    const fdsBefore = (await workers[0]?.request({ op: 'health' }))?.fds ?? 0;
    // The storm: every gateway starts (opens its outbox, connects) in the same moment.
    const t0 = Date.now();
    const loadAtStart = round1(loadavg()[0] ?? 0);
    const start = (w: number) =>
      workers[w]?.request({ op: 'start', gateways: slices[w] ?? [], base }, 600_000) ??
      Promise.resolve(undefined);
    // The probes start once the load processes have started theirs (opened every outbox and
    // scheduled every first attempt: 15 s for 10,000 here), so their connects fall in the storm
    // rather than ahead of it, and alarms are raised from then on, some while they connect.
    const probe = layout.probe ? 0 : -1;
    const loadStarted = Promise.all(
      workers.map((_, w) => (w === probe ? Promise.resolve(undefined) : start(w))),
    );
    const started = loadStarted.then(async (replies) => {
      if (probe >= 0) replies[probe] = await start(probe);
      return replies;
    });
    const raised: OfferedAlarm[] = [];
    let alarmsFailed = 0;
    let n = 0;
    let stopAlarms = false;
    const alarmLoop = (async () => {
      const gapMs = options.alarmRate > 0 ? 1000 / options.alarmRate : 0;
      await started;
      while (!stopAlarms && gapMs > 0) {
        const gatewayId = raisers[Math.floor(Math.random() * raisers.length)] ?? '';
        const worker = workerOf.get(gatewayId);
        n += 1;
        worker
          ?.request({ op: 'alarms', items: [{ gatewayId, n }] }, 60_000)
          .then((reply) => raised.push(...(reply.alarms ?? [])))
          .catch(() => (alarmsFailed += 1));
        await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
    const startReplies = await started;
    const fdsAfter = startReplies[0]?.fds ?? 0;
    options.log(`all gateways started in ${((Date.now() - t0) / 1000).toFixed(1)} s; draining`);

    let connectSeconds: number | null = null;
    let drainSeconds: number | null = null;
    let workerPeakRss = 0;
    const deadline = t0 + options.timeoutS * 1000;
    let lastLog = 0;
    let lastHubSample: HubDrainSample | undefined;
    let lastHealth = { connectFailures: 0, ticketsLoaded: 0 };
    const loadLoopDelayMs = { p99: 0, max: 0 };
    const probes: number[] = [];
    while (Date.now() < deadline) {
      // How responsive the hub's event loop is during the drain: one HTTP round trip.
      const probeStart = Date.now();
      await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(5000) })
        .then((res) => res.arrayBuffer())
        .catch(() => undefined);
      probes.push(Date.now() - probeStart);
      const health = await Promise.all(workers.map((w) => w.request({ op: 'health' }, 60_000)));
      lastHealth = {
        connectFailures: health.reduce((s, h) => s + (h.connectFailures ?? 0), 0),
        ticketsLoaded: health.reduce((s, h) => s + (h.ticketsLoaded ?? 0), 0),
      };
      const connected = health.reduce((s, h) => s + (h.connected ?? 0), 0);
      const depth = health.reduce((s, h) => s + (h.telemetryDepth ?? 0), 0);
      const lanes = { held: 0, awaitingAck: 0, resends: 0 };
      for (const h of health) {
        lanes.held += h.telemetryLanes?.held ?? 0;
        lanes.awaitingAck += h.telemetryLanes?.awaitingAck ?? 0;
        lanes.resends += h.telemetryLanes?.resends ?? 0;
      }
      workerPeakRss = Math.max(workerPeakRss, ...health.map((h) => h.rssBytes ?? 0));
      for (const h of health) {
        loadLoopDelayMs.p99 = Math.max(loadLoopDelayMs.p99, h.loopDelayMs?.p99 ?? 0);
        loadLoopDelayMs.max = Math.max(loadLoopDelayMs.max, h.loopDelayMs?.max ?? 0);
      }
      if (connectSeconds === null && connected === ids.length)
        connectSeconds = (Date.now() - t0) / 1000;
      if (depth === 0 && connected === ids.length) {
        drainSeconds = (Date.now() - t0) / 1000;
        break;
      }
      if (Date.now() - lastLog > 5000) {
        lastLog = Date.now();
        const hubMetrics = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(5000) })
          .then((res) => res.text())
          .catch(() => undefined);
        const hubSample = hubMetrics ? hubDrainSample(hubMetrics, Date.now()) : undefined;
        const hubLine =
          hubMetrics && hubSample && lastHubSample
            ? `; ${hubDrainLine(hubMetrics, hubSample, lastHubSample)}`
            : '';
        lastHubSample = hubSample ?? lastHubSample;
        options.log(
          `t+${((Date.now() - t0) / 1000).toFixed(0)} s: ${connected}/${ids.length} connected (${lastHealth.connectFailures} failed attempts), ${depth} events still queued at gateways (lanes: ${lanes.held} held by a deferral, ${lanes.awaitingAck} awaiting an ack, ${lanes.resends} ack timeouts so far)${hubLine}`,
        );
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    stopAlarms = true;
    await alarmLoop;
    // Let the last alarms arrive.
    const settle = Date.now() + 15_000;
    const alarmDepth = async () =>
      (await Promise.all(workers.map((w) => w.request({ op: 'health' })))).reduce(
        (s, h) => s + (h.alarmDepth ?? 0),
        0,
      );
    while (Date.now() < settle && (raised.length + alarmsFailed < n || (await alarmDepth()) > 0))
      await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 500));

    const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
    const sqlSum = metricValue(metrics, 'anxin_sql_write_seconds_sum');
    const sqlCount = metricValue(metrics, 'anxin_sql_write_seconds_count');
    const writeSum = metricValue(metrics, 'anxin_telemetry_write_seconds_sum');
    const writeCount = metricValue(metrics, 'anxin_telemetry_write_seconds_count');
    const hubCpuSeconds = hub.cpuSeconds() - cpuAtStart;
    const hubPeakRssMb = hub.peakRssMb();
    benchConsole.close();
    const timed = (
      await Promise.all(workers.map((w) => w.request({ op: 'alarm-times' }, 60_000)))
    ).flatMap((r) => r.alarms ?? []);
    for (const worker of workers) await worker.stop();
    await hub.stop();
    hub = undefined;

    const { stored, duplicated } = countStoredAlarms(join(dir, 'hub', 'anxin.db'), raised);
    const latencyOf = (a: OfferedAlarm) => {
      const seenAt = firstSeen.get(`${a.gatewayId}|${a.observedAt}`);
      return seenAt === undefined ? undefined : seenAt - readingAt(a);
    };
    const measured = (list: OfferedAlarm[]) =>
      list.map(latencyOf).filter((x): x is number => x !== undefined);
    const health = lastHealth;
    const gatewaysInWorker0 = slices[0]?.length ?? 0;
    return {
      layout: hubLayout,
      tls,
      tlsHandshakes: tls ? tlsHandshakes(metrics) : null,
      ticketsPrimed: options.primeTickets === true,
      tlsTickets: tls ? { saved: ticketsSaved, offered: health.ticketsLoaded } : null,
      gateways: ids.length,
      workers: workerCount,
      loadPriority,
      probeGateways: layout.probe?.gatewayIds.length ?? 0,
      backlogMinutes: options.backlogMinutes,
      backlogEvents,
      prefillSeconds: round1(prefillSeconds),
      connectSeconds: connectSeconds === null ? null : round1(connectSeconds),
      drainSeconds: drainSeconds === null ? null : round1(drainSeconds),
      drainEventsPerS: drainSeconds ? Math.round(backlogEvents / drainSeconds) : null,
      drained: drainSeconds !== null,
      hubPeakRssMb,
      hubCpuSeconds: round1(hubCpuSeconds),
      alarmLatencyMs: percentiles(measured(raised)),
      alarmLatencyConnectedMs: percentiles(measured(raised.filter((a) => a.connected))),
      hubHttpProbeMs: percentiles(probes),
      alarmsRaisedWhileConnecting: raised.filter((a) => !a.connected).length,
      gatewayConnectFailures: health.connectFailures,
      alarmsRaised: raised.length,
      alarmsStored: stored,
      alarmsDuplicated: duplicated,
      alarmsLost: Math.max(0, raised.length - (stored - duplicated)),
      sqlAlarmCommitMeanMs: sqlCount > 0 ? Math.round((sqlSum / sqlCount) * 1e5) / 100 : null,
      sqlAlarmCommits: sqlCount,
      hubAlarmAckP99Ms: histogramQuantileMs(metrics, 'anxin_alarm_ack_seconds', 0.99),
      telemetryWrites: writeCount,
      telemetryWriteMeanMs: writeCount > 0 ? Math.round((writeSum / writeCount) * 1e4) / 10 : null,
      telemetryWriteP99Ms: histogramQuantileMs(metrics, 'anxin_telemetry_write_seconds', 0.99),
      telemetryDeferred: metricValue(metrics, 'anxin_acks_total', {
        lane: 'telemetry',
        outcome: 'deferred',
      }),
      fdsPerGateway:
        gatewaysInWorker0 > 0 && fdsAfter > 0
          ? Math.round(((fdsAfter - fdsBefore) / gatewaysInWorker0) * 10) / 10
          : null,
      workerPeakRssMb: Math.round(workerPeakRss / 1024 / 1024),
      loadLoopDelayMs,
      spreadMs: options.spreadMs ?? null,
      loadAverage: { start: loadAtStart, end: round1(loadavg()[0] ?? 0) },
      breakdown: stormBreakdown(timed, traceFile, firstSeen),
    };
  } finally {
    benchConsole?.close();
    for (const worker of workers) await worker.kill('SIGKILL').catch(() => undefined);
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Stored triggers of the raised alarms (matched by gateway and detail n) and duplicates. */
function countStoredAlarms(
  file: string,
  raised: readonly OfferedAlarm[],
): { stored: number; duplicated: number } {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db
      .prepare<[], { gateway_id: string; detail_json: string | null }>(
        "SELECT gateway_id, detail_json FROM alarm_triggers WHERE kind = 'sos'",
      )
      .all();
    const wanted = new Set(raised.map((a) => `${a.gatewayId}#${a.n}`));
    const seen = new Map<string, number>();
    for (const row of rows) {
      const n = (JSON.parse(row.detail_json ?? '{}') as { n?: unknown }).n;
      const key = `${row.gateway_id}#${String(n)}`;
      if (wanted.has(key)) seen.set(key, (seen.get(key) ?? 0) + 1);
    }
    let stored = 0;
    let duplicated = 0;
    for (const count of seen.values()) {
      stored += count;
      duplicated += count - 1;
    }
    return { stored, duplicated };
  } finally {
    db.close();
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
