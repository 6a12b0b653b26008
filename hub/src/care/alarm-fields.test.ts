/**
 * Every AlarmDto the hub emits carries the care-model fields (residentId, responders): REST
 * answers of acknowledge and resolve, `alarm:new` and `alarm:updated` pushes, GET and
 * `alarms:sync` — the same alarm looks the same whichever way it arrives. Real hub, real MQTT
 * gateway, real Socket.IO client.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Socket } from 'socket.io-client';
import type {
  AlarmDto,
  AlarmResponse,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@anxin/protocol';
import {
  alarmEvent,
  login,
  startHub,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';
import { connectConsole, type AlarmPush } from '../testing/console-pushes.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
let gateway: TestGateway | undefined;
let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
const cookies: Record<string, string> = {};
let pushed: AlarmPush[] = [];

async function call(who: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${h.httpUrl}${path}`, {
    method,
    headers: {
      cookie: cookies[who] ?? '',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  expect(res.status).toBe(200);
  return await res.json();
}

async function restAlarm(id: string): Promise<AlarmDto> {
  return ((await call('operator', 'GET', `/api/v1/alarms/${id}`)) as AlarmResponse).alarm;
}

async function synced(id: string): Promise<AlarmDto | undefined> {
  const s = socket;
  if (!s) throw new Error('no socket');
  const answer = await new Promise<{ alarms: AlarmDto[] }>((resolve) =>
    s.emit('alarms:sync', resolve),
  );
  return answer.alarms.find((a) => a.id === id);
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 1 });
  for (const l of logins) cookies[l.username] = await login(h.httpUrl, l.username, l.password);
  await h.hub.provisionGateway({ gatewayId: 'gw-1', secret: 'secret-gw-1', homeId: 'home-0001' });
  gateway = await TestGateway.connect(h.mqttUrl, 'gw-1', 'secret-gw-1');
  const client = await connectConsole(h.httpUrl, cookies.operator ?? '');
  socket = client.socket;
  pushed = client.pushed;
}, 60_000);

afterAll(async () => {
  socket?.close();
  await gateway?.close();
  await h?.close();
});

describe('one enriched AlarmDto everywhere', () => {
  it('alarm:new, acknowledge, responding and resolve answers and pushes match GET and sync', async () => {
    const gw = gateway;
    if (!gw) throw new Error('no gateway');
    await gw.sendAlarms([alarmEvent(1, { kind: 'sos', deviceId: 'button-1' })]);
    await gw.waitForAck((a) => a.acked.includes(1));

    await waitFor(() => pushed.some((p) => p.event === 'alarm:new'), 5000, 'alarm:new');
    const created = pushed.find((p) => p.event === 'alarm:new')?.alarm;
    if (!created) throw new Error('no alarm:new');
    // home-0001 has one resident: the alarm is about her; nobody is on the way yet.
    expect(created.residentId).toBe('home-0001-r1');
    expect(created.responders).toEqual([]);
    expect(created).toEqual(await restAlarm(created.id));
    expect(await synced(created.id)).toEqual(created);

    // Someone is on the way: every later answer and push names them.
    const responding = (
      (await call('family', 'POST', `/api/v1/alarms/${created.id}/responding`, {
        etaMinutes: 10,
      })) as AlarmResponse
    ).alarm;
    expect(responding.responders?.map((r) => r.username)).toEqual(['family']);

    const acked = (
      (await call('operator', 'POST', `/api/v1/alarms/${created.id}/acknowledge`)) as AlarmResponse
    ).alarm;
    expect(acked.status).toBe('acknowledged');
    expect(acked.residentId).toBe('home-0001-r1');
    expect(acked.responders).toEqual(responding.responders);
    expect(acked).toEqual(await restAlarm(created.id));
    expect(await synced(created.id)).toEqual(acked);
    await waitFor(
      () => pushed.some((p) => p.event === 'alarm:updated' && p.alarm.status === 'acknowledged'),
      5000,
      'alarm:updated (acknowledged)',
    );
    expect(
      pushed.find((p) => p.event === 'alarm:updated' && p.alarm.status === 'acknowledged')?.alarm,
    ).toEqual(acked);

    const resolved = (
      (await call('operator', 'POST', `/api/v1/alarms/${created.id}/resolve`, {
        outcome: 'false_alarm',
      })) as AlarmResponse
    ).alarm;
    expect(resolved.status).toBe('resolved');
    expect(resolved.residentId).toBe('home-0001-r1');
    expect(resolved.responders).toEqual(responding.responders);
    expect(resolved).toEqual(await restAlarm(created.id));
    await waitFor(
      () => pushed.some((p) => p.event === 'alarm:updated' && p.alarm.status === 'resolved'),
      5000,
      'alarm:updated (resolved)',
    );
    expect(
      pushed.find((p) => p.event === 'alarm:updated' && p.alarm.status === 'resolved')?.alarm,
    ).toEqual(resolved);

    // Reopening (supervisors) answers the same shape too.
    const reopened = (
      (await call('supervisor', 'POST', `/api/v1/alarms/${created.id}/reopen`, {
        reason: 'resident called back',
      })) as AlarmResponse
    ).alarm;
    expect(reopened.status).not.toBe('resolved');
    expect(reopened.residentId).toBe('home-0001-r1');
    expect(reopened.responders).toEqual(responding.responders);
    expect(reopened).toEqual(await restAlarm(created.id));

    // Every push carried the fields, and they left in order (new before any update).
    expect(pushed.every((p) => 'residentId' in p.alarm && Array.isArray(p.alarm.responders))).toBe(
      true,
    );
    expect(pushed[0]?.event).toBe('alarm:new');
  });
});
