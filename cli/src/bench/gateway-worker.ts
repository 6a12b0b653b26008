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
import { applyLoadPriority } from './load-priority.js';
import { profileWindow } from './profile-window.js';
import { join } from 'node:path';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import { validateConfig, type GatewayEvent } from '@anxin/protocol';
import { pino } from 'pino';
import { preciseNow } from './clock.js';
import { cpuMsSince, expGap, openFds } from './process-figures.js';
import { loopLagMonitor } from './loop-lag.js';
import { lastConnect, probeAlarmPublishes } from './publish-probe.js';
import {
  isWorkerRequest,
  type WorkerReply,
  type WorkerRequest,
  type GatewayBase,
  type OfferedAlarm,
} from './worker-protocol.js';

export const METER = 'meter-1';
export const SOS = 'sos-button';

// Before anything else runs: the load yields the CPU to the hub (load-priority.ts).
applyLoadPriority();

const logger = pino({ level: process.env.ANXIN_WORKER_LOG ?? 'silent' });
const gateways = new Map<string, Gateway>();
/** Observed times already used per gateway: the embedded store keys telemetry on it. */
const usedTimes = new Map<string, Set<number>>();
let clockOffsetMs = 0;
/** Event-loop delay of this process, measured from the 'start' request on. */
const loopDelay = loopLagMonitor(10);
/** The same during the current (or last) offer only: the load generator's own lag. */
const offerLoopDelay = loopLagMonitor(5);
const now = () => Date.now() + clockOffsetMs;
/** What the current offer has done so far, for progress lines while it runs. */
const progress = { telemetryOffered: 0, alarmsRaised: 0, cpuAtStart: process.cpuUsage() };
/** Alarms raised here whose first MQTT publish is still to be seen, by `${gatewayId}|${seq}`. */
const awaitingPublish = new Map<string, OfferedAlarm>();
/** Alarms raised by 'alarms' requests, reported with their times by 'alarm-times'. */
let requestedAlarms: OfferedAlarm[] = [];
/**
 * The gateway now raising an alarm, and its alarm publishes during that call: a connected
 * gateway publishes the alarm inside `ingest`, while its outbox commit syncs (gateway outbox.ts,
 * "Sending while the commit syncs"), before its seq is known here.
 */
let raising: { gatewayId: string; published: Map<number, number> } | undefined;
probeAlarmPublishes((gatewayId, seqs, at) => {
  for (const seq of seqs) {
    if (raising?.gatewayId === gatewayId && !raising.published.has(seq))
      raising.published.set(seq, at);
    const key = `${gatewayId}|${seq}`;
    const alarm = awaitingPublish.get(key);
    if (!alarm) continue;
    alarm.publishedAt = at;
    if (!alarm.connected) {
      // Raised while connecting: the attempt that connected, and its CONNACK.
      const connect = lastConnect(gatewayId);
      if (connect?.connackAt !== undefined) {
        alarm.connectAttemptAt = connect.attemptAt;
        alarm.connackAt = connect.connackAt;
      }
    }
    awaitingPublish.delete(key);
  }
});

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

async function startAll(ids: readonly string[], base: GatewayBase): Promise<void> {
  const gatewaysToStart = ids.map((id) => {
    const gateway = createGateway(configFor(id, base), { logger, now });
    gateways.set(id, gateway);
    return gateway;
  });
  // Open every outbox first (cheap), then let every uplink connect in the same tick: "at once".
  await Promise.all(gatewaysToStart.map((g) => g.start()));
}

/**
 * One reading per gateway before any measurement: a new outbox's first event reserves its first
 * block of seqs with a full fsync, and 2,000 of those at the same moment (disk-bound) would be
 * charged to the first second of load, which a gateway in service never sees.
 */
