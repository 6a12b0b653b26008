/**
 * `anxin bench latency`: end-to-end alarm latency under telemetry load, on loopback.
 *
 * The hub runs as its own process (`anxin hub`, so it has a core of its own, as in production);
 * this process runs N real gateways (each its own durable outbox and MQTT connection) and a console
 * (a logged-in Socket.IO client). Telemetry is offered at --rate events/s spread over the gateways;
 * alarms are raised at random moments (Poisson, --alarm-rate per second) in random gateways.
 *
 * Latency of an alarm = time its Socket.IO push reaches the console − the moment the gateway read
 * it (the event's observedAt, stamped by the gateway when the device's reading arrived; the same
 * clock, since gateways and console share this process).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { validateConfig } from '@anxin/protocol';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { spawnHubProcess, type HubProcess } from './hub-process.js';
import { percentiles, type Percentiles } from './stats.js';

export interface LatencyBenchOptions {
  gateways: number;
  /** Telemetry events per second offered, across all gateways. */
  rate: number;
  durationS: number;
  /** Alarms per second, on average, across all gateways. */
  alarmRate: number;
  /** Where progress lines go (the JSON result is returned, not printed). */
  log: (line: string) => void;
}

export interface LatencyBenchResult {
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
  hubPeakRssMb: number;
}

const TICK_MS = 50;

export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-bench-'));
  const gateways: Gateway[] = [];
  let hub: HubProcess | undefined;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
  try {
    const ids = Array.from(
      { length: options.gateways },
      (_, i) => `bench-${String(i + 1).padStart(5, '0')}`,
    );
    const secret = 'bench-gateway-secret';
    hub = await spawnHubProcess({ dir, gatewayIds: ids, secret });
    options.log(`hub up at ${hub.httpUrl} (pid ${hub.pid}); starting ${ids.length} gateways`);

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

    const logger = pino({ level: 'fatal' });
    for (let i = 0; i < ids.length; i += 50) {
      const started = await Promise.all(
        ids.slice(i, i + 50).map(async (gatewayId) => {
          const config = validateConfig(
            GatewayConfigSchema,
            {
              gatewayId,
              dataDir: join(dir, 'gw', gatewayId),
              hub: { url: hub?.mqttUrl, password: secret },
              // Readings are injected where decoded frames enter the gateway (Gateway.ingest), so
              // these devices need no port: the benchmark measures the gateway → console path.
              devices: [
                { id: 'meter-1', driver: 'mr60fda1' },
                { id: 'sos-button', driver: 'mr60fda1' },
              ],
            },
            'bench',
          );
          const gateway = createGateway(config, { logger });
          await gateway.start();
          return gateway;
        }),
      );
      gateways.push(...started);
    }
    options.log(
      `${gateways.length} gateways connected; offering ${options.rate} telemetry/s and ${options.alarmRate} alarms/s for ${options.durationS} s`,
    );

    // Load: telemetry spread evenly over ticks, alarms as a Poisson process.
    let telemetryOffered = 0;
    let alarmsSent = 0;
    let carry = 0;
    const pick = () => gateways[Math.floor(Math.random() * gateways.length)];
    const storedBefore = await hub.telemetryStored();
    const startedAt = Date.now();
    const endAt = startedAt + options.durationS * 1000;
    let nextAlarmAt = startedAt + expGap(options.alarmRate);
    while (Date.now() < endAt) {
      const tickStart = Date.now();
      carry += (options.rate * TICK_MS) / 1000;
      for (; carry >= 1; carry -= 1) {
        pick()?.ingest('meter-1', {
          type: 'telemetry',
          fields: { power_w: Math.round(Math.random() * 2000) },
        });
        telemetryOffered += 1;
      }
      while (options.alarmRate > 0 && nextAlarmAt <= Date.now()) {
        pick()?.ingest('sos-button', { type: 'alarm', kind: 'sos', action: 'raise' });
        alarmsSent += 1;
        nextAlarmAt += expGap(options.alarmRate);
      }
      const spent = Date.now() - tickStart;
      await new Promise((r) => setTimeout(r, Math.max(0, TICK_MS - spent)));
    }
    const elapsedS = (Date.now() - startedAt) / 1000;
    options.log(`load done; waiting for the last alarms and telemetry`);
    const drainDeadline = Date.now() + 15_000;
    while (alarmsReceived < alarmsSent && Date.now() < drainDeadline)
      await new Promise((r) => setTimeout(r, 100));
    const stored = (await hub.telemetryStored()) - storedBefore;

    return {
      gateways: gateways.length,
      durationS: Math.round(elapsedS * 10) / 10,
      alarmLatencyMs: percentiles(latencies),
      alarmsSent,
      alarmsReceived,
      alarmsLost: Math.max(0, alarmsSent - alarmsReceived),
      telemetryOfferedPerS: Math.round(telemetryOffered / elapsedS),
      telemetryOffered,
      telemetryStored: stored,
      telemetryStoredPerS: Math.round(stored / elapsedS),
      hubPeakRssMb: Math.round(hub.peakRssBytes() / 1024 / 1024),
    };
  } finally {
    socket?.close();
    await Promise.all(gateways.map((g) => g.stop().catch(() => undefined)));
    await hub?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Exponential gap (ms) for a Poisson process of `perSecond` events per second. */
function expGap(perSecond: number): number {
  return perSecond > 0
    ? (-Math.log(1 - Math.random()) / perSecond) * 1000
    : Number.POSITIVE_INFINITY;
}
