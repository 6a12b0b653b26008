/**
 * The hub end to end with real parts: a real MQTT client over TCP to the embedded broker, REST
 * over HTTP, and a Socket.IO client with the session cookie.
 */
import { connect as netConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAsync } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  uplinkTopic,
  type AlarmDto,
  type ApiError,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@anxin/protocol';
import {
  alarmEvent,
  login,
  startHub,
  TestGateway,
  waitFor,
  type RunningHub,
} from './testing/harness.js';
import { testEngine } from './testing/test-database.js';

const GW = 'gw-test-1';
const SECRET = 'secret-of-gw-test-1';
const OTHER = 'gw-test-2';

let h: RunningHub;
let gw: TestGateway;
let cookie: string;

beforeAll(async () => {
  h = await startHub();
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET, homeId: 'home-1' });
  await h.hub.provisionGateway({ gatewayId: OTHER, secret: 'secret-of-gw-test-2' });
  await h.hub.createUser({
    username: 'op1',
    password: 'operator-pass-1',
    role: 'operator',
    displayName: 'Operator One',
  });
  await h.hub.createUser({ username: 'fam1', password: 'family-pass-1', role: 'family' });
  gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
  cookie = await login(h.httpUrl, 'op1', 'operator-pass-1');
});

afterAll(async () => {
  await gw?.close();
  await h?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${h.httpUrl}${path}`, {
    ...init,
    headers: {
      cookie,
      ...(init.body ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
  });

describe('broker authentication and ACL', () => {
  it('refuses a wrong password, an unknown gateway and a client id that is not the username', async () => {
    const before = h.hub.stats().authFailures;
    const attempt = (opts: { clientId: string; username: string; password: string }) =>
      connectAsync(h.mqttUrl, {
        ...opts,
        reconnectPeriod: 0,
        connectTimeout: 3000,
        protocolVersion: 4,
      });
    await expect(
      attempt({ clientId: GW, username: GW, password: 'wrong-password' }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(
      attempt({ clientId: 'gw-nobody', username: 'gw-nobody', password: SECRET }),
    ).rejects.toThrow(/Bad username or password/i);
    await expect(
      attempt({ clientId: GW, username: OTHER, password: 'secret-of-gw-test-2' }),
    ).rejects.toThrow(/Not authorized/i);
    expect(h.hub.stats().authFailures).toBe(before + 3);
    // The rightful gateway is still connected and served.
    await gw.sendAlarms([alarmEvent(900, { kind: 'tamper' })]);
    await gw.waitForAck((a) => a.acked.includes(900));
  });

  it("refuses publishing to another gateway's topic and subscribing to its downlink", async () => {
    const other = await TestGateway.connect(h.mqttUrl, OTHER, 'secret-of-gw-test-2');
    const before = h.hub.stats().aclRefusals;
    // SUBACK 0x80 (refused); the connection stays up.
    await expect(
      other.client.subscribeAsync(`anxin/v1/gw/${GW}/down/ack`, { qos: 1 }),
    ).rejects.toThrow(/Subscribe error/);
    expect(other.client.connected).toBe(true);
    const closed = new Promise<void>((resolve) => other.client.once('close', () => resolve()));
    other.client.publish(
      uplinkTopic(GW, 'alarm'),
      JSON.stringify({ v: 1, events: [alarmEvent(1)] }),
      { qos: 1 },
    );
    await closed;
    expect(h.hub.stats().aclRefusals).toBe(before + 2);
    const res = await api(`/api/v1/alarms?status=open,acknowledged,resolved`);
    const body = (await res.json()) as { alarms: AlarmDto[] };
    expect(body.alarms.filter((a) => a.gatewayId === GW && a.kind === 'fall')).toHaveLength(0);
    await other.close();
  });
});

describe('alarm ingest', () => {
  let fallAlarmId = '';

  it('acks a valid alarm batch only after the alarm row exists, and pushes alarm:new', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(h.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    const pushed = new Promise<AlarmDto>((resolve) =>
      socket.on('alarm:new', (a) => a.kind === 'fall' && resolve(a)),
    );
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const event = alarmEvent(1, { kind: 'fall', detail: { room: 'bathroom' } });
    await gw.sendAlarms([event]);
    const ack = await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(1));
    expect(ack.rejected).toEqual([]);
    // At the moment the ack arrived, the alarm is already readable.
    const list = (await (await api('/api/v1/alarms')).json()) as { alarms: AlarmDto[] };
    const alarm = list.alarms.find((a) => a.kind === 'fall' && a.gatewayId === GW);
    expect(alarm).toMatchObject({
      status: 'open',
      priority: 1,
      homeId: 'home-1',
      deviceId: 'radar-1',
      triggerCount: 1,
    });
    expect(alarm?.raisedAt).toBe(new Date(event.observedAt).toISOString());
    const live = await pushed;
    expect(live.id).toBe(alarm?.id);
    fallAlarmId = live.id;

    const sync = await new Promise<{ alarms: AlarmDto[] }>((resolve) =>
      socket.emit('alarms:sync', resolve),
    );
    expect(sync.alarms.map((a) => a.id)).toContain(fallAlarmId);
    expect(sync.alarms[0]?.priority).toBe(1);
    socket.close();
  });

  it('acks a replay again and changes nothing; a seq reused with another event id is rejected', async () => {
    const original = alarmEvent(2, { kind: 'fall' });
    await gw.sendAlarms([original]);
    await gw.waitForAck((a) => a.acked.includes(2));
    const countBefore = (
      (await (await api(`/api/v1/alarms/${fallAlarmId}`)).json()) as { alarm: AlarmDto }
    ).alarm.triggerCount;
    expect(countBefore).toBe(2); // joined the open fall alarm

    gw.acks.length = 0;
    await gw.sendAlarms([original]);
    const replay = await gw.waitForAck((a) => a.acked.includes(2));
    expect(replay.rejected).toEqual([]);
    const after = (await (await api(`/api/v1/alarms/${fallAlarmId}`)).json()) as {
      alarm: AlarmDto;
      timeline: unknown[];
    };
    expect(after.alarm.triggerCount).toBe(2);
    expect(after.timeline).toHaveLength(2);

    await gw.sendAlarms([alarmEvent(2, { kind: 'fall' })]);
    const conflict = await gw.waitForAck((a) => a.rejected.some((r) => r.seq === 2));
    expect(conflict.rejected[0]?.code).toBe('SEQ_CONFLICT');
    expect(h.hub.stats().rejections['SEQ_CONFLICT']).toBeGreaterThanOrEqual(1);
  });

  it("records a resident's cancel on the alarm without deleting it", async () => {
    await gw.sendAlarms([alarmEvent(3, { kind: 'fall', action: 'cancel' })]);
    await gw.waitForAck((a) => a.acked.includes(3));
    const detail = (await (await api(`/api/v1/alarms/${fallAlarmId}`)).json()) as {
      alarm: AlarmDto;
      timeline: { action: string }[];
    };
    expect(detail.alarm.status).toBe('open');
    expect(detail.alarm.cancelledByResidentAt).not.toBeNull();
    expect(detail.timeline.map((t) => t.action)).toEqual(['raise', 'raise', 'cancel']);
  });

  it('counts bad JSON, schema failures and oversized payloads without crashing, and keeps serving', async () => {
    const before = h.hub.stats().rejections;
    await gw.publish('alarm', '{not json');
    await gw.publish('alarm', { v: 1, events: [{ type: 'alarm', nonsense: true }] });
    await gw.publish('telemetry', Buffer.alloc(300 * 1024, 0x20));
    await gw.publish('heartbeat', { v: 1 });
    await waitFor(
      () => {
        const r = h.hub.stats().rejections;
        return (
          (r['BAD_JSON'] ?? 0) > (before['BAD_JSON'] ?? 0) &&
          (r['SCHEMA'] ?? 0) >= (before['SCHEMA'] ?? 0) + 2 &&
          (r['TOO_LARGE'] ?? 0) > (before['TOO_LARGE'] ?? 0)
        );
      },
      5000,
      'rejections counted',
    );
    // One bad event in a batch is rejected by seq; the good one is stored (no poison batch).
    await gw.publish('alarm', {
      v: 1,
      events: [alarmEvent(10, { kind: 'sos' }), { ...alarmEvent(11), kind: 'unicorn' }],
    });
    const ack = await gw.waitForAck((a) => a.acked.includes(10));
    expect(ack.rejected).toEqual([expect.objectContaining({ seq: 11, code: 'SCHEMA' })]);
    // The broker still works for this gateway.
    await gw.sendAlarms([alarmEvent(12, { kind: 'smoke' })]);
    await gw.waitForAck((a) => a.acked.includes(12));
  });

  it('cuts a connection that announces a packet larger than mqtt.maxPacketBytes', async () => {
    const url = new URL(h.mqttUrl);
    const socket = netConnect(Number(url.port), url.hostname);
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // PUBLISH fixed header with Remaining Length 200 MiB (0x80 0x80 0x80 0x64), then nothing.
    socket.write(Buffer.from([0x30, 0x80, 0x80, 0x80, 0x64]));
    await closed;
    await gw.sendAlarms([alarmEvent(13, { kind: 'gas' })]);
    await gw.waitForAck((a) => a.acked.includes(13));
  });
});

describe('REST API', () => {
  it('lists in queue order, gets, acknowledges and resolves, each pushed as alarm:updated', async () => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(h.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    const updates: AlarmDto[] = [];
    socket.on('alarm:updated', (a) => updates.push(a));
    await new Promise<void>((resolve, reject) => {
      socket.on('connect', () => resolve());
      socket.on('connect_error', reject);
    });
    const { alarms } = (await (await api('/api/v1/alarms')).json()) as { alarms: AlarmDto[] };
    expect(alarms.length).toBeGreaterThanOrEqual(4);
    const priorities = alarms.map((a) => a.priority);
    expect([...priorities].sort()).toEqual(priorities);
    const target = alarms.find((a) => a.kind === 'smoke');
    expect(target).toBeDefined();
    const id = target?.id ?? '';

    const got = await api(`/api/v1/alarms/${id}`);
    expect(got.status).toBe(200);

    const acked = await api(`/api/v1/alarms/${id}/acknowledge`, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect(((await acked.json()) as { alarm: AlarmDto }).alarm).toMatchObject({
      status: 'acknowledged',
      acknowledgedBy: 'op1',
    });

    const resolved = await api(`/api/v1/alarms/${id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'false_alarm', notes: 'toast' }),
    });
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as { alarm: AlarmDto }).alarm).toMatchObject({
      status: 'resolved',
      outcome: 'false_alarm',
      notes: 'toast',
      resolvedBy: 'op1',
    });

    const again = await api(`/api/v1/alarms/${id}/acknowledge`, { method: 'POST' });
    expect(again.status).toBe(409);
    expect(((await again.json()) as ApiError).error.code).toBe('CONFLICT');

    await waitFor(
      () => updates.filter((u) => u.id === id).length >= 2,
      3000,
      'alarm:updated pushes',
    );
    expect(updates.filter((u) => u.id === id).map((u) => u.status)).toEqual([
      'acknowledged',
      'resolved',
    ]);
    socket.close();
  });

  it('answers unknown routes and ids with the one error shape', async () => {
    const route = await api('/api/v1/nope');
    expect(route.status).toBe(404);
    expect(await route.json()).toEqual({
      error: { code: 'NOT_FOUND', message: expect.any(String) },
    });
    const alarm = await api('/api/v1/alarms/does-not-exist');
    expect(alarm.status).toBe(404);
    expect(((await alarm.json()) as ApiError).error.code).toBe('NOT_FOUND');
  });

  it('answers validation failures, bad JSON, wrong media type and huge bodies with the one error shape', async () => {
    const { alarms } = (await (await api('/api/v1/alarms')).json()) as { alarms: AlarmDto[] };
    const id = alarms[0]?.id ?? 'x';
    const bad = await api(`/api/v1/alarms/${id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'sorted', extra: 1 }),
    });
    expect(bad.status).toBe(400);
    const badBody = (await bad.json()) as ApiError;
    expect(badBody.error.code).toBe('VALIDATION_FAILED');
    expect(badBody.error.details?.[0]?.path).toMatch(/^\/(outcome|extra)$/);

    const missing = await api(`/api/v1/alarms/${id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({}),
    });
    expect(((await missing.json()) as ApiError).error.details).toEqual([
      { path: '/outcome', message: expect.any(String) },
    ]);

    const query = await api('/api/v1/alarms?limit=0');
    expect(query.status).toBe(400);
    expect(((await query.json()) as ApiError).error.details?.[0]?.path).toBe('/limit');

    const json = await api(`/api/v1/alarms/${id}/resolve`, { method: 'POST', body: '{"outcome":' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as ApiError).error.code).toBe('VALIDATION_FAILED');

    const media = await api(`/api/v1/alarms/${id}/resolve`, {
      method: 'POST',
      body: 'outcome=false_alarm',
      headers: { 'content-type': 'text/plain' },
    });
    expect(media.status).toBe(415);
    expect(((await media.json()) as ApiError).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');

    const huge = await api(`/api/v1/alarms/${id}/resolve`, {
      method: 'POST',
      body: JSON.stringify({ outcome: 'false_alarm', notes: 'x'.repeat(200_000) }),
    });
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as ApiError).error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('requires a session (401), a console role (403), and rate-limits failed logins', async () => {
    expect(await h.hub.countUsers()).toBe(2);
    const anon = await fetch(`${h.httpUrl}/api/v1/alarms`);
    expect(anon.status).toBe(401);
    expect(((await anon.json()) as ApiError).error.code).toBe('UNAUTHENTICATED');
    const me = await fetch(`${h.httpUrl}/api/v1/session`);
    expect(me.status).toBe(401);

    // A family member with no relatives assigned sees no alarms (issue 5: scopes) and may never
    // acknowledge one (403).
    const family = await login(h.httpUrl, 'fam1', 'family-pass-1');
    const none = await fetch(`${h.httpUrl}/api/v1/alarms`, { headers: { cookie: family } });
    expect(none.status).toBe(200);
    expect(((await none.json()) as { alarms: unknown[] }).alarms).toEqual([]);
    const forbidden = await fetch(`${h.httpUrl}/api/v1/alarms/some-alarm/acknowledge`, {
      method: 'POST',
      headers: { cookie: family },
    });
    expect(forbidden.status).toBe(403);

    const foreign = ioClient(h.httpUrl, {
      transports: ['websocket'],
      reconnection: false,
      extraHeaders: { cookie, origin: 'http://evil.example' },
    });
    await new Promise<Error>((resolve) => foreign.on('connect_error', resolve));
    foreign.close();

    const socket = ioClient(h.httpUrl, { transports: ['websocket'], reconnection: false });
    const refused = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
    expect(refused.message).toBe('UNAUTHENTICATED');
    socket.close();

    const attempt = () =>
      fetch(`${h.httpUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'op1', password: 'wrong' }),
      });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);

    const out = await api('/api/v1/session', { method: 'DELETE' });
    expect(out.status).toBe(204);
    const after = await api('/api/v1/alarms');
    expect(after.status).toBe(401);
    cookie = await login(h.httpUrl, 'op1', 'operator-pass-1').catch(() => cookie);
  });

  it('serves healthz, metrics and a not-built console page', async () => {
    const health = await fetch(`${h.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      checks: { database: { ok: true }, broker: { ok: true }, telemetry: { ok: true } },
    });
    // Disconnects of earlier tests' sockets are processed asynchronously by the broker.
    let metrics = '';
    await waitFor(
      async () => {
        metrics = await (await fetch(`${h.httpUrl}/metrics`)).text();
        return metrics.match(/anxin_gateways_connected (\d+)/)?.[1] === '1';
      },
      3000,
      'one connected gateway',
    );
    expect(metrics).toMatch(/anxin_mqtt_messages_in_total\{channel="alarm"\} \d+/);
    expect(metrics).toMatch(/anxin_alarms_open\{priority="1"\} [1-9]/);
    expect(metrics.match(/anxin_gateways_connected (\d+)/)?.[1]).toBe('1');
    expect(metrics).toMatch(/anxin_sql_write_seconds_count [1-9]/);
    // The process's own memory and CPU, under the names Node dashboards expect.
    const rss = Number(metrics.match(/^process_resident_memory_bytes (\d+)$/m)?.[1]);
    const heap = Number(metrics.match(/^nodejs_heap_size_used_bytes (\d+)$/m)?.[1]);
    expect(heap).toBeGreaterThan(1e6);
    expect(rss).toBeGreaterThan(heap);
    expect(metrics).toMatch(/^process_cpu_user_seconds_total \d+(\.\d+)?$/m);
    if (testEngine() === 'sqlite') {
      // Every commit so far (the migrations' included) waited for a WAL fdatasync.
      expect(metrics).toMatch(/anxin_sqlite_wal_sync_seconds_count [1-9]/);
      expect(metrics).toContain('anxin_sqlite_wal_sync_up 1');
    } else expect(metrics).not.toContain('anxin_sqlite_wal_sync');
    // The event loop's lag is sampled from listen() on (a 10 ms timer).
    expect(metrics).toMatch(/anxin_event_loop_lag_seconds_count [1-9]/);
    const page = await fetch(`${h.httpUrl}/some/console/route`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('npm run build -w web');
  });
});
