/**
 * Escalation with a real hub (in-process, real MQTT gateway, Socket.IO) and a real local webhook
 * receiver: a timer that falls due while the hub is down fires after the restart, once; a
 * test-mode home never escalates, while a fall a gateway marked as sent in its own test mode
 * still does; an acknowledged alarm stops the chain; contacts are called one
 * at a time in call order and the first to accept stops the chain.
 *
 * Time is the escalator's injected clock (issue 14): the steps keep their default minutes and the
 * test moves the clock past each one, so a step never fires early or late on a loaded machine (the
 * 0.5 s timers these tests slept on did). REST goes through Fastify's inject(); the gateway, the
 * consoles and the webhooks cross real sockets, as they do for users.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  AlarmDto,
  ClientToServerEvents,
  EscalationDto,
  ServerToClientEvents,
} from '@anxin/protocol';
import type { Hub } from '../hub.js';
import { alarmEvent, startHubIn, TestGateway, waitFor } from '../testing/harness.js';
import { inject, injectLogin } from '../testing/inject.js';
import { ManualClock } from '../testing/manual-clock.js';
import { webhookReceiver, type SignedHook } from '../testing/webhook-receiver.js';

const HOOK_SECRET = 'webhook-secret-for-tests';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A temp directory for one test's hub data, removed after it. */
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-esc-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The webhook receiver of one test (signatures checked with HOOK_SECRET), closed after it. */
async function receiver(): Promise<{ url: string; hooks: SignedHook[] }> {
  const rec = await webhookReceiver(HOOK_SECRET);
  cleanups.push(() => rec.close());
  return rec;
}

interface Running {
  hub: Hub;
  httpUrl: string;
  mqttUrl: string;
  clock: ManualClock;
}

// The default steps (escalation/config.ts); only the injected clock passes them.
const ACK_MS = 60_000;
const SUPERVISORS_MS = 120_000;
const CONTACT_MS = 180_000;
const POLL_MS = 1000;

/**
 * A hub on `dir` (kept across restarts) whose escalation runs on `clock` (real time until the
 * test moves it), webhooks to `hookUrl`.
 */
async function startHubAt(
  dir: string,
  hookUrl: string,
  clock = new ManualClock(),
): Promise<Running> {
  const { hub, httpUrl, mqttUrl } = await startHubIn(
    dir,
    {
      escalation: {
        ackTimeoutS: ACK_MS / 1000,
        supervisorTimeoutS: SUPERVISORS_MS / 1000,
        contactStepTimeoutS: CONTACT_MS / 1000,
        pollIntervalMs: POLL_MS,
      },
      notify: {
        webhooks: [
          { url: hookUrl, secret: HOOK_SECRET, events: ['alarm.escalated', 'escalation.*'] },
        ],
        pollIntervalMs: 50,
        retryMinMs: 100,
      },
    },
    { escalationClock: clock },
  );
  return { hub, httpUrl, mqttUrl, clock };
}

const GW = 'gw-esc-1';
const GW_SECRET = 'secret-of-gw-esc-1';

/** One REST call in-process (inject), with a session cookie or none. */
async function api(
  r: Running,
  cookie: string | undefined,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await inject(r.hub.http, cookie, method, path, body);
  return { status: res.status, json: (res.json ?? {}) as Record<string, unknown> };
}

const login = (r: Running, username: string, password: string): Promise<string> =>
  injectLogin(r.hub.http, username, password);

/** Area, home, two contacts (the first is a family user), a gateway, and logins. */
async function seed(r: Running): Promise<{ admin: string; family: string; operator: string }> {
  await r.hub.createUser({ username: 'adm', password: 'admin-pass-1', role: 'admin' });
  await r.hub.createUser({ username: 'sup', password: 'super-pass-1', role: 'supervisor' });
  await r.hub.createUser({ username: 'op', password: 'operator-pass-1', role: 'operator' });
  const fam = await r.hub.createUser({
    username: 'son',
    password: 'family-pass-1',
    role: 'family',
  });
  const admin = await login(r, 'adm', 'admin-pass-1');
  expect(
    (await api(r, admin, 'POST', '/api/v1/areas', { id: 'd1', kind: 'district', name: 'D1' }))
      .status,
  ).toBe(201);
  expect(
    (
      await api(r, admin, 'POST', '/api/v1/homes', {
        id: 'home-1',
        areaId: 'd1',
        address: '1 Test Road',
      })
    ).status,
  ).toBe(201);
  const contacts = await api(r, admin, 'PUT', '/api/v1/homes/home-1/contacts', {
    contacts: [
      { name: 'Son', relation: 'family', phone: '+86 138 0000 0001', userId: fam.id },
      { name: 'Neighbour', relation: 'neighbour', phone: '+86 138 0000 0002' },
    ],
  });
  expect(contacts.status).toBe(200);
  await r.hub.provisionGateway({ gatewayId: GW, secret: GW_SECRET, homeId: 'home-1' });
  return {
    admin,
    family: await login(r, 'son', 'family-pass-1'),
    operator: await login(r, 'op', 'operator-pass-1'),
  };
}

