/**
 * Heartbeats and status (DESIGN.md contract clause 6): a heartbeat updates the gateway's last
 * seen, health and devices; the MQTT last will ("offline") is recorded when the connection dies.
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uplinkTopic, type AlarmDto, type Heartbeat } from '@anxin/protocol';
import { login, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';

const GW = 'gw-live';
const SECRET = 'live-secret-1';
let h: RunningHub;

beforeAll(async () => {
  h = await startHub();
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET });
});
afterAll(async () => {
  await h?.close();
});

async function gatewayRow(): Promise<
  { status: string; last_seen_at: number | null; health_json: string | null } | undefined
> {
  const { db } = await h.openDatabase();
  try {
    return await db
      .selectFrom('gateways')
      .select(['status', 'last_seen_at', 'health_json'])
      .where('id', '=', GW)
      .executeTakeFirst();
  } finally {
    await db.destroy();
  }
}

describe('gateway liveness', () => {
  it('records heartbeats with device health, and the last will as offline', async () => {
    const client = await connectAsync(h.mqttUrl, {
      clientId: GW,
      username: GW,
      password: SECRET,
      reconnectPeriod: 0,
      protocolVersion: 4,
      will: {
        topic: uplinkTopic(GW, 'status'),
        payload: Buffer.from(JSON.stringify({ v: 1, state: 'offline', at: Date.now() })),
        qos: 1,
        retain: true,
      },
    });
    await client.publishAsync(
      uplinkTopic(GW, 'status'),
      JSON.stringify({ v: 1, state: 'online', at: Date.now() }),
      { qos: 1, retain: true },
    );
    const heartbeat: Heartbeat = {
      v: 1,
      sentAt: Date.now(),
      uptimeS: 12,
      softwareVersion: '0.1.0',
      configVersion: 0,
      outbox: { alarmDepth: 0, telemetryDepth: 3, oldestPendingAgeMs: 10, droppedTelemetry: 0 },
      devices: [
        {
          deviceId: 'radar-1',
          driver: 'mr60fda1',
          online: true,
          lastSeenAt: Date.now(),
          framesOk: 10,
          decodeErrors: 1,
          batteryPct: 80,
        },
      ],
    };
    await client.publishAsync(uplinkTopic(GW, 'heartbeat'), JSON.stringify(heartbeat), { qos: 1 });
    await waitFor(
      async () => (await gatewayRow())?.last_seen_at != null,
      4000,
      'heartbeat recorded',
    );
    const row = await gatewayRow();
    expect(row?.status).toBe('online');
    expect(JSON.parse(row?.health_json ?? '{}')).toMatchObject({ outbox: { telemetryDepth: 3 } });
    const { db } = await h.openDatabase();
    expect(
      await db
        .selectFrom('devices')
        .select(['device_id', 'battery_pct', 'decode_errors'])
        .where('gateway_id', '=', GW)
        .execute(),
    ).toEqual([{ device_id: 'radar-1', battery_pct: 80, decode_errors: 1 }]);
    await db.destroy();

    // The connection dies without DISCONNECT: the broker publishes the last will.
    client.stream.destroy();
    await waitFor(async () => (await gatewayRow())?.status === 'offline', 5000, 'offline recorded');
    client.end(true);
  });
});

describe('gateway_offline technical alarm', () => {
  it('is raised after the missed heartbeats and resolved by the system when the gateway is back', async () => {
    const fast = await startHub({
      liveness: { heartbeatIntervalS: 0.5, missedHeartbeats: 3, checkIntervalMs: 100 },
    });
    try {
      await fast.hub.provisionGateway({
        gatewayId: 'gw-quiet',
        secret: 'quiet-secret-1',
        homeId: 'home-9',
      });
      await fast.hub.createUser({ username: 'op', password: 'operator-pass', role: 'operator' });
      const cookie = await login(fast.httpUrl, 'op', 'operator-pass');
      const gw = await TestGateway.connect(fast.mqttUrl, 'gw-quiet', 'quiet-secret-1');
      const heartbeat = {
        v: 1,
        sentAt: Date.now(),
        uptimeS: 1,
        softwareVersion: '0.1.0',
        configVersion: 0,
        outbox: { alarmDepth: 0, telemetryDepth: 0, oldestPendingAgeMs: 0, droppedTelemetry: 0 },
        devices: [],
      };
      const offline = async () => {
        const res = await fetch(`${fast.httpUrl}/api/v1/alarms?status=open,acknowledged,resolved`, {
          headers: { cookie },
        });
        return ((await res.json()) as { alarms: AlarmDto[] }).alarms.filter(
          (a) => a.kind === 'gateway_offline',
        );
      };
      await gw.publish('heartbeat', heartbeat);
      await waitFor(async () => (await offline()).length === 1, 6000, 'gateway_offline raised');
      const [raised] = await offline();
      expect(raised).toMatchObject({
        gatewayId: 'gw-quiet',
        homeId: 'home-9',
        priority: 3,
        status: 'open',
      });

      await gw.publish('heartbeat', { ...heartbeat, sentAt: Date.now() });
      await waitFor(
        async () => (await offline())[0]?.status === 'resolved',
        4000,
        'gateway_offline resolved',
      );
      expect((await offline())[0]).toMatchObject({
        resolvedBy: 'system',
        notes: 'gateway reconnected',
      });
      await gw.close();
    } finally {
      await fast.close();
    }
  });
});
