/**
 * The no-loss contract at the hub (DESIGN.md clauses 2, 3, 4, 7; issue 4) with a real broker and
 * MQTT clients: telemetry acked only once stored, alarms ahead of a telemetry backlog,
 * back-pressure instead of drops, and telemetry deferred while the store is down.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedTelemetryStore } from '../telemetry/embedded.js';
import type { TelemetryPoint, TelemetryStore } from '../telemetry/store.js';
import {
  alarmEvent,
  startHub,
  telemetryEvent,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';

const GW = 'gw-lanes';
const SECRET = 'lanes-secret-1';

/** A store that takes `delayMs` per write and remembers what it was given. */
class SlowStore implements TelemetryStore {
  readonly kind = 'slow-test-store';
  readonly written: TelemetryPoint[] = [];
  writes = 0;
  constructor(private readonly delayMs: number) {}
  start() {
    return Promise.resolve();
  }
  async write(points: TelemetryPoint[]) {
    this.writes += 1;
    await new Promise((r) => setTimeout(r, this.delayMs));
    this.written.push(...points);
  }
  querySeries() {
    return Promise.resolve([]);
  }
  check() {
    return Promise.resolve();
  }
  close() {
    return Promise.resolve();
  }
}

let h: RunningHub | undefined;
let gw: TestGateway | undefined;

afterEach(async () => {
  await gw?.close();
  await h?.close();
  gw = undefined;
  h = undefined;
});

async function setUp(
  overrides: Record<string, unknown>,
  store?: TelemetryStore,
): Promise<{ h: RunningHub; gw: TestGateway }> {
  h = await startHub(overrides, store ? { telemetryStore: store } : {});
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET });
  gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
  return { h, gw };
}

// Recent, distinct timestamps (the embedded store prunes what is older than its retention).
const BASE = Date.now() - 3_600_000;
const batch = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) =>
    telemetryEvent(from + i, { observedAt: BASE + from + i }),
  );

describe('telemetry lane', () => {
  it('acks telemetry once it is in the embedded store; a replay is acked and changes nothing', async () => {
    const { h, gw } = await setUp({});
    const events = batch(1, 3);
    const read = async () => {
      const store = new EmbeddedTelemetryStore(
        `${h.dir}/telemetry.db`,
        30,
        pino({ level: 'silent' }),
      );
      await store.start();
      const rows = store.query(GW, 'meter-1');
      await store.close();
      return rows;
    };
    await gw.sendTelemetry(events);
    const ack = await gw.waitForAck((a) => a.lane === 'telemetry' && a.acked.length === 3);
    expect(ack.deferred).toEqual([]);
    const rows = await read();
    expect(rows.map((r) => r.observedAt)).toEqual(events.map((e) => e.observedAt));
    expect(rows[0]?.fields).toEqual(events[0]?.fields);

    gw.acks.length = 0;
    await gw.sendTelemetry(events);
    const again = await gw.waitForAck((a) => a.lane === 'telemetry');
    expect(again.acked).toEqual([1, 2, 3]);
    expect(await read()).toEqual(rows);
  });

  it('serves the alarm lane while 10,000 telemetry events are queued', async () => {
    const store = new SlowStore(100);
    const { h, gw } = await setUp(
      { telemetry: { batchSize: 500, flushIntervalMs: 0 }, ingest: { telemetryConcurrency: 1 } },
      store,
    );
    for (let i = 0; i < 20; i++) await gw.sendTelemetry(batch(1 + i * 500, 500));
    // Published after the whole backlog, on the same connection.
    await gw.sendAlarms([alarmEvent(100_000, { kind: 'sos' })]);
    await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(100_000), 5000);
    const atAlarmAck = h.hub.stats().ingest.telemetryQueueEvents;
    expect(atAlarmAck).toBeGreaterThanOrEqual(5000);
    // ...and all telemetry is still acked afterwards, none deferred or lost.
    await waitFor(
      () =>
        gw.acks.filter((a) => a.lane === 'telemetry').reduce((n, a) => n + a.acked.length, 0) ===
        10_000,
      10_000,
      'all telemetry acked',
    );
    expect(gw.acks.every((a) => a.deferred.length === 0)).toBe(true);
    expect(store.written).toHaveLength(10_000);
  });

  it('defers telemetry with retryAfterMs when the queue is full (back-pressure, no drops)', async () => {
    const store = new SlowStore(300);
    const { gw } = await setUp(
      {
        telemetry: { batchSize: 500, flushIntervalMs: 0 },
        ingest: {
          telemetryConcurrency: 1,
          telemetryQueueMaxEvents: 1000,
          telemetryRetryMinMs: 1234,
        },
      },
      store,
    );
    for (let i = 0; i < 5; i++) await gw.sendTelemetry(batch(1 + i * 500, 500));
    await waitFor(
      () => gw.acks.filter((a) => a.lane === 'telemetry' && a.retryAfterMs !== 0).length === 5,
      10_000,
      'five telemetry answers',
    );
    const deferred = gw.acks.filter((a) => a.deferred.length > 0);
    const acked = gw.acks.reduce((n, a) => n + a.acked.length, 0);
    expect(deferred.length).toBeGreaterThanOrEqual(1);
    // Booked return slots: at least the minimum wait (plus at most 10 % jitter), later for later
    // deferrals.
    expect(deferred.every((a) => a.deferred.length === 500)).toBe(true);
    const waits = deferred.map((a) => a.retryAfterMs ?? 0);
    expect(waits.every((w) => w >= 1234 && w <= Math.ceil(1234 * 1.1))).toBe(true);
    // Every event is either stored-and-acked or deferred: nothing silently dropped.
    expect(acked + deferred.length * 500).toBe(2500);
    expect(store.written).toHaveLength(acked);
    // Once the queue has drained the hub calls the deferred gateway back, ahead of its slot: an
    // ack that settles nothing with retryAfterMs 0.
    await waitFor(
      () => gw.acks.some((a) => a.retryAfterMs === 0 && a.deferred.length === 0),
      5000,
      'a resume',
    );
    const resume = gw.acks.find((a) => a.retryAfterMs === 0);
    expect(resume).toMatchObject({ lane: 'telemetry', acked: [], rejected: [], deferred: [] });
  });
});

