/**
 * Devices seen in heartbeats are written in multi-row upserts (gateways.ts recordLiveness): more
 * rows than one statement holds, a device a heartbeat lists twice (untrusted input — PostgreSQL
 * refuses a multi-row upsert touching a row twice), and a later heartbeat that updates every
 * column but the first sighting.
 */
import { expect, it } from 'vitest';
import { PROTOCOL_VERSION, type DeviceHealth, type Heartbeat } from '@anxin/protocol';
import { describeEngines } from '../testing/engines.js';
import { GatewayStore } from './gateways.js';

const device = (deviceId: string, framesOk: number, batteryPct?: number): DeviceHealth => ({
  deviceId,
  driver: 'zigbee',
  online: true,
  lastSeenAt: 1_000 + framesOk,
  ...(batteryPct === undefined ? {} : { batteryPct }),
  framesOk,
  decodeErrors: 0,
});

const heartbeat = (devices: DeviceHealth[]): Heartbeat => ({
  v: PROTOCOL_VERSION,
  sentAt: 1,
  uptimeS: 1,
  softwareVersion: 'test',
  configVersion: 0,
  outbox: { alarmDepth: 0, telemetryDepth: 0, oldestPendingAgeMs: 0, droppedTelemetry: 0 },
  devices,
});

describeEngines('devices seen in heartbeats', (engine) => {
  it('writes every device of many gateways, a duplicate listing once, and keeps first_seen_at', async () => {
    const { db } = await engine.open();
    try {
      const store = new GatewayStore(db);
      const gateways = Array.from({ length: 5 }, (_, i) => `gw-dev-${i}`);
      for (const id of gateways) await store.upsertCredentials(id, 'hash', null, 1);
      // 5 gateways × 60 devices = 300 rows: more than one statement's 200. gw-dev-0 lists
      // sensor-7 twice; the later listing (framesOk 99) is the one kept.
      const first = gateways.map((gatewayId, g) => {
        const devices = Array.from({ length: 60 }, (_, d) => device(`sensor-${d}`, d));
        if (g === 0) devices.push(device('sensor-7', 99, 40));
        return { gatewayId, heartbeat: heartbeat(devices), at: 5_000 };
      });
      await store.recordLiveness(first, []);
      const rows = await db.selectFrom('devices').selectAll().execute();
      expect(rows).toHaveLength(300);
      const dup = rows.find((r) => r.gateway_id === 'gw-dev-0' && r.device_id === 'sensor-7');
      expect(dup).toMatchObject({ frames_ok: 99, battery_pct: 40, first_seen_at: 5_000 });
      const other = rows.find((r) => r.gateway_id === 'gw-dev-4' && r.device_id === 'sensor-59');
      expect(other).toMatchObject({
        driver: 'zigbee',
        online: 1,
        last_seen_at: 1_059,
        battery_pct: null,
        signal: null,
        frames_ok: 59,
        decode_errors: 0,
        first_seen_at: 5_000,
      });

      // Later: the device goes offline with new counters; its first sighting stays.
      await store.recordLiveness(
        [
          {
            gatewayId: 'gw-dev-4',
            heartbeat: heartbeat([
              { ...device('sensor-59', 70, 12), online: false, signal: -80, decodeErrors: 3 },
            ]),
            at: 9_000,
          },
        ],
        [],
      );
      const after = await db
        .selectFrom('devices')
        .selectAll()
        .where('gateway_id', '=', 'gw-dev-4')
        .where('device_id', '=', 'sensor-59')
        .executeTakeFirstOrThrow();
      expect(after).toMatchObject({
        online: 0,
        battery_pct: 12,
        signal: -80,
        frames_ok: 70,
        decode_errors: 3,
        last_seen_at: 1_070,
        first_seen_at: 5_000,
      });
      const gw = await store.get('gw-dev-4');
      expect(gw).toMatchObject({ status: 'online', last_seen_at: 9_000 });
    } finally {
      await db.destroy();
    }
  });
});
