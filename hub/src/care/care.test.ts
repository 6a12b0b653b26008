/**
 * The care model end to end on a real hub in-process: REST over HTTP with real session cookies,
 * real Socket.IO clients, and real MQTT gateways on the embedded broker. Every role tries to
 * read and change what it must not: out-of-scope reads answer 404, forbidden writes 403, and
 * every refusal is in the audit log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io as ioClient, type Socket } from 'socket.io-client';
import {
  type AlarmDto,
  type ApiError,
  type AuditListResponse,
  type FiguresResponse,
  type ClientToServerEvents,
  type ServerToClientEvents,
  type TelemetryQueryResponse,
} from '@anxin/protocol';
import {
  callApi,
  expectApiError,
  type ApiAnswer,
  alarmEvent,
  login,
  startHub,
  telemetryEvent,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';
import { seedDemo, type DemoLogin } from './seed.js';
import { downsample } from './telemetry-query.js';

let h: RunningHub;
const cookies: Record<string, string> = {};
let logins: DemoLogin[] = [];
const gateways: TestGateway[] = [];
const sockets: Socket[] = [];
let alarmEast = '';
let alarmWest = '';

const call = (who: string, method: string, path: string, body?: unknown) =>
  callApi(h.httpUrl, cookies[who], method, path, body);

function errorCode(a: ApiAnswer): string | undefined {
  return (a.body as ApiError | null)?.error?.code;
}

async function deniedCount(): Promise<number> {
  const a = await call('admin', 'GET', '/api/v1/audit?action=access.denied&limit=1000');
  return (a.body as AuditListResponse).entries.length;
}

function socketFor(who: string): Socket<ServerToClientEvents, ClientToServerEvents> {
  const s: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(h.httpUrl, {
    transports: ['websocket'],
    reconnection: false,
    extraHeaders: { cookie: cookies[who] ?? '' },
  });
  sockets.push(s);
  return s;
}

beforeAll(async () => {
  h = await startHub();
  logins = (await seedDemo(h.hub, { homes: 3 })).logins;
  for (const l of logins) cookies[l.username] = await login(h.httpUrl, l.username, l.password);

  // More users with narrower scopes, created through the API as an admin.
  const more = [
    { username: 'op-west', role: 'operator', password: 'op-west-pass', areaIds: ['street-west'] },
    {
      username: 'sup-west',
      role: 'supervisor',
      password: 'sup-west-pass',
      areaIds: ['street-west'],
    },
    {
      username: 'fam-west',
      role: 'family',
      password: 'fam-west-pass',
      residentIds: ['home-0002-r1'],
    },
    {
      username: 'inst-none',
      role: 'installer',
      password: 'inst-none-pass',
      areaIds: ['community-west-1'],
    },
  ];
  for (const u of more) {
    const a = await call('admin', 'POST', '/api/v1/users', u);
    expect(a.status).toBe(201);
    cookies[u.username] = await login(h.httpUrl, u.username, u.password);
  }

  // home-0001 is in the east community, home-0002 in the west one.
  await h.hub.provisionGateway({
    gatewayId: 'gw-east',
    secret: 'secret-gw-east',
    homeId: 'home-0001',
  });
  await h.hub.provisionGateway({
    gatewayId: 'gw-west',
    secret: 'secret-gw-west',
    homeId: 'home-0002',
  });
  const east = await TestGateway.connect(h.mqttUrl, 'gw-east', 'secret-gw-east');
  const west = await TestGateway.connect(h.mqttUrl, 'gw-west', 'secret-gw-west');
  gateways.push(east, west);
  await east.sendAlarms([alarmEvent(1, { kind: 'sos', deviceId: 'button-1' })]);
  await west.sendAlarms([alarmEvent(1, { kind: 'fall' })]);
  await east.waitForAck((a) => a.acked.includes(1));
  await west.waitForAck((a) => a.acked.includes(1));
  const all = (await call('admin', 'GET', '/api/v1/alarms')).body as { alarms: AlarmDto[] };
  alarmEast = all.alarms.find((a) => a.homeId === 'home-0001')?.id ?? '';
  alarmWest = all.alarms.find((a) => a.homeId === 'home-0002')?.id ?? '';
  expect(alarmEast).not.toBe('');
  expect(alarmWest).not.toBe('');
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  for (const g of gateways) await g.close();
  await h?.close();
});

describe('scopes: reads out of scope are 404, forbidden writes 403, all audited', () => {
  it('family sees only their relative: alarms, home, residents', async () => {
    const before = await deniedCount();

    const list = await call('family', 'GET', '/api/v1/alarms');
    expect(list.status).toBe(200);
    expect((list.body as { alarms: AlarmDto[] }).alarms.map((a) => a.id)).toEqual([alarmEast]);
    // home-0001 has one resident: the alarm is about her.
    expect((list.body as { alarms: AlarmDto[] }).alarms[0]?.residentId).toBe('home-0001-r1');

    expectApiError(await call('family', 'GET', `/api/v1/alarms/${alarmWest}`), 404, 'NOT_FOUND');
    expectApiError(await call('family', 'GET', '/api/v1/homes/home-0002'), 404, 'NOT_FOUND');
    expectApiError(await call('family', 'GET', '/api/v1/homes/home-0002/card'), 404, 'NOT_FOUND');
    expectApiError(await call('family', 'GET', '/api/v1/residents/home-0002-r1'), 404, 'NOT_FOUND');
    expectApiError(
      await call('family', 'GET', '/api/v1/homes/home-0002/contacts'),
      404,
      'NOT_FOUND',
    );
    // An id that does not exist at all answers exactly the same.
    expectApiError(await call('family', 'GET', '/api/v1/homes/home-9999'), 404, 'NOT_FOUND');

    const card = await call('family', 'GET', '/api/v1/homes/home-0001/card');
    expect(card.status).toBe(200);
    const c = card.body as {
      home: { hasKeySafeCode: boolean; keySafeCode?: string };
      residents: { id: string }[];
      contacts: unknown[];
      plans: unknown[];
    };
    expect(c.home.hasKeySafeCode).toBe(true);
    expect('keySafeCode' in c.home).toBe(false);
    expect(c.residents.map((r) => r.id)).toEqual(['home-0001-r1']);
    expect(c.contacts.length).toBe(3);

    const homes = await call('family', 'GET', '/api/v1/homes');
    expect((homes.body as { homes: { id: string }[] }).homes.map((x) => x.id)).toEqual([
      'home-0001',
    ]);

    // Writes a family member may never do: 403, whatever the target.
    expectApiError(
      await call('family', 'POST', `/api/v1/alarms/${alarmEast}/acknowledge`),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await call('family', 'PATCH', '/api/v1/residents/home-0001-r1', { name: 'x' }),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await call('family', 'PUT', '/api/v1/homes/home-0001/contacts', { contacts: [] }),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await call('family', 'PUT', '/api/v1/homes/home-0001/test-mode', { enabled: true }),
      403,
      'FORBIDDEN',
    );
    expectApiError(await call('family', 'GET', '/api/v1/audit'), 403, 'FORBIDDEN');
    expectApiError(await call('family', 'GET', '/api/v1/users'), 403, 'FORBIDDEN');
    expectApiError(await call('family', 'GET', '/api/v1/gateways'), 403, 'FORBIDDEN');

    // 6 reads refused (404) + 7 refused by role (403).
    expect((await deniedCount()) - before).toBe(13);
    const audit = await call(
      'admin',
      'GET',
      '/api/v1/audit?action=access.denied&username=family&limit=20',
    );
    const entries = (audit.body as AuditListResponse).entries;
    expect(entries.some((e) => e.targetType === 'home' && e.targetId === 'home-0002')).toBe(true);
    expect(entries.some((e) => e.targetType === 'alarm' && e.targetId === alarmWest)).toBe(true);
  });

  it('family answers "I am going there" for their relative only', async () => {
    const ok = await call('family', 'POST', `/api/v1/alarms/${alarmEast}/responding`, {
      etaMinutes: 15,
    });
    expect(ok.status).toBe(200);
    const alarm = (ok.body as { alarm: AlarmDto }).alarm;
    expect(alarm.responders?.map((r) => [r.username, r.etaMinutes])).toEqual([['family', 15]]);
    expectApiError(
      await call('family', 'POST', `/api/v1/alarms/${alarmWest}/responding`, {}),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('installer', 'POST', `/api/v1/alarms/${alarmEast}/responding`, {}),
      403,
      'FORBIDDEN',
    );
    const detail = await call('operator', 'GET', `/api/v1/alarms/${alarmEast}`);
    expect((detail.body as { alarm: AlarmDto }).alarm.responders?.[0]?.username).toBe('family');
  });

  it("a supervisor's answer-time figures cover the homes of their areas only", async () => {
    const west = (await call('sup-west', 'GET', '/api/v1/figures')).body as FiguresResponse;
    const all = (await call('admin', 'GET', '/api/v1/figures')).body as FiguresResponse;
    expect(west.perAlarm.map((a) => a.alarmId)).toEqual([alarmWest]);
    expect(all.perAlarm.map((a) => a.alarmId)).toEqual(
      expect.arrayContaining([alarmEast, alarmWest]),
    );
    expect(west.alarms).toBeLessThan(all.alarms);
  });

  it('an operator sees only the homes and alarms of their areas', async () => {
    const homes = await call('op-west', 'GET', '/api/v1/homes');
    expect((homes.body as { homes: { id: string }[] }).homes.map((x) => x.id)).toEqual([
      'home-0002',
    ]);
    const alarms = await call('op-west', 'GET', '/api/v1/alarms');
    expect((alarms.body as { alarms: AlarmDto[] }).alarms.map((a) => a.id)).toEqual([alarmWest]);
    expectApiError(await call('op-west', 'GET', '/api/v1/homes/home-0001/card'), 404, 'NOT_FOUND');
    // The engine's routes answer with the same scope as the care routes.
    expectApiError(await call('op-west', 'GET', '/api/v1/homes/home-0001/rules'), 404, 'NOT_FOUND');
    expect((await call('op-west', 'GET', '/api/v1/homes/home-0002/rules')).status).toBe(200);
    expectApiError(
      await call('op-west', 'GET', `/api/v1/alarms/${alarmEast}/escalation`),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('op-west', 'POST', `/api/v1/alarms/${alarmEast}/acknowledge`),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('op-west', 'POST', `/api/v1/alarms/${alarmEast}/resolve`, {
        outcome: 'false_alarm',
      }),
      404,
      'NOT_FOUND',
    );
    // Operators keep contacts current but never change response plans or users.
    expectApiError(
      await call('op-west', 'PUT', '/api/v1/homes/home-0002/plans/fall', { steps: ['x'] }),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await call('op-west', 'POST', '/api/v1/users', {
        username: 'x',
        role: 'admin',
        password: '12345678',
      }),
      403,
      'FORBIDDEN',
    );
    const card = await call('op-west', 'GET', '/api/v1/homes/home-0002/card');
    expect(card.status).toBe(200);
    expect((card.body as { home: { keySafeCode?: string } }).home.keySafeCode).toMatch(/^\d{4}$/);
    const ack = await call('op-west', 'POST', `/api/v1/alarms/${alarmWest}/acknowledge`);
    expect(ack.status).toBe(200);
    // The card read was audited with who read it.
    const audit = await call(
      'admin',
      'GET',
      '/api/v1/audit?action=home.card_read&username=op-west',
    );
    expect((audit.body as AuditListResponse).entries[0]?.targetId).toBe('home-0002');
  });

  it('installers reach only homes assigned to them, and never the card or the audit log', async () => {
    expectApiError(await call('inst-none', 'GET', '/api/v1/homes/home-0001'), 404, 'NOT_FOUND');
    expectApiError(await call('inst-none', 'GET', `/api/v1/alarms/${alarmEast}`), 404, 'NOT_FOUND');
    expectApiError(
      await call('inst-none', 'PATCH', '/api/v1/homes/home-0001', { accessNotes: 'x' }),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('installer', 'GET', '/api/v1/homes/home-0001/card'),
      403,
      'FORBIDDEN',
    );
    expectApiError(await call('installer', 'GET', '/api/v1/audit'), 403, 'FORBIDDEN');
    expectApiError(
      await call('installer', 'PATCH', '/api/v1/homes/home-0001', { areaId: 'community-west-1' }),
      403,
      'FORBIDDEN',
    );
    const own = await call('installer', 'PATCH', '/api/v1/homes/home-0001', {
      accessNotes: 'Gate code 1234#',
    });
    expect(own.status).toBe(200);
    // An installer registers a home in their area and is assigned to it.
    const created = await call('inst-none', 'POST', '/api/v1/homes', {
      areaId: 'community-west-1',
      address: '长乐街 99 号',
    });
    expect(created.status).toBe(201);
    const homeId = (created.body as { home: { id: string; installerIds: string[] } }).home.id;
    expect((await call('inst-none', 'GET', `/api/v1/homes/${homeId}`)).status).toBe(200);
    // …but not outside it.
    expectApiError(
      await call('inst-none', 'POST', '/api/v1/homes', {
        areaId: 'community-east-1',
        address: 'x',
      }),
      404,
      'NOT_FOUND',
    );
    const r = await call('inst-none', 'POST', `/api/v1/homes/${homeId}/residents`, {
      name: '赵大爷',
      birthYear: 1940,
      livesAlone: true,
    });
    expect(r.status).toBe(201);
  });

  it('supervisors and admins manage plans and users; admins read the audit log with filters', async () => {
    const plan = await call('supervisor', 'PUT', '/api/v1/homes/home-0002/plans/water_leak', {
      steps: ['Call the resident', 'Send the plumber'],
    });
    expect(plan.status).toBe(200);
    const plans = await call('operator', 'GET', '/api/v1/homes/home-0002/plans');
    expect((plans.body as { plans: { kind: string }[] }).plans.map((p) => p.kind)).toContain(
      'water_leak',
    );
    const me = await call('family', 'GET', '/api/v1/me');
    expect(me.status).toBe(200);
    expect(
      (me.body as { user: { residentIds: string[] }; can: { acknowledgeAlarms: boolean } }).user
        .residentIds,
    ).toEqual(['home-0001-r1']);
    expect((me.body as { can: { acknowledgeAlarms: boolean } }).can.acknowledgeAlarms).toBe(false);
    const reads = await call(
      'admin',
      'GET',
      '/api/v1/audit?targetType=home&targetId=home-0001&limit=50',
    );
    const actions = (reads.body as AuditListResponse).entries.map((e) => e.action);
    expect(actions).toContain('home.card_read');
    expect(actions).toContain('home.update');
    const page = await call('admin', 'GET', '/api/v1/audit?limit=2');
    const first = (page.body as AuditListResponse).entries;
    expect(first.length).toBe(2);
    const next = await call('admin', 'GET', `/api/v1/audit?limit=2&before=${first[1]?.id ?? 0}`);
    expect((next.body as AuditListResponse).entries[0]?.id).toBeLessThan(first[1]?.id ?? 0);
  });
});

describe('every role against every write it may never do', () => {
  const forbidden: Record<string, [string, string, unknown][]> = {
    operator: [
      ['POST', '/api/v1/areas', { kind: 'district', name: 'x' }],
      ['POST', '/api/v1/homes', { areaId: 'community-east-1', address: 'x' }],
      ['PATCH', '/api/v1/residents/home-0001-r1', { name: 'x' }],
      ['DELETE', '/api/v1/residents/home-0001-r1', undefined],
      ['PUT', '/api/v1/homes/home-0001/installers', { userIds: [] }],
      ['POST', '/api/v1/gateways', { id: 'gw-nope' }],
      ['POST', '/api/v1/gateways/gw-east/decommission', {}],
      ['POST', '/api/v1/gateways/gw-east/devices', { id: 'd1', driver: 'x', kind: 'other' }],
      ['PATCH', '/api/v1/users/anyone', { displayName: 'x' }],
      ['GET', '/api/v1/audit', undefined],
    ],
    supervisor: [
      ['POST', '/api/v1/areas', { kind: 'district', name: 'x' }],
      ['DELETE', '/api/v1/residents/home-0001-r1', undefined],
      ['POST', '/api/v1/gateways', { id: 'gw-nope' }],
      [
        'POST',
        '/api/v1/gateways/claim',
        { gatewayId: 'gw-east', claimCode: 'x', homeId: 'home-0001' },
      ],
      ['POST', '/api/v1/users', { username: 'x1', role: 'admin', password: 'long-enough' }],
      ['GET', '/api/v1/users', undefined],
      ['GET', '/api/v1/audit', undefined],
    ],
    installer: [
      ['POST', `/api/v1/alarms/some-alarm/acknowledge`, undefined],
      ['PUT', '/api/v1/homes/home-0001/plans/fall', { steps: ['x'] }],
      ['DELETE', '/api/v1/residents/home-0001-r1', undefined],
      ['POST', '/api/v1/gateways/gw-east/decommission', {}],
      ['PATCH', '/api/v1/areas/street-east', { name: 'x' }],
      ['POST', '/api/v1/users', { username: 'x2', role: 'admin', password: 'long-enough' }],
    ],
    family: [
      ['POST', '/api/v1/homes', { areaId: 'community-east-1', address: 'x' }],
      ['POST', '/api/v1/homes/home-0001/residents', { name: 'x' }],
      ['PUT', '/api/v1/homes/home-0001/plans/fall', { steps: ['x'] }],
      [
        'POST',
        '/api/v1/gateways/claim',
        { gatewayId: 'gw-east', claimCode: 'x', homeId: 'home-0001' },
      ],
      ['POST', '/api/v1/gateways/gw-east/devices', { id: 'd1', driver: 'x', kind: 'other' }],
      ['POST', `/api/v1/alarms/some-alarm/resolve`, { outcome: 'false_alarm' }],
      ['PATCH', '/api/v1/users/anyone', { displayName: 'x' }],
    ],
  };
  for (const [role, attempts] of Object.entries(forbidden)) {
    it(`${role}: 403 FORBIDDEN, each audited, nothing changed`, async () => {
      const before = await deniedCount();
      for (const [method, path, body] of attempts) {
        const a = await call(role, method, path, body);
        expect(`${method} ${path} → ${a.status} ${errorCode(a) ?? ''}`).toBe(
          `${method} ${path} → 403 FORBIDDEN`,
        );
      }
      expect((await deniedCount()) - before).toBe(attempts.length);
      const resident = await call('admin', 'GET', '/api/v1/residents/home-0001-r1');
      expect(resident.status).toBe(200);
    });
  }
});

describe('Socket.IO rooms by scope', () => {
  it('family and an area operator receive only the alarms they may see', async () => {
    const fam = socketFor('family');
    const opWest = socketFor('op-west');
    const admin = socketFor('admin');
    const got = { fam: [] as AlarmDto[], opWest: [] as AlarmDto[], admin: [] as AlarmDto[] };
    fam.on('alarm:new', (a) => got.fam.push(a));
    opWest.on('alarm:new', (a) => got.opWest.push(a));
    admin.on('alarm:new', (a) => got.admin.push(a));
    await Promise.all(
      [fam, opWest, admin].map((s) => new Promise<void>((r) => s.on('connect', () => r()))),
    );

    const sync = await new Promise<{ alarms: AlarmDto[] }>((resolve) =>
      fam.emit('alarms:sync', resolve),
    );
    expect(sync.alarms.map((a) => a.homeId)).toEqual(['home-0001']);

    const [east, west] = gateways;
    await east?.sendAlarms([alarmEvent(2, { kind: 'smoke', deviceId: 'smoke-1' })]);
    await west?.sendAlarms([alarmEvent(2, { kind: 'gas', deviceId: 'gas-1' })]);
    await waitFor(() => got.admin.length >= 2, 5000, 'admin sees both new alarms');
    // Both gateways' alarms are stored (admin got them); give the scoped rooms the same time.
    await waitFor(() => got.fam.length >= 1 && got.opWest.length >= 1, 5000, 'scoped pushes');
    expect(got.fam.map((a) => [a.homeId, a.kind])).toEqual([['home-0001', 'smoke']]);
    expect(got.opWest.map((a) => [a.homeId, a.kind])).toEqual([['home-0002', 'gas']]);

    // A socket cannot join someone else's room: the other family member sees nothing of home-0001.
    const famWest = socketFor('fam-west');
    await new Promise<void>((r) => famWest.on('connect', () => r()));
    const syncWest = await new Promise<{ alarms: AlarmDto[] }>((resolve) =>
      famWest.emit('alarms:sync', resolve),
    );
    expect(syncWest.alarms.every((a) => a.homeId === 'home-0002')).toBe(true);
    expect(syncWest.alarms.length).toBeGreaterThan(0);
  });
});

describe('bad requests get the one error shape', () => {
  it('keeps a JSON null as null (bodies are never coerced) and a query string as typed', async () => {
    const set = await call('admin', 'PATCH', '/api/v1/homes/home-0003', { floor: '5' });
    expect((set.body as { home: { floor: string | null } }).home.floor).toBe('5');
    const cleared = await call('admin', 'PATCH', '/api/v1/homes/home-0003', { floor: null });
    expect(cleared.status).toBe(200);
    expect((cleared.body as { home: { floor: string | null } }).home.floor).toBeNull();
    // A number where text is expected is a validation error, not silently turned into text.
    expectApiError(
      await call('admin', 'PATCH', '/api/v1/homes/home-0003', { floor: 5 }),
      400,
      'VALIDATION_FAILED',
    );
    // Query strings are text on the wire: their numbers are still read as numbers.
    expect((await call('admin', 'GET', '/api/v1/alarms?limit=1')).status).toBe(200);
  });

  it('missing fields, wrong types, unknown fields, bad JSON, huge bodies, unknown ids', async () => {
    const missing = await call('admin', 'POST', '/api/v1/homes', { areaId: 'community-east-1' });
    expectApiError(missing, 400, 'VALIDATION_FAILED');
    expect((missing.body as ApiError).error.details?.[0]?.path).toBe('/address');

    const wrongType = await call('admin', 'POST', '/api/v1/homes/home-0001/residents', {
      name: 'x',
      birthYear: 'old',
    });
    expectApiError(wrongType, 400, 'VALIDATION_FAILED');
    expect((wrongType.body as ApiError).error.details?.[0]?.path).toBe('/birthYear');

    const extra = await call('admin', 'PATCH', '/api/v1/residents/home-0001-r1', {
      name: 'x',
      role: 'admin',
    });
    expectApiError(extra, 400, 'VALIDATION_FAILED');
    expect((extra.body as ApiError).error.details?.[0]?.path).toBe('/role');

    expectApiError(
      await call('admin', 'PATCH', '/api/v1/residents/home-0001-r1', '{"name": '),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'PATCH', '/api/v1/residents/home-0001-r1', {}),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'PUT', '/api/v1/homes/home-0001/plans/fall', {
        steps: ['x'.repeat(100_000)],
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expectApiError(
      await call('admin', 'GET', '/api/v1/homes/home-0001/telemetry?fields=Bad-Field'),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'PUT', '/api/v1/homes/home-0001/plans/not_a_kind', { steps: [] }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'PATCH', '/api/v1/residents/nobody', { name: 'x' }),
      404,
      'NOT_FOUND',
    );
    expectApiError(await call('admin', 'GET', '/api/v1/gateways/no-such-gw'), 404, 'NOT_FOUND');
    expectApiError(
      await call('admin', 'PATCH', '/api/v1/users/no-such-user', { displayName: 'x' }),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('admin', 'POST', '/api/v1/users', {
        username: 'f2',
        role: 'family',
        password: 'long-enough',
        residentIds: ['nope'],
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'POST', '/api/v1/areas', { kind: 'street', name: 'orphan' }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await call('admin', 'POST', '/api/v1/gateways', { id: 'gw-east' }),
      409,
      'CONFLICT',
    );
    // No session at all.
    expectApiError(await call('nobody', 'GET', '/api/v1/homes'), 401, 'UNAUTHENTICATED');
  });
});

describe('OpenAPI document', () => {
  it('is valid JSON listing every route', async () => {
    const res = await fetch(`${h.httpUrl}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    const doc = JSON.parse(await res.text()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(doc.openapi).toMatch(/^3\./);
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const expected = [
      'POST /api/v1/session',
      'GET /api/v1/session',
      'DELETE /api/v1/session',
      'GET /api/v1/alarms',
      'GET /api/v1/alarms/{id}',
      'POST /api/v1/alarms/{id}/acknowledge',
      'POST /api/v1/alarms/{id}/resolve',
      'POST /api/v1/alarms/{id}/responding',
      'GET /api/v1/me',
      'GET /api/v1/areas',
      'POST /api/v1/areas',
      'PATCH /api/v1/areas/{id}',
      'GET /api/v1/homes',
      'POST /api/v1/homes',
      'GET /api/v1/homes/{id}',
      'PATCH /api/v1/homes/{id}',
      'PUT /api/v1/homes/{id}/test-mode',
      'PUT /api/v1/homes/{id}/installers',
      'GET /api/v1/homes/{id}/card',
      'GET /api/v1/homes/{id}/residents',
      'POST /api/v1/homes/{id}/residents',
      'GET /api/v1/residents/{id}',
      'PATCH /api/v1/residents/{id}',
      'DELETE /api/v1/residents/{id}',
      'GET /api/v1/homes/{id}/contacts',
      'PUT /api/v1/homes/{id}/contacts',
      'GET /api/v1/homes/{id}/plans',
      'PUT /api/v1/homes/{id}/plans/{kind}',
      'GET /api/v1/homes/{id}/devices',
      'GET /api/v1/homes/{id}/telemetry',
      'GET /api/v1/gateways',
      'POST /api/v1/gateways',
      'GET /api/v1/gateways/{id}',
      'POST /api/v1/gateways/claim',
      'POST /api/v1/gateways/{id}/decommission',
      'POST /api/v1/gateways/{id}/devices',
      'PATCH /api/v1/gateways/{id}/devices/{deviceId}',
      'DELETE /api/v1/gateways/{id}/devices/{deviceId}',
      'GET /api/v1/users',
      'POST /api/v1/users',
      'PATCH /api/v1/users/{id}',
      'GET /api/v1/audit',
    ];
    for (const route of expected) expect(listed, route).toContain(route);
    // Request schemas are the validating ones.
    const post = doc.paths['/api/v1/homes']?.post as {
      requestBody?: { content: Record<string, { schema: { required?: string[] } }> };
    };
    expect(post.requestBody?.content['application/json']?.schema.required).toEqual([
      'areaId',
      'address',
    ]);
  });
});

describe('test mode', () => {
  it('marks the home and its gateways; later alarms are tests', async () => {
    const on = await call('installer', 'PUT', '/api/v1/homes/home-0002/test-mode', {
      enabled: true,
      reason: 'commissioning',
    });
    expect(on.status).toBe(200);
    expect((on.body as { home: { testMode: boolean } }).home.testMode).toBe(true);
    const west = gateways[1];
    await west?.sendAlarms([alarmEvent(3, { kind: 'sos', deviceId: 'button-9' })]);
    await west?.waitForAck((a) => a.acked.includes(3));
    const list = await call('admin', 'GET', '/api/v1/alarms');
    const sos = (list.body as { alarms: AlarmDto[] }).alarms.find((a) => a.deviceId === 'button-9');
    expect(sos?.test).toBe(true);
    const off = await call('installer', 'PUT', '/api/v1/homes/home-0002/test-mode', {
      enabled: false,
    });
    expect((off.body as { home: { testMode: boolean } }).home.testMode).toBe(false);
    expect(
      errorCode(
        await call('operator', 'PUT', '/api/v1/homes/home-0002/test-mode', { enabled: true }),
      ),
    ).toBe('FORBIDDEN');
  });
});

describe('telemetry for charts', () => {
  it('answers series of the home in scope, cut to the range and fields', async () => {
    const east = gateways[0];
    const reg = await call('admin', 'POST', '/api/v1/gateways/gw-east/devices', {
      id: 'meter-1',
      driver: 'dlt645',
      kind: 'electricity_meter',
      room: 'hall',
      expectedIntervalS: 60,
    });
    expect(reg.status).toBe(201);
    const t0 = Date.now() - 60_000;
    await east?.sendTelemetry([
      telemetryEvent(10, { observedAt: t0, fields: { power_w: 100, energy_kwh: 1 } }),
      telemetryEvent(11, { observedAt: t0 + 10_000, fields: { power_w: 300, energy_kwh: 1.1 } }),
    ]);
    await east?.waitForAck((a) => a.lane === 'telemetry' && a.acked.includes(11));
    const from = new Date(t0 - 1000).toISOString();
    const res = await call(
      'family',
      'GET',
      `/api/v1/homes/home-0001/telemetry?fields=power_w&from=${encodeURIComponent(from)}`,
    );
    expect(res.status).toBe(200);
    const body = res.body as TelemetryQueryResponse;
    expect(body.series).toEqual([
      {
        gatewayId: 'gw-east',
        deviceId: 'meter-1',
        field: 'power_w',
        unit: 'W',
        points: [
          [t0, 100],
          [t0 + 10_000, 300],
        ],
      },
    ]);
    expectApiError(
      await call('fam-west', 'GET', '/api/v1/homes/home-0001/telemetry?fields=power_w'),
      404,
      'NOT_FOUND',
    );
  });

  it('downsamples to at most maxPoints buckets (mean of numbers)', () => {
    const points: [number, number][] = Array.from({ length: 100 }, (_, i) => [i * 10, i]);
    const out = downsample(points, 0, 1000, 10);
    expect(out.length).toBe(10);
    expect(out[0]).toEqual([0, 4.5]);
    expect(out[9]).toEqual([900, 94.5]);
  });
});
