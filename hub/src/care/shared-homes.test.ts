/**
 * Shared homes (issue 13): a device that belongs to one resident names that resident on its
 * alarms; home-level devices keep today's rule (sole resident, else none). Real hub, real MQTT
 * gateway; REST in-process through inject(). Scope: installers of other homes and family members
 * cannot assign; a resident of another home is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmListResponse,
  DeviceResidentListResponse,
  DeviceResidentResponse,
} from '@anxin/protocol';
import { alarmEvent, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';
import { errorCodeOf, inject, injectLogin } from '../testing/inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
let gateway: TestGateway | undefined;
const cookies: Record<string, string> = {};

const call = (who: string, method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown) =>
  inject(h.hub.http, cookies[who], method, url, body);

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 3 });
  for (const l of logins)
    cookies[l.username] = await injectLogin(h.hub.http, l.username, l.password);
  await h.hub.createUser({
    username: 'inst-other',
    password: 'inst-other-pass',
    role: 'installer',
  });
  cookies['inst-other'] = await injectLogin(h.hub.http, 'inst-other', 'inst-other-pass');
  // home-0003 is the demo's shared home: home-0003-r1 and home-0003-r2.
  await h.hub.provisionGateway({ gatewayId: 'gw-3', secret: 'secret-gw-3', homeId: 'home-0003' });
  for (const [id, kind] of [
    ['mat-r2', 'bed'],
    ['pendant-r1', 'sos_button'],
    ['smoke-1', 'smoke'],
  ] as const) {
    const a = await call('installer', 'POST', '/api/v1/gateways/gw-3/devices', {
      id,
      driver: 'zigbee2mqtt',
      kind,
    });
    expect(a.status).toBe(201);
  }
  gateway = await TestGateway.connect(h.mqttUrl, 'gw-3', 'secret-gw-3');
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await h?.close();
});

async function openAlarms() {
  const a = await call('operator', 'GET', '/api/v1/alarms?status=open');
  return (a.json as AlarmListResponse).alarms.filter((x) => x.homeId === 'home-0003');
}

describe('a device that belongs to one resident', () => {
  it('is assigned by the installer, listed for the home, and refused out of scope', async () => {
    const set = await call('installer', 'PUT', '/api/v1/gateways/gw-3/devices/mat-r2/resident', {
      residentId: 'home-0003-r2',
    });
    expect(set.status).toBe(200);
    expect((set.json as DeviceResidentResponse).device).toEqual({
      gatewayId: 'gw-3',
      deviceId: 'mat-r2',
      residentId: 'home-0003-r2',
    });
    const pendant = await call(
      'admin',
      'PUT',
      '/api/v1/gateways/gw-3/devices/pendant-r1/resident',
      { residentId: 'home-0003-r1' },
    );
    expect(pendant.status).toBe(200);

    const list = await call('operator', 'GET', '/api/v1/homes/home-0003/device-residents');
    expect(list.status).toBe(200);
    expect((list.json as DeviceResidentListResponse).devices).toEqual([
      { gatewayId: 'gw-3', deviceId: 'mat-r2', residentId: 'home-0003-r2' },
      { gatewayId: 'gw-3', deviceId: 'pendant-r1', residentId: 'home-0003-r1' },
      { gatewayId: 'gw-3', deviceId: 'smoke-1', residentId: null },
    ]);

    // A resident of another home, an unknown device, a bad body.
    const wrongHome = await call(
      'installer',
      'PUT',
      '/api/v1/gateways/gw-3/devices/mat-r2/resident',
      {
        residentId: 'home-0001-r1',
      },
    );
    expect(wrongHome.status).toBe(400);
    expect(errorCodeOf(wrongHome)).toBe('VALIDATION_FAILED');
    const noDevice = await call('installer', 'PUT', '/api/v1/gateways/gw-3/devices/nope/resident', {
      residentId: null,
    });
    expect(noDevice.status).toBe(404);
    const badBody = await call(
      'installer',
      'PUT',
      '/api/v1/gateways/gw-3/devices/mat-r2/resident',
      {
        resident: 'home-0003-r2',
      },
    );
    expect(badBody.status).toBe(400);

    // Roles and scope: family may not (403); an installer of other homes does not see it (404).
    const family = await call('family', 'PUT', '/api/v1/gateways/gw-3/devices/mat-r2/resident', {
      residentId: null,
    });
    expect(family.status).toBe(403);
    const other = await call('inst-other', 'PUT', '/api/v1/gateways/gw-3/devices/mat-r2/resident', {
      residentId: null,
    });
    expect(other.status).toBe(404);
    expect(
      (await call('inst-other', 'GET', '/api/v1/homes/home-0003/device-residents')).status,
    ).toBe(404);
    // Unchanged by the refusals.
    const again = await call('admin', 'GET', '/api/v1/homes/home-0003/device-residents');
    expect((again.json as DeviceResidentListResponse).devices[0]?.residentId).toBe('home-0003-r2');
  });

  it("names that resident on its alarms; two residents' alarms never join", async () => {
    const gw = gateway;
    if (!gw) throw new Error('no gateway');
    await gw.sendAlarms([
      alarmEvent(1, { kind: 'fall', deviceId: 'mat-r2' }),
      alarmEvent(2, { kind: 'sos', deviceId: 'pendant-r1' }),
      alarmEvent(3, { kind: 'smoke', deviceId: 'smoke-1' }),
    ]);
    await gw.waitForAck((a) => a.acked.includes(3));
    await waitFor(async () => (await openAlarms()).length === 3, 5000, 'three alarms');
    const byDevice = new Map((await openAlarms()).map((a) => [a.deviceId, a]));
    expect(byDevice.get('mat-r2')?.residentId).toBe('home-0003-r2');
    expect(byDevice.get('pendant-r1')?.residentId).toBe('home-0003-r1');
    // A home-level device in a shared home names nobody (the console shows both residents).
    expect(byDevice.get('smoke-1')?.residentId).toBeNull();

    // The other resident's SOS opens its own alarm instead of joining resident 1's.
    const set = await call('installer', 'PUT', '/api/v1/gateways/gw-3/devices/mat-r2/resident', {
      residentId: 'home-0003-r2',
    });
    expect(set.status).toBe(200);
    await gw.sendAlarms([
      alarmEvent(4, { kind: 'sos', deviceId: 'mat-r2' }),
      alarmEvent(5, { kind: 'sos', deviceId: 'pendant-r1' }),
    ]);
    await gw.waitForAck((a) => a.acked.includes(5));
    const sos = (await openAlarms()).filter((a) => a.kind === 'sos');
    expect(sos.map((a) => a.residentId).sort()).toEqual(['home-0003-r1', 'home-0003-r2']);
    expect(sos.find((a) => a.residentId === 'home-0003-r1')?.triggerCount).toBe(2);

    // Reassigning later does not rewrite history: the fall still names resident 2.
    await call('installer', 'PUT', '/api/v1/gateways/gw-3/devices/mat-r2/resident', {
      residentId: null,
    });
    const fall = (await openAlarms()).find((a) => a.kind === 'fall');
    expect(fall?.residentId).toBe('home-0003-r2');
  });
});