/** A hub on a fresh directory with its webhook receiver, seeded; closed after the test. */
async function seededHub(): Promise<
  { r: Running; hooks: SignedHook[] } & Awaited<ReturnType<typeof seed>>
> {
  const { url, hooks } = await receiver();
  const r = await startHubAt(tempDir(), url);
  cleanups.push(() => r.hub.close());
  return { r, hooks, ...(await seed(r)) };
}

/** A fall from the home's gateway; `gatewayTest`: sent while the gateway's own test flag was on. */
async function raiseFall(r: Running, seq: number, gatewayTest = false): Promise<AlarmDto> {
  const gw = await TestGateway.connect(r.mqttUrl, GW, GW_SECRET);
  try {
    await gw.sendAlarms([
      alarmEvent(seq, { kind: 'fall', ...(gatewayTest ? { test: true } : {}) }),
    ]);
    await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(seq));
  } finally {
    await gw.close();
  }
  const admin = await login(r, 'adm', 'admin-pass-1');
  const list = await api(r, admin, 'GET', '/api/v1/alarms?status=open');
  const alarms = list.json.alarms as AlarmDto[];
  const found = alarms.find((a) => a.kind === 'fall');
  if (!found) throw new Error(`no fall alarm in ${JSON.stringify(list.json)}`);
  return found;
}

/** Waits until the alarm's first step is armed (stored by the escalator after ingest's ack). */
async function armed(r: Running, cookie: string, alarmId: string): Promise<void> {
  await waitFor(
    async () =>
      (await api(r, cookie, 'GET', `/api/v1/alarms/${alarmId}/escalation`)).status === 200,
    5000,
    'escalation armed',
  );
}

/** A fall whose first escalation step is armed. */
async function armedFall(r: Running, cookie: string, seq: number, gatewayTest = false) {
  const alarm = await raiseFall(r, seq, gatewayTest);
  await armed(r, cookie, alarm.id);
  return alarm;
}

/** Untaken: the clock moves just past the alarm's ack timeout. */
const pastAckTimeout = (r: Running, alarm: AlarmDto) =>
  r.clock.advanceTo(Date.parse(alarm.receivedAt) + ACK_MS + 1);

/** The clock moves past every step of the chain, one step at a time. */
async function pastEveryStep(r: Running): Promise<void> {
  for (const step of [ACK_MS, SUPERVISORS_MS, CONTACT_MS, CONTACT_MS, CONTACT_MS])
    await r.clock.advance(step + 1);
}

/** The escalation steps Socket.IO pushes to a console signed in with `cookie`, once connected. */
async function escalationPushes(r: Running, cookie: string): Promise<EscalationDto[]> {
  const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(r.httpUrl, {
    extraHeaders: { cookie },
    transports: ['websocket'],
    reconnection: false,
  });
  cleanups.push(() => void socket.close());
  const pushed: EscalationDto[] = [];
  socket.on('alarm:escalation', (e) => pushed.push(e));
  await new Promise<void>((resolve, reject) => {
    socket.on('connect', () => resolve());
    socket.on('connect_error', reject);
  });
  return pushed;
}

/** The status of resolving an alarm with `outcome`. */
const resolveAlarm = async (r: Running, cookie: string, alarmId: string, outcome: string) =>
  (await api(r, cookie, 'POST', `/api/v1/alarms/${alarmId}/resolve`, { outcome })).status;

/** The status of switching home-1's test mode. */
const setTestMode = async (r: Running, cookie: string, enabled: boolean) =>
  (await api(r, cookie, 'PUT', '/api/v1/homes/home-1/test-mode', { enabled })).status;

