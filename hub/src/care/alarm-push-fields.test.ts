/**
 * The console push of a gateway's alarm is built from what the alarm writer knows after its
 * commit (issue 12): a device's new alarm reaches consoles with no SQL read between the commit
 * and the emit, and is still the same DTO as GET /alarms/:id — for the sole resident of a home,
 * a shared home's device that belongs to one resident, a shared home's home-level device, an
 * alarm joined by a second trigger, and a joined alarm someone is already on the way to. Real
 * hub, real MQTT gateways, real Socket.IO client; REST in-process through inject().
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Socket } from 'socket.io-client';
import type {
  AlarmDto,
  AlarmResponse,
  ClientToServerEvents,
  ServerToClientEvents,
} from '@anxin/protocol';
import { alarmEvent, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';
import { inject, injectLogin } from '../testing/inject.js';
import { connectConsole, type AlarmPush } from '../testing/console-pushes.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
const gateways: TestGateway[] = [];
let socket: Socket<ServerToClientEvents, ClientToServerEvents> | undefined;
const cookies: Record<string, string> = {};
let pushed: AlarmPush[] = [];

async function call(who: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) {
  const res = await inject(h.hub.http, cookies[who], method, url, body);
  expect(res.status, `${method} ${url}`).toBe(200);
  return res.json;
}

async function restAlarm(id: string): Promise<AlarmDto> {
  return ((await call('operator', 'GET', `/api/v1/alarms/${id}`)) as AlarmResponse).alarm;
}

/** Sends one alarm event and returns the push it caused (the n-th push of this test file). */
async function pushOf(gw: TestGateway, seq: number, deviceId: string): Promise<AlarmDto> {
  const before = pushed.length;
  await gw.sendAlarms([alarmEvent(seq, { kind: 'sos', deviceId })]);
  await gw.waitForAck((a) => a.acked.includes(seq));
  await waitFor(() => pushed.length > before, 5000, `push of seq ${seq}`);
  const push = pushed[before];
  if (!push) throw new Error('no push');
  return push.alarm;
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 3 });
  for (const l of logins)
    cookies[l.username] = await injectLogin(h.hub.http, l.username, l.password);
  // home-0001 has one resident; home-0003 is the demo's shared home (home-0003-r1 and -r2).
  await h.hub.provisionGateway({ gatewayId: 'gw-1', secret: 'secret-gw-1', homeId: 'home-0001' });
  await h.hub.provisionGateway({ gatewayId: 'gw-3', secret: 'secret-gw-3', homeId: 'home-0003' });
  for (const id of ['pendant-r2', 'button-hall'])
    expect(
      (
        await inject(h.hub.http, cookies.installer, 'POST', '/api/v1/gateways/gw-3/devices', {
          id,
          driver: 'zigbee2mqtt',
          kind: 'sos_button',
        })
      ).status,
    ).toBe(201);
  await call('installer', 'PUT', '/api/v1/gateways/gw-3/devices/pendant-r2/resident', {
    residentId: 'home-0003-r2',
  });
  gateways.push(await TestGateway.connect(h.mqttUrl, 'gw-1', 'secret-gw-1'));
  gateways.push(await TestGateway.connect(h.mqttUrl, 'gw-3', 'secret-gw-3'));
  const client = await connectConsole(h.httpUrl, cookies.operator ?? '');
  socket = client.socket;
  pushed = client.pushed;
}, 60_000);

afterAll(async () => {
  vi.restoreAllMocks();
  socket?.close();
  for (const g of gateways) await g.close();
  await h?.close();
});

describe("a gateway's new alarm is pushed from what its writer knows", () => {
  it('with no SQL read after the commit, and equal to GET /alarms/:id', async () => {
    const [gw1, gw3] = gateways;
    if (!gw1 || !gw3) throw new Error('no gateways');
    const enrich = vi.spyOn(h.hub.care.scopedAlarms, 'enrichMany');

    const sole = await pushOf(gw1, 1, 'button-1');
    const own = await pushOf(gw3, 1, 'pendant-r2');
    const shared = await pushOf(gw3, 2, 'button-hall');
    expect(pushed.map((p) => p.event)).toEqual(['alarm:new', 'alarm:new', 'alarm:new']);
    // The pushes read nothing back: the writer knew who each alarm is about.
    expect(enrich).not.toHaveBeenCalled();

    expect(sole.residentId).toBe('home-0001-r1');
    expect(own.residentId).toBe('home-0003-r2');
    expect(shared.residentId).toBeNull();
    for (const a of [sole, own, shared]) {
      expect(a.responders).toEqual([]);
      expect(a).toEqual(await restAlarm(a.id));
    }
  });

  it('a joined alarm, and one someone is on the way to, are pushed as GET shows them', async () => {
    const [gw1] = gateways;
    if (!gw1) throw new Error('no gateway');
    const first = pushed[0]?.alarm;
    if (!first) throw new Error('no first alarm');

    const joined = await pushOf(gw1, 2, 'button-1');
    expect(pushed.at(-1)?.event).toBe('alarm:updated');
    expect(joined.id).toBe(first.id);
    expect(joined.triggerCount).toBe(2);
    expect(joined).toEqual(await restAlarm(first.id));

    // Family accepts the escalation ("I am going there"); the next trigger's push still names them.
    await call('family', 'POST', `/api/v1/alarms/${first.id}/responding`, { etaMinutes: 5 });
    await waitFor(() => pushed.length >= 5, 5000, 'responding push');
    const escalated = await pushOf(gw1, 3, 'button-1');
    expect(escalated.triggerCount).toBe(3);
    expect(escalated.responders?.map((r) => r.username)).toEqual(['family']);
    expect(escalated).toEqual(await restAlarm(first.id));
  });
});