describe('graceful close', () => {
  it('finishes queued work and acks it before disconnecting gateways', async () => {
    const store = new SlowStore(50);
    const { h, gw } = await setUp(
      { telemetry: { batchSize: 500, flushIntervalMs: 0 }, ingest: { telemetryConcurrency: 1 } },
      store,
    );
    for (let i = 0; i < 6; i++) await gw.sendTelemetry(batch(1 + i * 500, 500));
    await gw.sendAlarms([alarmEvent(9000)]);
    await waitFor(() => h.hub.stats().ingest.telemetryQueueEvents > 0, 2000, 'a telemetry backlog');
    await h.hub.close();
    const acked = gw.acks.reduce((n, a) => n + a.acked.length, 0);
    const deferred = gw.acks.reduce((n, a) => n + a.deferred.length, 0);
    expect(acked + deferred).toBe(3001);
    expect(store.written).toHaveLength(acked - 1);
  });
});

describe('telemetry store down', () => {
  it('defers telemetry while InfluxDB is unreachable, and alarms are still acked', async () => {
    const { h, gw } = await setUp({
      // Port 9 (discard) on loopback: nothing listens, so connections are refused at once.
      telemetry: {
        store: 'influx1',
        influx1: { url: 'http://127.0.0.1:9', database: 'anxin' },
        writeTimeoutMs: 1000,
      },
      ingest: { storeRetryMinMs: 2000 },
    });
    await gw.sendTelemetry(batch(1, 10));
    const deferred = await gw.waitForAck((a) => a.lane === 'telemetry');
    expect(deferred.acked).toEqual([]);
    expect(deferred.deferred).toHaveLength(10);
    expect(deferred.retryAfterMs).toBeGreaterThan(0);
    // While it is down, new telemetry is deferred at once, without trying the store.
    const errors = h.hub.stats().telemetryStoreErrors;
    await gw.sendTelemetry(batch(11, 5));
    await gw.waitForAck((a) => a.lane === 'telemetry' && a.deferred.includes(11));
    expect(h.hub.stats().telemetryStoreErrors).toBe(errors);

    await gw.sendAlarms([alarmEvent(50, { kind: 'fall' })]);
    await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(50));
    const health = await fetch(`${h.httpUrl}/healthz`);
    expect(health.status).toBe(503);
    expect(
      ((await health.json()) as { checks: { telemetry: { ok: boolean } } }).checks.telemetry.ok,
    ).toBe(false);
    // The telemetry store being down fails neither liveness nor readiness: alarms still flow, and
    // a restart would not bring InfluxDB back (issue 11).
    const live = await fetch(`${h.httpUrl}/livez`);
    expect(live.status).toBe(200);
    expect(((await live.json()) as { status: string }).status).toBe('ok');
    const ready = await fetch(`${h.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    const readyBody = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(Object.keys(readyBody.checks).sort()).toEqual(['broker', 'database']);
  });
});
