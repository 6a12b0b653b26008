/**
 * Telemetry into a real influxd 1.6 over the 1.x HTTP API, through the whole hub: a gateway's
 * batch is acked only after the points can be queried back; while influxd is stopped the hub
 * defers telemetry and keeps acking alarms; after a restart the held telemetry is accepted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alarmEvent,
  startHub,
  telemetryEvent,
  TestGateway,
  type RunningHub,
} from '../testing/harness.js';
import { TestInfluxd } from '../testing/influxd.js';

const GW = 'gw-influx';
const SECRET = 'influx-secret-1';
const DB = 'anxin_test';

let influxd: TestInfluxd;
let h: RunningHub;
let gw: TestGateway;

beforeAll(async () => {
  influxd = await TestInfluxd.create();
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