function warmUp(ids: readonly string[]): void {
  for (const id of ids) gatewayOf(id).ingest(METER, { type: 'telemetry', fields: { power_w: 0 } });
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

/**
 * Offers telemetry at `rate` events/s and alarms at `alarmRate`/s (Poisson) for `durationS`.
 *
 * Each gateway is served once per `periodMs` (default 1 s), at its own phase in the period so the
 * load is spread evenly, with its share of the rate in one outbox transaction: a real gateway
 * reading a few devices a second, made cheap enough that the generator itself keeps up (one
 * transaction, one publish and one ack per gateway per period instead of one per event). Timers
 * stay per process, not per gateway. A process that falls more than a period behind skips the
 * missed services rather than bursting, and the offered rate reported says so.
 */
async function offer(
  rate: number,
  durationS: number,
  alarmRate: number,
  tickMs: number,
  periodMs: number,
): Promise<{ telemetryOffered: number; alarms: OfferedAlarm[]; maxTickLagMs: number }> {
  const list = [...gateways.keys()];
  const alarms: OfferedAlarm[] = [];
  progress.telemetryOffered = 0;
  progress.alarmsRaised = 0;
  progress.cpuAtStart = process.cpuUsage();
  offerLoopDelay.reset();
  offerLoopDelay.enable();
  if (list.length === 0) return { telemetryOffered: 0, alarms, maxTickLagMs: 0 };
  const profile = await profileWindow(`worker-${process.pid}-offer`);
  const n = list.length;
  /** Events one service of one gateway is worth, on average. */
  const perService = (rate * periodMs) / 1000 / n;
  const slotMs = periodMs / n;
  let carry = 0;
  let maxTickLagMs = 0;
  const startedAt = Date.now();
  const endAt = startedAt + durationS * 1000;
  let nextAlarmAt = startedAt + expGap(alarmRate);
  let served = 0;
  let value = 0;
  let nextTick = startedAt;
  while (Date.now() < endAt) {
    const tickAt = Date.now();
    maxTickLagMs = Math.max(maxTickLagMs, tickAt - nextTick);
    nextTick = Math.max(nextTick + tickMs, tickAt);
    // Skip what is more than one period late (the offered rate then shows the shortfall).
    const due = Math.floor((tickAt - startedAt) / slotMs) + 1;
    if (due - served > n) served = due - n;
    for (; served < due; served += 1) {
      carry += perService;
      const count = Math.floor(carry);
      if (count === 0) continue;
      carry -= count;
      const id = list[served % n];
      if (id === undefined) continue;
      const at = now();
      gatewayOf(id).ingestBatch(
        Array.from({ length: count }, () => ({
          deviceId: METER,
          reading: { type: 'telemetry' as const, fields: { power_w: (value += 1) % 5000 } },
          observedAt: uniqueTime(id, at),
        })),
      );
      progress.telemetryOffered += count;
    }
    while (alarmRate > 0 && nextAlarmAt <= Date.now()) {
      const id = list[Math.floor(Math.random() * n)];
      if (id !== undefined) alarms.push(raiseAlarm(id, alarms.length + 1, true));
      progress.alarmsRaised = alarms.length;
      nextAlarmAt += expGap(alarmRate);
    }
    await new Promise((r) => setTimeout(r, Math.max(0, nextTick - Date.now())));
  }
  offerLoopDelay.disable();
  await profile.stop();
  // Give the last alarms' publishes a moment to be seen (they follow in a microtask when the
  // uplink is connected; a gateway still connecting publishes later, or never in this run).
  const publishDeadline = Date.now() + 2000;
  while (alarms.some((a) => a.publishedAt === undefined) && Date.now() < publishDeadline)
    await new Promise((r) => setTimeout(r, 20));
  awaitingPublish.clear();
  return { telemetryOffered: progress.telemetryOffered, alarms, maxTickLagMs };
}

function raiseAlarm(gatewayId: string, n: number, trace = false): OfferedAlarm {
  const gateway = gatewayOf(gatewayId);
  const connected = gateway.health().connected;
  // The reading's moment to a fraction of a ms: observedAt alone (whole ms, the protocol's unit)
  // would add 0–1 ms, 0.5 on average, to every figure measured from it.
  const readAt = preciseNow() + clockOffsetMs;
  const published = new Map<number, number>();
  raising = { gatewayId, published };
  let event: GatewayEvent;
  try {
    event = gateway.ingest(
      SOS,
      { type: 'alarm', kind: 'sos', action: 'raise', detail: { n } },
      Math.floor(readAt),
    );
  } finally {
    raising = undefined;
  }
  // ingest returns once the event is committed to the outbox: the "outbox durable" point.
  const alarm: OfferedAlarm = {
    gatewayId,
    n,
    seq: event.seq,
    observedAt: event.observedAt,
    readAt,
    connected,
    durableAt: preciseNow(),
  };
  const publishedAt = published.get(event.seq);
  if (publishedAt !== undefined) alarm.publishedAt = publishedAt;
  else if (trace) awaitingPublish.set(`${gatewayId}|${event.seq}`, alarm);
  return alarm;
}

async function handle(request: WorkerRequest): Promise<WorkerReply> {
  switch (request.op) {
    case 'start':
      loopDelay.reset();
      loopDelay.enable();
      await startAll(request.gateways, request.base);
      if (request.warmUp) warmUp(request.gateways);
      return { rid: request.rid, ok: true, fds: openFds() };
    case 'prefill':
      return {
        rid: request.rid,
        ok: true,
        events: await prefill(request.gateways, request.base, request.events, request.spanMs),
        fds: openFds(),
      };
    case 'alarms': {
      const raised = request.items.map(({ gatewayId, n }) => raiseAlarm(gatewayId, n, true));
      requestedAlarms.push(...raised);
      return { rid: request.rid, ok: true, alarms: raised };
    }
    case 'alarm-times': {
      const alarms = requestedAlarms;
      requestedAlarms = [];
      for (const a of alarms) awaitingPublish.delete(`${a.gatewayId}|${a.seq}`);
      return { rid: request.rid, ok: true, alarms };
    }
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
        request.tickMs ?? 20,
        request.periodMs ?? 1000,
      );
      return { rid: request.rid, ok: true, ...result };
    }
    case 'progress':
      return {
        rid: request.rid,
        ok: true,
        telemetryOffered: progress.telemetryOffered,
        alarmsRaised: progress.alarmsRaised,
        cpuMs: cpuMsSince(progress.cpuAtStart),
        loopDelayMs: offerLoopDelay.lag(),
      };
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
        telemetryLanes: {
          held: health.filter((h) => h.uplink.lanes.telemetry.heldForMs > 0).length,
          awaitingAck: health.filter((h) => h.uplink.lanes.telemetry.inflightBatches > 0).length,
          resends: health.reduce((s, h) => s + h.uplink.lanes.telemetry.resends, 0),
        },
        ticketsSaved: health.filter((h) => h.uplink.tlsTicketFile.saves > 0).length,
        ticketsLoaded: health.filter((h) => h.uplink.tlsTicketFile.loaded).length,
        fds: openFds(),
        rssBytes: process.memoryUsage().rss,
        loopDelayMs: loopDelay.lag(),
      };
    }
    case 'stop':
      await Promise.all([...gateways.values()].map((g) => g.stop().catch(() => undefined)));
      gateways.clear();
      return { rid: request.rid, ok: true };
  }
}

/** A reply to a parent that has gone (the benchmark ended meanwhile) is dropped, not thrown. */
function reply(message: WorkerReply): void {
  if (!process.connected) return;
  process.send?.(message, undefined, undefined, () => undefined);
}

process.on('message', (message: unknown) => {
  if (!isWorkerRequest(message)) {
    // Answered if it names its request, so the benchmark fails with the reason, not a timeout.
    const rid =
      typeof message === 'object' && message !== null && 'rid' in message ? message.rid : 0;
    reply({
      rid: typeof rid === 'number' ? rid : 0,
      ok: false,
      error: 'gateway worker: unreadable request',
    });
    return;
  }
  handle(message).then(reply, (err: unknown) =>
    reply({
      rid: message.rid,
      ok: false,
      error: err instanceof Error ? err.message : String(err),
    }),
  );
});
// The parent going away (crash, SIGKILL of a test runner) must not leave this process behind.
process.on('disconnect', () => process.exit(0));
process.send?.({ rid: 0, ok: true, ready: true });
