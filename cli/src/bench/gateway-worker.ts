/**
 * A load process: hosts many real gateways (`createGateway`: durable outbox, MQTT uplink) in one
 * child process, driven over Node IPC by a benchmark (`anxin bench storm`, `anxin bench latency`)
 * or by the fault-injection suite (test/faults/). Readings are injected where decoded frames enter
 * a gateway (`ingest` / `ingestBatch`), each carrying an identifying number `n` (alarm detail
 * `n`, telemetry field `energy_kwh`), so the caller can check at the hub that every event arrived
 * exactly once.
 *
 * Run several of these so that the load generator is not the bottleneck: one Node process cannot
 * offer more than a few thousand single-event outbox transactions a second.
 *
 * Start: `child_process.fork(cli/dist/bench/gateway-worker.js)`; see worker-client.ts.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import { validateConfig } from '@anxin/protocol';
import { pino } from 'pino';
import type { WorkerReply, WorkerRequest, GatewayBase, OfferedAlarm } from './worker-protocol.js';

export const METER = 'meter-1';
export const SOS = 'sos-button';

const logger = pino({ level: process.env.ANXIN_WORKER_LOG ?? 'silent' });
const gateways = new Map<string, Gateway>();
/** Observed times already used per gateway: the embedded store keys telemetry on it. */
const usedTimes = new Map<string, Set<number>>();
let clockOffsetMs = 0;
/** Event-loop delay of this process, measured from the 'start' request on. */
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
const now = () => Date.now() + clockOffsetMs;

function configFor(gatewayId: string, base: GatewayBase, hubUrl = base.hubUrl) {
  return validateConfig(
    GatewayConfigSchema,
    {
      gatewayId,
      dataDir: join(base.dataRoot, gatewayId),
      hub: { url: hubUrl, password: base.password, ...(base.hub ?? {}) },
      heartbeatIntervalS: base.heartbeatIntervalS ?? 30,
      outbox: base.outbox ?? {},
      reconnect: base.reconnect ?? {},
      log: { level: 'silent' },
      devices: [
        { id: METER, driver: 'mr60fda1' },
        { id: SOS, driver: 'mr60fda1' },
      ],
    },
    `gateway ${gatewayId}`,
  );
}

function uniqueTime(gatewayId: string, wanted: number): number {
  let used = usedTimes.get(gatewayId);
  if (!used) usedTimes.set(gatewayId, (used = new Set()));
  let t = Math.round(wanted);
  while (used.has(t)) t += 1;
  used.add(t);
  if (used.size > 200_000) used.clear();
  return t;
}

function gatewayOf(id: string): Gateway {
  const gateway = gateways.get(id);
  if (!gateway) throw new Error(`no gateway ${id} in this worker`);
  return gateway;
}

function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

async function startAll(ids: readonly string[], base: GatewayBase): Promise<void> {
  const gatewaysToStart = ids.map((id) => {
    const gateway = createGateway(configFor(id, base), { logger, now });
    gateways.set(id, gateway);
    return gateway;
  });
  // Open every outbox first (cheap), then let every uplink connect in the same tick: "at once".
  await Promise.all(gatewaysToStart.map((g) => g.start()));
}

/** Fills each gateway's outbox with `events` telemetry spread over `spanMs`, hub unreachable. */
async function prefill(
  ids: readonly string[],
  base: GatewayBase,
  events: number,
  spanMs: number,
): Promise<number> {
  let total = 0;
  const endAt = now();
  for (const id of ids) {
    // Port 9 (discard) on loopback refuses connections: the uplink never reaches anything.
    const gateway = createGateway(configFor(id, base, 'mqtt://127.0.0.1:9'), { logger, now });
    await gateway.start();
    const items = Array.from({ length: events }, (_, i) => ({
      deviceId: METER,
      reading: { type: 'telemetry' as const, fields: { energy_kwh: i } },
      observedAt: uniqueTime(id, endAt - spanMs + (spanMs * i) / Math.max(1, events)),
    }));
    for (let i = 0; i < items.length; i += 5000)
      total += gateway.ingestBatch(items.slice(i, i + 5000)).length;
    await gateway.stop();
  }
  return total;
}