/**
 * Waits until every webhook this hub queued has been delivered: after it, a hook that was not
 * received was never queued (the steps that ran have finished when the clock's advance resolves).
 */
async function drained(r: Running): Promise<void> {
  await waitFor(
    () => {
      const n = r.hub.stats().alarmEngine.notify;
      return n.delivered + n.failed + n.dropped >= n.enqueued;
    },
    5000,
    'webhooks delivered',
  );
}

const hooksFor = (hooks: SignedHook[], alarmId: string, event: string) =>
  hooks.filter((h) => h.event === event && h.alarmId === alarmId);

describe('escalation with a real hub', () => {
  it('a timer that fell due while the hub was down fires after the restart, once', async () => {
    const dir = tempDir();
    const { url, hooks } = await receiver();
    let r = await startHubAt(dir, url);
    const { admin: firstAdmin } = await seed(r);
    const alarm = await armedFall(r, firstAdmin, 1);
    await r.hub.close(); // its clock never reached the ack timeout
    expect(hooks).toHaveLength(0);

    // Due while the hub was down: the next hub starts past the ack timeout.
    r = await startHubAt(dir, url, new ManualClock(Date.parse(alarm.receivedAt) + ACK_MS + 1));
    cleanups.push(() => r.hub.close());
    await waitFor(
      () => hooksFor(hooks, alarm.id, 'alarm.escalated').length === 1,
      5000,
      'escalated',
    );
    const first = hooksFor(hooks, alarm.id, 'alarm.escalated')[0];
    expect(first?.verified).toBe(true);
    expect(first?.body.data.escalation).toMatchObject({ stage: 'supervisors' });
    // once: neither the poll nor another restart runs it again
    await r.clock.advance(POLL_MS);
    await drained(r);
    await r.hub.close();
    r = await startHubAt(dir, url, new ManualClock(r.clock.now() + POLL_MS));
    await r.clock.advance(POLL_MS);
    await drained(r);
    expect(hooksFor(hooks, alarm.id, 'alarm.escalated')).toHaveLength(1);
    expect(r.hub.stats().alarmEngine.escalation.escalated).toBe(0);
    const admin = await login(r, 'adm', 'admin-pass-1');
    const esc = await api(r, admin, 'GET', `/api/v1/alarms/${alarm.id}/escalation`);
    expect(esc.json.escalation).toMatchObject({ stage: 'supervisors' });
    const audit = await api(
      r,
      admin,
      'GET',
      `/api/v1/audit?targetType=alarm&targetId=${alarm.id}&action=alarm.escalate`,
    );
    expect((audit.json.entries as unknown[]).length).toBe(1);
    // Three hub starts (migrations, scrypt-hashed users) take long on a loaded machine.
  }, 120_000);

  it('calls contacts in call order; the first to accept (signed link) stops the chain', async () => {
    const { r, hooks, admin } = await seededHub();
    // a supervisor's console gets the escalation over Socket.IO
    const pushed = await escalationPushes(r, await login(r, 'sup', 'super-pass-1'));

    const alarm = await armedFall(r, admin, 1);
    // Untaken: supervisors, then each contact's turn in call order.
    await pastAckTimeout(r, alarm);
    await r.clock.advance(SUPERVISORS_MS + 1);
    await r.clock.advance(CONTACT_MS + 1);
    await waitFor(
      () => hooksFor(hooks, alarm.id, 'escalation.contact').length === 2,
      8000,
      'both contacts called',
    );
    const calls = hooksFor(hooks, alarm.id, 'escalation.contact');
    expect(calls.map((c) => (c.body.data.contact as { name: string }).name)).toEqual([
      'Son',
      'Neighbour',
    ]);
    expect(calls.every((c) => c.verified)).toBe(true);
    expect(pushed.some((e) => e.alarmId === alarm.id && e.stage === 'supervisors')).toBe(true);

    // a link preview (GET) changes nothing
    const secondToken = String(calls[1]?.body.data.acceptToken);
    const preview = await api(
      r,
      undefined,
      'GET',
      `/api/v1/escalation/accept?token=${encodeURIComponent(secondToken)}`,
    );
    expect(preview.status).toBe(200);
    expect(preview.json).toMatchObject({ alarmId: alarm.id, contactName: 'Neighbour' });

    const accept = (token: string) =>
      api(r, undefined, 'POST', '/api/v1/escalation/accept', { token });
    const ok = await accept(secondToken);
    expect(ok.status).toBe(200);
    expect((ok.json as { escalation: EscalationDto }).escalation).toMatchObject({
      stage: 'accepted',
      acceptedBy: 'Neighbour',
      acceptedVia: 'link',
      dueAt: null,
    });
    // the first contact's link comes too late
    const late = await accept(String(calls[0]?.body.data.acceptToken));
    expect(late.status).toBe(409);
    // a forged token is refused, malformed ones get the one error shape, nothing crashes
    const forged = await accept(`${secondToken.split('.')[0] ?? ''}.AAAA`);
    expect(forged.status).toBe(403);
    for (const bad of ['x'.repeat(12), 'a.b.c.d.e.f', `${'x'.repeat(20)}.${'y'.repeat(43)}`]) {
      const res = await accept(bad);
      expect(res.status).toBe(403);
      expect(res.json).toMatchObject({ error: { code: 'FORBIDDEN' } });
    }
    const wrongType = await api(r, undefined, 'POST', '/api/v1/escalation/accept', {
      token: { nested: true },
    });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    await waitFor(
      () => hooksFor(hooks, alarm.id, 'escalation.accepted').length === 1,
      3000,
      'accepted notification',
    );
    await waitFor(
      () => pushed.some((e) => e.alarmId === alarm.id && e.stage === 'accepted'),
      3000,
      'accepted pushed',
    );
    // Past the second contact's turn: accepted, the chain neither calls on nor runs out.
    await r.clock.advance(CONTACT_MS + 1);
    await drained(r);
    expect(hooksFor(hooks, alarm.id, 'escalation.contact')).toHaveLength(2);
    expect(hooksFor(hooks, alarm.id, 'escalation.exhausted')).toHaveLength(0);
    const metrics = await r.hub.metrics();
    expect(metrics).toContain('anxin_escalation_steps_total{step="supervisors"} 1');
    expect(metrics).toContain('anxin_escalation_steps_total{step="contact"} 2');
    expect(metrics).toContain('anxin_escalation_steps_total{step="accepted"} 1');
    expect(metrics).toMatch(/anxin_webhook_deliveries_total\{outcome="delivered"\} [1-9]/);
  }, 60_000);

  it('a family contact accepts through the API; another family user cannot', async () => {
    const { r, hooks, admin, family } = await seededHub();
    await r.hub.createUser({ username: 'stranger', password: 'family-pass-2', role: 'family' });
    const stranger = await login(r, 'stranger', 'family-pass-2');
    // the family contact's own page hears that they are being called
    const pushed = await escalationPushes(r, family);
    const alarm = await armedFall(r, admin, 1);
    // Untaken past the supervisors' turn: the first contact is called.
    await pastAckTimeout(r, alarm);
    await r.clock.advance(SUPERVISORS_MS + 1);
    await waitFor(
      () => hooksFor(hooks, alarm.id, 'escalation.contact').length === 1,
      5000,
      'called',
    );
    await waitFor(
      () => pushed.some((e) => e.stage === 'contact' && e.contact?.name === 'Son'),
      3000,
      'family socket told',
    );
    // the supervisors' step is not for the family
    expect(pushed.some((e) => e.stage === 'supervisors')).toBe(false);
    const denied = await api(r, stranger, 'POST', `/api/v1/alarms/${alarm.id}/escalation/accept`);
    expect(denied.status).toBe(404);
    const res = await api(r, family, 'POST', `/api/v1/alarms/${alarm.id}/escalation/accept`, {
      note: 'on my way',
    });
    expect(res.status).toBe(200);
    expect(res.json.escalation).toMatchObject({ stage: 'accepted', acceptedVia: 'api' });
    const seen = await api(r, family, 'GET', `/api/v1/alarms/${alarm.id}/escalation`);
    expect(seen.json.escalation).toMatchObject({ stage: 'accepted' });
    expect((await api(r, stranger, 'GET', `/api/v1/alarms/${alarm.id}/escalation`)).status).toBe(
      404,
    );
  }, 60_000);

  it('a family contact saying "I am going there" accepts the escalation', async () => {
    const { r, hooks, admin, family } = await seededHub();
    const resident = await api(r, admin, 'POST', '/api/v1/homes/home-1/residents', {
      name: 'Grandma',
    });
    expect(resident.status).toBe(201);
    const residentId = (resident.json.resident as { id: string }).id;
    const users = await api(r, admin, 'GET', '/api/v1/users?role=family');
    const son = (users.json.users as { id: string; username: string }[]).find(
      (u) => u.username === 'son',
    );
    expect(
      (
        await api(r, admin, 'PATCH', `/api/v1/users/${son?.id ?? ''}`, {
          residentIds: [residentId],
        })
      ).status,
    ).toBe(200);
    const alarm = await armedFall(r, admin, 1);
    await pastAckTimeout(r, alarm);
    await waitFor(() => hooksFor(hooks, alarm.id, 'alarm.escalated').length === 1, 5000, 'up');
    const going = await api(r, family, 'POST', `/api/v1/alarms/${alarm.id}/responding`, {
      etaMinutes: 15,
    });
    expect(going.status).toBe(200);
    await waitFor(
      async () =>
        (
          (await api(r, admin, 'GET', `/api/v1/alarms/${alarm.id}/escalation`)).json
            .escalation as EscalationDto
        ).stage === 'accepted',
      3000,
      'accepted by responding',
    );
    const esc = await api(r, admin, 'GET', `/api/v1/alarms/${alarm.id}/escalation`);
    expect(esc.json.escalation).toMatchObject({ acceptedVia: 'responding', dueAt: null });
    expect(hooksFor(hooks, alarm.id, 'escalation.contact')).toHaveLength(0);
  }, 60_000);

  it('a home in test mode never escalates; an acknowledged alarm stops the chain', async () => {
    const { r, hooks, admin, operator } = await seededHub();
    // The acknowledged alarm first: the test alarm's steps move the clock far ahead, and an alarm
    // raised after that would be due the moment it is armed, before anyone could take it.
    const real = await armedFall(r, admin, 1);
    expect(real.test).toBe(false);
    expect((await api(r, operator, 'POST', `/api/v1/alarms/${real.id}/acknowledge`)).status).toBe(
      200,
    );
    await pastAckTimeout(r, real);
    await drained(r);
    expect(hooks).toHaveLength(0);
    const esc = await api(r, admin, 'GET', `/api/v1/alarms/${real.id}/escalation`);
    expect(esc.json.escalation).toMatchObject({ stage: 'stopped', stoppedReason: 'acknowledged' });
    // Resolved, so the next fall opens an alarm of its own instead of joining this one.
    expect(await resolveAlarm(r, admin, real.id, 'handled_by_phone')).toBe(200);

    expect(await setTestMode(r, admin, true)).toBe(200);
    const testAlarm = await raiseFall(r, 2);
    expect(testAlarm.test).toBe(true);
    await pastEveryStep(r);
    await drained(r);
    expect(hooks).toHaveLength(0);
    expect(r.hub.stats().alarmEngine.escalation.escalated).toBe(0);

    expect(await resolveAlarm(r, admin, testAlarm.id, 'false_alarm')).toBe(200);
    expect(await setTestMode(r, admin, false)).toBe(200);
  }, 60_000);

  it("a gateway's own test mark still escalates; a home in test mode does not", async () => {
    const { r, hooks, admin } = await seededHub();

    // An installer testing the gateway (its own flag on) while the home is live: the fall is
    // marked for people, and still chased like any other — a real fall may happen mid-test.
    const marked = await armedFall(r, admin, 1, true);
    expect(marked).toMatchObject({ gatewayTest: true, test: false });
    await pastAckTimeout(r, marked);
    await waitFor(
      () => hooksFor(hooks, marked.id, 'alarm.escalated').length === 1,
      5000,
      'the gateway-test-marked alarm escalated',
    );
    const esc = await api(r, admin, 'GET', `/api/v1/alarms/${marked.id}/escalation`);
    expect(esc.json.escalation).toMatchObject({ stage: 'supervisors' });
    expect(await resolveAlarm(r, admin, marked.id, 'false_alarm')).toBe(200);

    // The home in test mode: the same marked fall is recorded and never escalated.
    expect(await setTestMode(r, admin, true)).toBe(200);
    const quiet = await raiseFall(r, 2, true);
    expect(quiet).toMatchObject({ gatewayTest: true, test: true });
    await pastEveryStep(r);
    await drained(r);
    expect(hooks.filter((h) => h.alarmId === quiet.id)).toEqual([]);
    expect(r.hub.stats().alarmEngine.escalation.escalated).toBe(1);
  }, 60_000);
});
