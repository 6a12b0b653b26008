/**
 * Telemetry into a real influxd 1.6 over the 1.x HTTP API, through the whole hub: a gateway's
 * batch is acked only after the points can be queried back; while influxd is stopped the hub
 * defers telemetry and keeps acking alarms; after a restart the held telemetry is accepted.
 * Reading back for charts: the store answers the same series as the embedded store (cut,
 * filtered, downsampled server-side), escapes every name, and the HTTP route serves them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryQueryResponse } from '@anxin/protocol';
import { seedDemo } from '../care/seed.js';
import {
  alarmEvent,
  login,
  startHub,
  telemetryEvent,
  TestGateway,
  type RunningHub,
} from '../testing/harness.js';
import { LocalInfluxd } from '../local-engines/influxd.js';
import { EmbeddedTelemetryStore } from './embedded.js';
import { Influx1TelemetryStore } from './influx1.js';
import type { TelemetryPoint, TelemetrySeries, TelemetrySeriesQuery } from './store.js';

const GW = 'gw-influx';
const SECRET = 'influx-secret-1';
const DB = 'anxin_test';

let influxd: LocalInfluxd;
let h: RunningHub;
let gw: TestGateway;

beforeAll(async () => {
  influxd = await LocalInfluxd.create();
  h = await startHub({
    telemetry: {
      store: 'influx1',
      influx1: { url: influxd.url, database: DB },
      writeTimeoutMs: 3000,
      flushIntervalMs: 0,
    },
    ingest: { storeRetryMinMs: 300, storeRetryMaxMs: 600 },
  });
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET });
  gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await h?.close();
  await influxd?.destroy();
});

describe('InfluxDB 1.x telemetry store', () => {
  it('creates the database, writes measurement telemetry with gateway/device tags, ms timestamps, and acks after', async () => {
    const t0 = Date.now() - 10_000;
    const events = [
      telemetryEvent(1, {
        deviceId: 'meter-1',
        observedAt: t0,
        fields: { energy_kwh: 12.5, power_w: 300 },
      }),
      telemetryEvent(2, {
        deviceId: 'meter-1',
        observedAt: t0 + 1,
        fields: { energy_kwh: 12.6, power_w: 301.5 },
      }),
      telemetryEvent(3, {
        deviceId: 'radar-1',
        observedAt: t0 + 2,
        fields: { presence: true, motion_level: 40 },
      }),
    ];
    await gw.sendTelemetry(events);
    const ack = await gw.waitForAck((a) => a.lane === 'telemetry' && a.acked.length === 3);
    expect(ack.deferred).toEqual([]);
    const rows = await influxd.query(
      DB,
      `SELECT * FROM telemetry WHERE gateway = '${GW}' ORDER BY time`,
    );
    expect(rows).toEqual([
      expect.objectContaining({
        time: t0,
        gateway: GW,
        device: 'meter-1',
        energy_kwh: 12.5,
        power_w: 300,
      }),
      expect.objectContaining({
        time: t0 + 1,
        device: 'meter-1',
        energy_kwh: 12.6,
        power_w: 301.5,
      }),
      expect.objectContaining({
        time: t0 + 2,
        device: 'radar-1',
        presence: true,
        motion_level: 40,
      }),
    ]);
  });

  it('rejects only the points InfluxDB refuses (field type conflict) and stores the rest', async () => {
    const t0 = Date.now() - 8000;
    gw.acks.length = 0;
    await gw.sendTelemetry([
      telemetryEvent(20, { deviceId: 'meter-2', observedAt: t0, fields: { power_w: 10 } }),
      telemetryEvent(21, {
        deviceId: 'meter-2',
        observedAt: t0 + 1,
        fields: { power_w: 'not a number' },
      }),
      telemetryEvent(22, { deviceId: 'meter-2', observedAt: t0 + 2, fields: { power_w: 12 } }),
    ]);
    const ack = await gw.waitForAck((a) => a.lane === 'telemetry');
    expect(ack.acked).toEqual([20, 22]);
    expect(ack.deferred).toEqual([]);
    expect(ack.rejected).toEqual([
      { seq: 21, code: 'SCHEMA', message: expect.stringMatching(/refused/) },
    ]);
    const rows = await influxd.query(DB, `SELECT power_w FROM telemetry WHERE device = 'meter-2'`);
    expect(rows.map((r) => r.power_w)).toEqual([10, 12]);
    // The store is not considered down: the next batch is written at once.
    await gw.sendTelemetry([
      telemetryEvent(23, { deviceId: 'meter-2', observedAt: t0 + 3, fields: { power_w: 13 } }),
    ]);
    await gw.waitForAck((a) => a.acked.includes(23));
  });

  it('defers telemetry while influxd is down, keeps acking alarms, and takes the held telemetry after a restart', async () => {
    await influxd.stop();
    const t0 = Date.now() - 5000;
    const held = [
      telemetryEvent(10, { observedAt: t0 }),
      telemetryEvent(11, { observedAt: t0 + 1 }),
    ];
    gw.acks.length = 0;
    await gw.sendTelemetry(held);
    const deferred = await gw.waitForAck((a) => a.lane === 'telemetry');
    expect(deferred.deferred).toEqual([10, 11]);
    expect(deferred.retryAfterMs).toBeGreaterThan(0);

    await gw.sendAlarms([alarmEvent(12, { kind: 'sos' })]);
    await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(12));

    await influxd.start();
    // The gateway resends what was deferred once retryAfterMs has passed (as the outbox does).
    let ackedAgain = false;
    for (let attempt = 0; attempt < 20 && !ackedAgain; attempt++) {
      await new Promise((r) => setTimeout(r, Math.max(200, deferred.retryAfterMs ?? 0)));
      gw.acks.length = 0;
      await gw.sendTelemetry(held);
      const answer = await gw.waitForAck((a) => a.lane === 'telemetry');
      ackedAgain = answer.acked.length === 2;
    }
    expect(ackedAgain).toBe(true);
    const rows = await influxd.query(
      DB,
      `SELECT power_w FROM telemetry WHERE time >= ${t0}ms AND time <= ${t0 + 1}ms`,
    );
    expect(rows.map((r) => r.time)).toEqual([t0, t0 + 1]);
  }, 40_000);
});

describe('reading series back from InfluxDB 1.x (querySeries)', () => {
  const READ_DB = 'anxin_read';
  const log = pino({ level: 'silent' });
  // Not aligned to any bucket width, so a bucket that started at an epoch multiple would show.
  const from = Math.floor(Date.now() / 1000) * 1000 - 3_600_000 + 7;
  const to = from + 1000;
  const A = { gatewayId: 'gw-a', deviceId: 'meter-1' };
  const B = { gatewayId: 'gw-a', deviceId: 'radar-1' };
  const C = { gatewayId: 'gw-b', deviceId: 'meter-1' }; // same device id, other gateway
  const ODD = { gatewayId: 'gw-a', deviceId: `o'brien "x" \\ y` };
  let store: Influx1TelemetryStore;
  let embedded: EmbeddedTelemetryStore;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-read-'));
    store = new Influx1TelemetryStore(
      { url: influxd.url, database: READ_DB, timeoutMs: 5000 },
      log,
    );
    embedded = new EmbeddedTelemetryStore(join(dir, 'telemetry.sqlite'), 3650, log);
    await store.start();
    await embedded.start();
    const points: TelemetryPoint[] = [
      { ...A, observedAt: from - 1, fields: { power_w: -1 } },
      { ...A, observedAt: to, fields: { power_w: -2 } },
      { ...ODD, observedAt: from + 5, fields: { power_w: 42 } },
    ];
    for (let i = 0; i < 100; i++) {
      points.push({ ...A, observedAt: from + i * 10, fields: { power_w: i * 1.5 } });
      points.push({
        ...B,
        observedAt: from + i * 10 + 3,
        fields: { presence: i % 7 < 3, motion_level: i },
      });
    }
    for (let i = 0; i < 3; i++)
      points.push({ ...C, observedAt: from + i, fields: { power_w: 999 } });
    await store.write(points);
    await embedded.write(points);
  }, 30_000);

  afterAll(async () => {
    await embedded?.close();
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ask = (q: Partial<TelemetrySeriesQuery>): TelemetrySeriesQuery => ({
    devices: [A],
    fields: ['power_w'],
    from,
    to,
    maxPoints: 100,
    ...q,
  });

  /** Same series, same timestamps, same values (means to float precision) as the embedded store. */
  async function expectSameAsEmbedded(q: TelemetrySeriesQuery): Promise<TelemetrySeries[]> {
    const [got, want] = [await store.querySeries(q), await embedded.querySeries(q)];
    expect(got.map(({ points, ...key }) => ({ ...key, n: points.length }))).toEqual(
      want.map(({ points, ...key }) => ({ ...key, n: points.length })),
    );
    got.forEach((s, i) =>
      s.points.forEach(([t, v], j) => {
        const [wt, wv] = want[i]?.points[j] ?? [];
        expect(t).toBe(wt);
        if (typeof v === 'number') expect(v).toBeCloseTo(wv as number, 9);
        else expect(v).toBe(wv);
      }),
    );
    return got;
  }

  it('answers point by point up to maxPoints, cut to [from, to)', async () => {
    const [s, ...rest] = await expectSameAsEmbedded(ask({}));
    expect(rest).toEqual([]);
    expect(s?.points.length).toBe(100);
    expect(s?.points[0]).toEqual([from, 0]);
    expect(s?.points[99]).toEqual([from + 990, 148.5]);
    expect(s?.points.some(([, v]) => v === -1 || v === -2)).toBe(false);
  });

  it('downsamples server-side like the embedded store: mean of numbers, last of booleans', async () => {
    const got = await expectSameAsEmbedded(
      ask({ devices: [A, B], fields: ['power_w', 'presence', 'motion_level'], maxPoints: 10 }),
    );
    expect(got.map((s) => `${s.deviceId}/${s.field}`)).toEqual([
      'meter-1/power_w',
      'radar-1/presence',
      'radar-1/motion_level',
    ]);
    const [power, presence, motion] = got;
    expect(power?.points.length).toBe(10);
    expect(power?.points[0]).toEqual([from, 6.75]); // mean of 0, 1.5 … 13.5
    expect(power?.points[9]?.[0]).toBe(from + 900);
    // Bucket k holds i = 10k … 10k+9; last is i = 10k+9, present when (10k+9) mod 7 < 3.
    expect(presence?.points.map(([, v]) => v)).toEqual(
      Array.from({ length: 10 }, (_, k) => (10 * k + 9) % 7 < 3),
    );
    expect(motion?.points[3]).toEqual([from + 300, 34.5]);
  });

  it('answers only the fields and the (gateway, device) pairs asked', async () => {
    const presenceOnly = await expectSameAsEmbedded(ask({ devices: [A, B], fields: ['presence'] }));
    expect(presenceOnly.map((s) => [s.deviceId, s.field, s.points.length])).toEqual([
      ['radar-1', 'presence', 100],
    ]);
    const otherGateway = await expectSameAsEmbedded(ask({ devices: [C] }));
    expect(otherGateway).toEqual([
      {
        ...C,
        field: 'power_w',
        points: [
          [from, 999],
          [from + 1, 999],
          [from + 2, 999],
        ],
      },
    ]);
    expect(await store.querySeries(ask({ fields: ['no_such_field'] }))).toEqual([]);
    expect(await store.querySeries(ask({ from: to, to: to + 1000 }))).toEqual([
      { ...A, field: 'power_w', points: [[to, -2]] },
    ]);
  });

  it('escapes names: reads a device id holding quotes and a backslash; injections match nothing and harm nothing', async () => {
    expect(await expectSameAsEmbedded(ask({ devices: [ODD] }))).toEqual([
      { ...ODD, field: 'power_w', points: [[from + 5, 42]] },
    ]);
    const attempts: Partial<TelemetrySeriesQuery>[] = [
      { devices: [{ gatewayId: 'gw-a', deviceId: `meter-1' OR '1'='1` }] },
      { devices: [{ gatewayId: 'gw-a', deviceId: `x\\' OR "device" =~ /.*/ OR "device" = '` }] },
      { devices: [{ gatewayId: `gw-a' OR "gateway" != '`, deviceId: 'meter-1' }] },
      { fields: [`power_w" FROM "telemetry"; DROP DATABASE "${READ_DB}`] },
      { fields: [`power_w\\" FROM "telemetry"; DROP MEASUREMENT "telemetry`] },
      { fields: ['power_w\n'] },
    ];
    for (const q of attempts) expect(await store.querySeries(ask(q))).toEqual([]);
    // Nothing was dropped: the same data answers as before.
    expect((await store.querySeries(ask({})))[0]?.points.length).toBe(100);
    expect(await influxd.query(READ_DB, 'SHOW MEASUREMENTS')).toEqual([{ name: 'telemetry' }]);
  });

  it('answers no series from a database nothing was written to yet', async () => {
    const empty = new Influx1TelemetryStore(
      { url: influxd.url, database: 'never_written', timeoutMs: 5000 },
      log,
    );
    expect(await empty.querySeries(ask({}))).toEqual([]);
  });
});