async function offer(
  rate: number,
  durationS: number,
  alarmRate: number,
  tickMs: number,
): Promise<{ telemetryOffered: number; alarms: OfferedAlarm[]; maxTickLagMs: number }> {
  const list = [...gateways.entries()];
  const alarms: OfferedAlarm[] = [];
  if (list.length === 0) return { telemetryOffered: 0, alarms, maxTickLagMs: 0 };
  let telemetryOffered = 0;
  let carry = 0;
  let maxTickLagMs = 0;
  const startedAt = Date.now();
  const endAt = startedAt + durationS * 1000;
  let nextAlarmAt = startedAt + expGap(alarmRate);
  let cursor = 0;
  let n = 0;
  let nextTick = startedAt;
  let lastTickAt = startedAt;
  while (Date.now() < endAt) {
    const tickAt = Date.now();
    maxTickLagMs = Math.max(maxTickLagMs, tickAt - nextTick);
    nextTick = Math.max(nextTick + tickMs, tickAt);
    // Offer by elapsed time, not by tick count: a late tick offers more (in bigger, cheaper
    // transactions), so the offered rate holds while the process keeps up at all.
    // At most half a second's worth at once: a process that cannot keep up offers less (and
    // says so through the offered rate) rather than stalling in one giant transaction.
    carry = Math.min(carry + (rate * (tickAt - lastTickAt)) / 1000, rate / 2);
    lastTickAt = tickAt;
    const count = Math.floor(carry);
    carry -= count;
    // Spread this tick's telemetry round-robin over the gateways, one transaction per gateway.
    const perGateway = new Map<string, number>();
    for (let i = 0; i < count; i += 1) {
      const entry = list[cursor % list.length];
      cursor += 1;
      if (entry) perGateway.set(entry[0], (perGateway.get(entry[0]) ?? 0) + 1);
    }
    for (const [id, k] of perGateway) {
      const at = now();
      gatewayOf(id).ingestBatch(
        Array.from({ length: k }, () => ({
          deviceId: METER,
          reading: { type: 'telemetry' as const, fields: { power_w: (n += 1) % 5000 } },
          observedAt: uniqueTime(id, at),
        })),
      );
      telemetryOffered += k;
    }
    while (alarmRate > 0 && nextAlarmAt <= Date.now()) {
      const entry = list[Math.floor(Math.random() * list.length)];
      if (entry) alarms.push(raiseAlarm(entry[0], alarms.length + 1));
      nextAlarmAt += expGap(alarmRate);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, nextTick - Date.now())));
  }
  return { telemetryOffered, alarms, maxTickLagMs };
}

function raiseAlarm(gatewayId: string, n: number): OfferedAlarm {
  const gateway = gatewayOf(gatewayId);
  const connected = gateway.health().connected;
  const event = gateway.ingest(SOS, {
    type: 'alarm',
    kind: 'sos',
    action: 'raise',
    detail: { n },
  });
  return { gatewayId, n, seq: event.seq, observedAt: event.observedAt, connected };
}

function expGap(perSecond: number): number {
  return perSecond > 0
    ? (-Math.log(1 - Math.random()) / perSecond) * 1000
    : Number.POSITIVE_INFINITY;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.op) {
    case 'start':
      loopDelay.reset();
      loopDelay.enable();
      await startAll(request.gateways, request.base);
      return { rid: request.rid, ok: true, fds: openFds() };
    case 'prefill':
      return {
        rid: request.rid,
        ok: true,
        events: await prefill(request.gateways, request.base, request.events, request.spanMs),
        fds: openFds(),
      };
    case 'alarms':
      return {
        rid: request.rid,
        ok: true,
        alarms: request.items.map(({ gatewayId, n }) => raiseAlarm(gatewayId, n)),
      };
    case 'telemetry': {
      let count = 0;
      for (const { gatewayId, from, count: k } of request.items) {
        const at = now();
        count += gatewayOf(gatewayId).ingestBatch(
          Array.from({ length: k }, (_, i) => ({
            deviceId: METER,
            reading: { type: 'telemetry' as const, fields: { energy_kwh: from + i } },
            observedAt: uniqueTime(gatewayId, at - k + 1 + i),
          })),
        ).length;
      }
      return { rid: request.rid, ok: true, events: count };
    }
    case 'offer': {
      const result = await offer(
        request.rate,
        request.durationS,
        request.alarmRate,
        request.tickMs ?? 50,
      );
      return { rid: request.rid, ok: true, ...result };
    }
    case 'clock':
      clockOffsetMs = request.offsetMs;
      return { rid: request.rid, ok: true };
    case 'health': {
      const health = [...gateways.values()].map((g) => g.health());
      return {
        rid: request.rid,
        ok: true,
        connected: health.filter((h) => h.connected).length,
        connectFailures: health.reduce((s, h) => s + h.uplink.connectFailures, 0),
        alarmDepth: health.reduce((s, h) => s + h.outbox.alarmDepth, 0),
        telemetryDepth: health.reduce((s, h) => s + h.outbox.telemetryDepth, 0),
        droppedTelemetry: health.reduce((s, h) => s + h.outbox.droppedTelemetry, 0),
        fds: openFds(),
        rssBytes: process.memoryUsage().rss,
        loopDelayMs: {
          p99: Math.round(loopDelay.percentile(99) / 1e6),
          max: Math.round(loopDelay.max / 1e6),
        },
      };
    }
    case 'stop':
      await Promise.all([...gateways.values()].map((g) => g.stop().catch(() => undefined)));
      gateways.clear();
      return { rid: request.rid, ok: true };
  }
}

process.on('message', (message: WorkerRequest) => {
  handle(message).then(
    (reply) => process.send?.(reply),
    (err: unknown) =>
      process.send?.({
        rid: message.rid,
        ok: false,
        error: err instanceof Error ? err.message : String(err),
      }),
  );
});
// The parent going away (crash, SIGKILL of a test runner) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
process.send?.({ rid: 0, ok: true, ready: true });
