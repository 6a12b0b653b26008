/**
 * `anxin bench latency`: end-to-end alarm latency under telemetry load, on loopback.
 *
 * The hub runs as its own process (`anxin hub`, so it has a core of its own, as in production);
 * W load processes (gateway-worker.ts) run N real gateways (each its own durable outbox and MQTT
 * connection), and this process runs a console (a logged-in Socket.IO client). Each load process
 * writes a tick's telemetry with one outbox transaction per gateway (Gateway.ingestBatch), so the
 * generator can offer far past saturation (tens of thousands of events/s). Telemetry is offered at --rate events/s spread over the gateways;
 * alarms are raised at random moments (Poisson, --alarm-rate per second) in random gateways.
 *
 * Latency of an alarm = time its Socket.IO push reaches the console − the moment the gateway read
 * it (the event's observedAt, stamped by the gateway when the device's reading arrived; the same
 * clock: gateways and console run on the same machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { startClusterLayout, startEmbeddedHub, type HubLayout } from './cluster-layout.js';
import { percentiles, type Percentiles } from './stats.js';
import { forkGatewayWorker, type GatewayWorker } from './worker-client.js';
import type { GatewayBase } from './worker-protocol.js';

export interface LatencyBenchOptions {
  gateways: number;
  /** Telemetry events per second offered, across all gateways. */
  rate: number;
  durationS: number;
  /** Alarms per second, on average, across all gateways. */
  alarmRate: number;
  /** Load processes hosting the gateways and offering the load. */
  workers: number;
  /**
   * Hubs behind Mosquitto on PostgreSQL and Redis (cluster-layout.ts); absent: one hub with its
   * embedded broker and SQLite, the single-machine default.
   */
  hubs?: number;
  /** Where progress lines go (the JSON result is returned, not printed). */
  log: (line: string) => void;
}

export interface LatencyBenchResult {
  /** The hubs and engines measured. */
  layout: string;
  gateways: number;
  durationS: number;
  alarmLatencyMs: Percentiles;
  alarmsSent: number;
  alarmsReceived: number;
  alarmsLost: number;
  telemetryOfferedPerS: number;
  telemetryOffered: number;
  telemetryStored: number;
  telemetryStoredPerS: number;
  /** Load processes, and the worst lateness of their offer ticks (the generator keeping up). */
  workers: number;
  offerLagMaxMs: number;
  hubPeakRssMb: number;
}

export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
  const workers: GatewayWorker[] = [];
  let hub: HubLayout | undefined;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  try {
    const ids = Array.from(
      { length: options.gateways },
      (_, i) => `bench-${String(i + 1).padStart(5, '0')}`,
    );
    const secret = 'bench-gateway-secret';
    const layoutOptions = { dir, gatewayIds: ids, secret, log: options.log };
    hub =
      options.hubs === undefined
        ? await startEmbeddedHub(layoutOptions)
        : await startClusterLayout({ ...layoutOptions, hubs: options.hubs });
    const workerCount = Math.max(1, Math.min(ids.length, options.workers));
    options.log(
      `${hub.describe}: console on ${hub.httpUrl}; starting ${ids.length} gateways in ${workerCount} load process(es)`,
    );

    // The console: every push that adds triggers to an alarm delivers the newest trigger.
    const triggerCounts = new Map<string, number>();
    const latencies: number[] = [];
    let alarmsReceived = 0;
    const onAlarm = (alarm: AlarmDto) => {
      const before = triggerCounts.get(alarm.id) ?? 0;
      if (alarm.triggerCount <= before) return;
      triggerCounts.set(alarm.id, alarm.triggerCount);
      alarmsReceived += alarm.triggerCount - before;
      latencies.push(Date.now() - Date.parse(alarm.lastTriggerAt));
    };
    socket = connectSocket(hub.httpUrl, {
      extraHeaders: { cookie: hub.cookie },
      transports: ['websocket'],
    });
    socket.on('alarm:new', onAlarm);
    socket.on('alarm:updated', onAlarm);
    await new Promise<void>((resolve, reject) => {
      socket?.once('connect', () => resolve());
      socket?.once('connect_error', reject);
    });

    // Gateways run in load processes (gateway-worker.ts) and offer telemetry with one outbox
    // transaction per gateway per tick, so the generator can offer far past the hub's capacity.
    const base: GatewayBase = { hubUrl: hub.mqttUrl, password: secret, dataRoot: join(dir, 'gw') };
    for (let w = 0; w < workerCount; w += 1) workers.push(await forkGatewayWorker());
    await Promise.all(
      workers.map((worker, w) =>
        worker.request(
          { op: 'start', gateways: ids.filter((_, i) => i % workerCount === w), base },
          600_000,
        ),
      ),
    );
    const connectDeadline = Date.now() + 60_000;
    while (Date.now() < connectDeadline) {
      const health = await Promise.all(workers.map((w) => w.request({ op: 'health' })));
      if (health.reduce((s, h) => s + (h.connected ?? 0), 0) === ids.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    options.log(
      `${ids.length} gateways connected; offering ${options.rate} telemetry/s and ${options.alarmRate} alarms/s for ${options.durationS} s`,
    );

    const storedBefore = await hub.telemetryStored();
    const startedAt = Date.now();
    const offers = await Promise.all(
      workers.map((worker) =>
        worker.request(
          {
            op: 'offer',
            rate: options.rate / workerCount,
            durationS: options.durationS,
            alarmRate: options.alarmRate / workerCount,
          },
          (options.durationS + 120) * 1000,
        ),
      ),
    );
    const elapsedS = (Date.now() - startedAt) / 1000;
    const alarmsSent = offers.reduce((s, o) => s + (o.alarms?.length ?? 0), 0);
    const telemetryOffered = offers.reduce((s, o) => s + (o.telemetryOffered ?? 0), 0);
    const stored = (await hub.telemetryStored()) - storedBefore;
    options.log(`load done; waiting for the last alarms`);
    const drainDeadline = Date.now() + 30_000;
    while (alarmsReceived < alarmsSent && Date.now() < drainDeadline)
      await new Promise((r) => setTimeout(r, 100));

    return {
      layout: hub.describe,
      gateways: ids.length,
      workers: workerCount,
      durationS: Math.round(elapsedS * 10) / 10,
      alarmLatencyMs: percentiles(latencies),
      alarmsSent,
      alarmsReceived,
      alarmsLost: Math.max(0, alarmsSent - alarmsReceived),
      telemetryOfferedPerS: Math.round(telemetryOffered / elapsedS),
      telemetryOffered,
      telemetryStored: stored,
      telemetryStoredPerS: Math.round(stored / elapsedS),
      offerLagMaxMs: Math.max(0, ...offers.map((o) => o.maxTickLagMs ?? 0)),
      hubPeakRssMb: Math.round(hub.peakRssBytes() / 1024 / 1024),
    };
  } finally {
    socket?.close();
    for (const worker of workers) await worker.stop().catch(() => undefined);
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