describe('charts through GET /api/v1/homes/:id/telemetry with telemetry.store influx1', () => {
  it('answers the series of the home from InfluxDB: cut, filtered by device, downsampled', async () => {
    const { logins } = await seedDemo(h.hub, { homes: 1 });
    const cookies = new Map<string, string>();
    for (const l of logins) cookies.set(l.username, await login(h.httpUrl, l.username, l.password));
    const call = async (who: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${h.httpUrl}${path}`, {
        method,
        headers: {
          cookie: cookies.get(who) ?? '',
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    };
    await h.hub.provisionGateway({
      gatewayId: 'gw-home',
      secret: 'secret-gw-home-1',
      homeId: 'home-0001',
    });
    for (const id of ['meter-1', 'meter-2']) {
      const reg = await call('admin', 'POST', '/api/v1/gateways/gw-home/devices', {
        id,
        driver: 'dlt645',
        kind: 'electricity_meter',
        room: 'hall',
        expectedIntervalS: 60,
      });
      expect(reg.status).toBe(201);
    }
    const home = await TestGateway.connect(h.mqttUrl, 'gw-home', 'secret-gw-home-1');
    try {
      const t0 = Date.now() - 120_000;
      await home.sendTelemetry([
        telemetryEvent(1, { observedAt: t0, fields: { power_w: 100, energy_kwh: 1 } }),
        telemetryEvent(2, { observedAt: t0 + 10_000, fields: { power_w: 300, energy_kwh: 1.1 } }),
        ...Array.from({ length: 30 }, (_, i) =>
          telemetryEvent(10 + i, {
            deviceId: 'meter-2',
            observedAt: t0 + i * 1000,
            fields: { power_w: i },
          }),
        ),
      ]);
      const ack = await home.waitForAck((a) => a.lane === 'telemetry' && a.acked.includes(39));
      expect(ack.acked.length).toBe(32);

      const since = encodeURIComponent(new Date(t0 - 1000).toISOString());
      const all = await call(
        'family',
        'GET',
        `/api/v1/homes/home-0001/telemetry?fields=power_w&from=${since}`,
      );
      expect(all.status).toBe(200);
      const series = (all.body as TelemetryQueryResponse).series;
      expect(series.map((s) => s.deviceId).sort()).toEqual(['meter-1', 'meter-2']);
      expect(series.find((s) => s.deviceId === 'meter-1')).toEqual({
        gatewayId: 'gw-home',
        deviceId: 'meter-1',
        field: 'power_w',
        unit: 'W',
        points: [
          [t0, 100],
          [t0 + 10_000, 300],
        ],
      });

      const range = `from=${encodeURIComponent(new Date(t0).toISOString())}&to=${encodeURIComponent(new Date(t0 + 30_000).toISOString())}`;
      const one = await call(
        'family',
        'GET',
        `/api/v1/homes/home-0001/telemetry?fields=power_w,energy_kwh&deviceId=meter-2&maxPoints=10&${range}`,
      );
      expect(one.status).toBe(200);
      // 30 points in 10 buckets of 3 s from t0: bucket k is the mean of 3k, 3k+1, 3k+2.
      expect((one.body as TelemetryQueryResponse).series).toEqual([
        {
          gatewayId: 'gw-home',
          deviceId: 'meter-2',
          field: 'power_w',
          unit: 'W',
          points: Array.from({ length: 10 }, (_, k) => [t0 + k * 3000, 3 * k + 1]),
        },
      ]);

      const bad = await call(
        'family',
        'GET',
        `/api/v1/homes/home-0001/telemetry?fields=${encodeURIComponent(`power_w" FROM x`)}`,
      );
      expect(bad.status).toBe(400);
    } finally {
      await home.close();
    }
  }, 30_000);
});
