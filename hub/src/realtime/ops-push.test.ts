/**
 * `ops:changed` (issue 13) on a real hub with real Socket.IO clients over loopback: a change made
 * over REST reaches the sockets that may read it — an operator of the record's area, the family
 * member following its resident — and no one else: not an operator of another area, not an
 * unrelated family member, not a family member for a kind they may not read (welfare checks).
 * The payload is the kind and ids, nothing personal. Absence is asserted after a later push to the
 * same socket has arrived (pushes leave in order), not after a sleep.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import type {
  ClientToServerEvents,
  OpsChangedEvent,
  ServerToClientEvents,
  ServiceRequestResponse,
  WelfareCheckResponse,
} from '@anxin/protocol';
import { seedDemo } from '../care/seed.js';
import {
  alarmEvent,
  callApi,
  login,
  startHub,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

let h: RunningHub;
let gateway: TestGateway | undefined;
const cookies: Record<string, string> = {};
const sockets: Client[] = [];
const got: Record<string, OpsChangedEvent[]> = {};

const call = (who: string, method: string, path: string, body?: unknown) =>
  callApi(h.httpUrl, cookies[who], method, path, body);

async function listen(who: string): Promise<void> {
  const s: Client = ioClient(h.httpUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: cookies[who] ?? '' },
  });
  sockets.push(s);
  got[who] = [];
  s.on('ops:changed', (c) => got[who]?.push(c));
  await new Promise<void>((resolve, reject) => {
    s.on('connect', () => resolve());
    s.on('connect_error', reject);
  });
}

const idsOf = (who: string) => (got[who] ?? []).map((c) => c.id);

async function request(residentId: string): Promise<string> {
  const made = await call('admin', 'POST', '/api/v1/service-requests', {
    residentId,
    category: 'meal_delivery',
    description: '午饭送餐 lunch, please',
  });
  expect(made.status).toBe(201);
  return (made.body as ServiceRequestResponse).serviceRequest.id;
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  for (const l of logins) cookies[l.username] = await login(h.httpUrl, l.username, l.password);
  // home-0001 is in street-east, home-0002 in street-west; 'family' follows home-0001-r1.
  const more = [
    { username: 'op-east', role: 'operator', areaIds: ['street-east'] },
    { username: 'op-west', role: 'operator', areaIds: ['street-west'] },
    { username: 'fam-west', role: 'family', residentIds: ['home-0002-r1'] },
  ];
  for (const u of more) {
    const password = `${u.username}-pass`;
    expect((await call('admin', 'POST', '/api/v1/users', { ...u, password })).status).toBe(201);
    cookies[u.username] = await login(h.httpUrl, u.username, password);
  }
  for (const who of ['op-east', 'op-west', 'family', 'fam-west']) await listen(who);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  for (const s of sockets) s.close();
  await h?.close();
});

describe('ops:changed', () => {
  it('reaches the area operator and the relative’s family only, with ids and no personal data', async () => {
    const east = await request('home-0001-r1');
    await waitFor(() => idsOf('op-east').includes(east), 5000, 'op-east hears of the request');
    await waitFor(() => idsOf('family').includes(east), 5000, 'family hears of the request');
    expect(got['op-east']).toEqual([
      { kind: 'service_request', id: east, areaId: 'community-east-1' },
    ]);
    // Only the three ids: no name, address, description or user.
    expect(Object.keys(got['family']?.[0] ?? {}).sort()).toEqual(['areaId', 'id', 'kind']);

    // A change in the west: the west sockets hear it, which proves they were listening — and
    // since pushes leave in order, the east request would have reached them before it.
    const west = await request('home-0002-r1');
    await waitFor(() => idsOf('op-west').includes(west), 5000, 'op-west hears of its request');
    await waitFor(() => idsOf('fam-west').includes(west), 5000, 'fam-west hears of its request');
    expect(idsOf('op-west')).toEqual([west]);
    expect(idsOf('fam-west')).toEqual([west]);

    // A status change of the east request is a change too.
    const assigned = await call('admin', 'POST', `/api/v1/service-requests/${east}/assign`, {
      name: '社区食堂 Canteen',
    });
    expect(assigned.status).toBe(200);
    await waitFor(() => idsOf('op-east').length === 2, 5000, 'op-east hears of the assignment');
    expect(idsOf('op-east')).toEqual([east, east]);
  });

  it('a welfare check goes to the area’s staff, never to family (they may not read checks)', async () => {
    const made = await call('admin', 'POST', '/api/v1/welfare-checks', {
      residentId: 'home-0001-r1',
      kind: 'call',
    });
    expect(made.status).toBe(201);
    const check = (made.body as WelfareCheckResponse).check.id;
    await waitFor(
      () => (got['op-east'] ?? []).some((c) => c.id === check),
      5000,
      'op-east hears of the check',
    );
    expect(got['op-east']?.at(-1)).toEqual({
      kind: 'welfare_check',
      id: check,
      areaId: 'community-east-1',
    });
    // Then a request the family may see: once it has arrived, the check (pushed first) did not.
    const next = await request('home-0001-r1');
    await waitFor(() => idsOf('family').includes(next), 5000, 'family hears of the next request');
    expect(idsOf('family')).not.toContain(check);
    expect(idsOf('op-west')).not.toContain(check);
  });
  it('a request a service button opened on the alarm lane is announced once committed', async () => {
    await h.hub.provisionGateway({
      gatewayId: 'gw-east',
      secret: 'gw-east-secret',
      homeId: 'home-0001',
    });
    const path = '/api/v1/gateways/gw-east/devices/button-1/service-button';
    const set = await call('admin', 'PUT', path, {
      actions: ['double'],
      category: 'companionship',
    });
    expect(set.status).toBe(200);
    gateway = await TestGateway.connect(h.mqttUrl, 'gw-east', 'gw-east-secret');
    const before = idsOf('op-east').length;
    await gateway.sendAlarms([
      alarmEvent(1, { kind: 'sos', deviceId: 'button-1', detail: { action: 'double' } }),
    ]);
    await gateway.waitForAck((a) => a.acked.includes(1));
    await waitFor(() => idsOf('op-east').length > before, 5000, 'op-east hears of the press');
    const heard = got['op-east']?.at(-1);
    expect(heard).toMatchObject({ kind: 'service_request', areaId: 'community-east-1' });
    const opened = await call('admin', 'GET', `/api/v1/service-requests/${heard?.id ?? ''}`);
    expect((opened.body as ServiceRequestResponse).serviceRequest).toMatchObject({
      source: 'device',
      deviceId: 'button-1',
      category: 'companionship',
    });
  });
});
