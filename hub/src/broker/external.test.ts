/**
 * `mqtt.mode: external` against a real Mosquitto 2 with its dynamic security plugin: the hub keeps
 * one account and role per gateway in the broker, takes uplinks through the shared subscription
 * and answers on the gateway's down/ack; the broker refuses wrong credentials, another gateway's
 * client id, another gateway's topics, and a decommissioned gateway.
 */
import { connectAsync } from 'mqtt';
import { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { downlinkTopic, uplinkTopic, PROTOCOL_VERSION } from '@anxin/protocol';
import { hubConfig } from '../config.js';
import { buildHub } from '../hub.js';
import { alarmEvent, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';
import { LocalMosquitto } from '../local-engines/mosquitto.js';

let broker: LocalMosquitto;
let hub: RunningHub;
/** Which sockets were switched to no-delay (the hub's own connection to the broker among them). */
const setNoDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
const A = 'gw-ext-a';
const B = 'gw-ext-b';
const SECRET_A = 'secret-of-gateway-a';
const SECRET_B = 'secret-of-gateway-b';

beforeAll(async () => {
  broker = await LocalMosquitto.create();
  hub = await startHub({
    mqtt: {
      mode: 'external',
      external: { url: broker.url, username: broker.hubUser, password: broker.hubPassword },
    },
    cluster: { instanceId: 'ext-test' },
  });
  await hub.hub.provisionGateway({ gatewayId: A, secret: SECRET_A });
  await hub.hub.provisionGateway({ gatewayId: B, secret: SECRET_B });
}, 30_000);

afterAll(async () => {
  setNoDelay.mockRestore();
  await hub?.close();
  await broker?.stop();
});

const refusedLogin = (id: string, password: string, clientId = id) =>
  connectAsync(broker.url, {
    clientId,
    username: id,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
  }).then(
    async (c) => {
      await c.endAsync(true);
      return 'connected';
    },
    (err: Error) => err.message,
  );

describe('external broker (Mosquitto + dynamic security)', () => {
  it('reports the broker URL and is ready once subscribed', async () => {
    expect(hub.mqttUrl).toBe(broker.url);
    const ready = await fetch(`${hub.httpUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: Record<string, { ok: boolean }> };
    expect(body.checks.broker?.ok).toBe(true);
  });

  it('runs its connection to the broker with Nagle off (acks must not wait for a delayed ACK)', () => {
    const port = Number(new URL(broker.url).port);
    const toBroker = setNoDelay.mock.contexts.filter(
      (socket, i) =>
        socket instanceof Socket &&
        socket.remotePort === port &&
        setNoDelay.mock.calls[i]?.[0] === true,
    );
    expect(toBroker.length).toBeGreaterThanOrEqual(1);
  });

  it('takes an alarm through the shared subscription and acks it on the gateway topic', async () => {
    const gw = await TestGateway.connect(broker.url, A, SECRET_A);
    try {
      await gw.sendAlarms([alarmEvent(1), alarmEvent(2, { kind: 'sos' })]);
      const ack = await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.length === 2);
      expect(ack.acked).toEqual([1, 2]);
      expect(hub.hub.stats().alarmTriggersStored).toBe(2);
      // A replay is acknowledged again and stores nothing.
      gw.acks.length = 0;
      await gw.sendAlarms([alarmEvent(1), alarmEvent(2, { kind: 'sos' })].map((e) => e));
      const replay = await gw.waitForAck((a) => a.lane === 'alarm');
      expect(replay.acked.length + replay.rejected.length).toBe(2);
      expect(hub.hub.stats().alarmTriggersStored).toBe(2);
    } finally {
      await gw.close();
    }
  });

  it('reports gateways online cluster-wide from their status, not 0', async () => {
    const connected = async () => {
      const text = await (await fetch(`${hub.httpUrl}/metrics`)).text();
      return Number(/^anxin_gateways_connected(?:\{[^}]*\})? (\d+)/m.exec(text)?.[1] ?? NaN);
    };
    const gw = await TestGateway.connect(broker.url, B, SECRET_B);
    try {
      await gw.publish('status', { v: PROTOCOL_VERSION, state: 'online', at: Date.now() });
      await waitFor(async () => (await connected()) >= 1, 20_000, 'B counted online');
      await gw.publish('status', { v: PROTOCOL_VERSION, state: 'offline', at: Date.now() });
      await waitFor(async () => (await connected()) === 0, 20_000, 'B counted offline');
    } finally {
      await gw.close();
    }
  }, 60_000);

  it('refuses wrong credentials, unknown gateways and a borrowed client id', async () => {
    expect(await refusedLogin(A, 'not-the-secret')).toMatch(
      /Bad username or password|Not authorized/i,
    );
    expect(await refusedLogin('gw-unknown', SECRET_A)).toMatch(
      /Bad username or password|Not authorized/i,
    );
    // B's credentials under A's client id: the account is pinned to its own client id.
    expect(await refusedLogin(B, SECRET_B, A)).not.toBe('connected');
  });

  it("keeps a gateway off another gateway's topics", async () => {
    const a = await TestGateway.connect(broker.url, A, SECRET_A);
    const b = await connectAsync(broker.url, {
      clientId: B,
      username: B,
      password: SECRET_B,
      reconnectPeriod: 0,
    });
    try {
      const before = hub.hub.stats().alarmTriggersStored;
      // Publishing as A: the broker drops it (MQTT 3.1.1 has no way to say so), the hub never sees it.
      await b.publishAsync(
        uplinkTopic(A, 'alarm'),
        JSON.stringify({ v: PROTOCOL_VERSION, events: [alarmEvent(50)] }),
        { qos: 1 },
      );
      // Reading A's acks and config: refused in SUBACK (mqtt.js rejects on a 0x80 grant).
      await expect(b.subscribeAsync(downlinkTopic(A, 'ack'), { qos: 1 })).rejects.toThrow(
        /Subscribe error/,
      );
      await expect(b.subscribeAsync('anxin/v1/gw/+/down/#', { qos: 1 })).rejects.toThrow(
        /Subscribe error/,
      );
      // Its own down/ topics are fine.
      const own = await b.subscribeAsync(downlinkTopic(B, 'ack'), { qos: 1 });
      expect(own[0]?.qos).toBe(1);
      // A's own traffic still flows, and is the only thing stored.
      await a.sendAlarms([alarmEvent(60)]);
      await a.waitForAck((ack) => ack.acked.includes(60));
      expect(hub.hub.stats().alarmTriggersStored).toBe(before + 1);
      expect(a.acks.some((ack) => ack.acked.includes(50))).toBe(false);
    } finally {
      await a.close();
      await b.endAsync(true);
    }
  });

  it('re-issued credentials replace the old secret; decommissioning kicks and locks out', async () => {
    await hub.hub.provisionGateway({ gatewayId: B, secret: 'second-secret-of-b' });
    expect(await refusedLogin(B, SECRET_B)).not.toBe('connected');
    const b = await TestGateway.connect(broker.url, B, 'second-secret-of-b');
    let closed = false;
    b.client.on('close', () => (closed = true));
    expect(await hub.hub.care.provisioning.decommission(B, Date.now())).toBe(true);
    await waitFor(() => closed, 5000, 'the broker to drop the decommissioned gateway');
    await b.close();
    expect(await refusedLogin(B, 'second-secret-of-b')).not.toBe('connected');
  });

  it('names the missing key when external mode lacks a URL', async () => {
    const config = hubConfig({ dataDir: hub.dir, mqtt: { mode: 'external' } });
    await expect(buildHub(config)).rejects.toThrow(/mqtt\.external\.url/);
  });
});
