/**
 * Care operations in the browser against the REAL hub (buildHub in-process, demo data, the
 * production web build served by the hub, a real MQTT gateway for the SOS):
 *  - an operator takes a service call with the keyboard while an SOS waits: the alarm queue
 *    stays first on the page, the request lands in its own queue and is assigned;
 *  - today's welfare calls due (an overdue one first) and their results, one opening a follow-up;
 *  - the family sees their relative's request and its status; a community worker their visits;
 *  - a request another user records over REST appears in the operator's list without a reload,
 *    fetched because the hub pushed `ops:changed`, and no list GET happens on a timer while the
 *    socket is connected;
 *  - the console tab keeps ONE Socket.IO connection, shared by the alarm feed and these lists
 *    (counted by the hub and by the page's WebSockets), and both pushes arrive over it.
 */
import { join } from 'node:path';
import type { DemoLogin } from '@anxin/hub';
import {
  newEventId,
  PROTOCOL_VERSION,
  uplinkTopic,
  type AlarmBatch,
  type ServiceRequestResponse,
} from '@anxin/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRealHubSession, type RealHubSession } from './testing/realHubSession';
import { poll } from './testing/poll';
import { publishRaise } from './testing/gatewayUplink';

const GATEWAY = 'gw-ops-0001';

let session: RealHubSession;
let gateway: MqttClient | null = null;

const signIn = (role: DemoLogin['role'], viewport?: { width: number; height: number }) =>
  session.signIn(role, viewport);
const api = <T>(role: DemoLogin['role'], method: string, path: string, body?: unknown) =>
  session.api<T>(role, method, path, body);

const top = async (page: Page, testId: string) =>
  (await page.getByTestId(testId).boundingBox())?.y ?? Number.NaN;

describe('care operations in the browser, real hub', () => {
  beforeAll(async () => {
    session = await startRealHubSession('anxin-web-ops-');
    await session.hub.provisionGateway({
      gatewayId: GATEWAY,
      secret: 'secret-ops-0001',
      homeId: 'home-0001',
    });
    gateway = await connectAsync(session.mqttUrl, {
      clientId: GATEWAY,
      username: GATEWAY,
      password: 'secret-ops-0001',
      reconnectPeriod: 0,
    });
  }, 180_000);

  afterAll(async () => {
    await gateway?.endAsync(true).catch(() => undefined);
    await session?.close();
  });

  it(
    'an operator takes a service call by keyboard; the SOS stays first',
    { timeout: 90_000 },
    async () => {
      const batch: AlarmBatch = {
        v: PROTOCOL_VERSION,
        events: [
          {
            type: 'alarm',
            id: newEventId(),
            seq: 1,
            observedAt: Date.now(),
            deviceId: 'pendant-1',
            kind: 'sos',
            action: 'raise',
          },
        ],
      };
      await gateway?.publishAsync(uplinkTopic(GATEWAY, 'alarm'), JSON.stringify(batch), { qos: 1 });
      const page = await signIn('operator');
      await page.getByTestId('alarm-row').first().waitFor();
      await page.getByTestId('operations').waitFor();
      expect(await top(page, 'alarm-queue')).toBeLessThan(await top(page, 'operations'));

      await page.keyboard.press('s');
      await page.getByTestId('service-call-form').waitFor();
      await page.keyboard.type('Changle');
      await page
        .getByRole('option', { name: /Changle/ })
        .first()
        .waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await poll(() => page.getByTestId('sr-resident').inputValue()).toContain('Li Jianguo');
      await page.getByTestId('sr-category').click();
      await page.getByRole('option', { name: 'Repair' }).click();
      await page.getByTestId('sr-description').fill('Kitchen tap leaking, needs a plumber');
      await page.screenshot({ path: join(screenshots, 'ops-service-call.png'), fullPage: true });
      await page.keyboard.press('Control+Enter');
      await page.getByTestId('service-call-form').waitFor({ state: 'detached' });
      await poll(() => page.getByTestId('action-message').textContent()).toBe(
        'Service request recorded.',
      );
      const row = page.getByTestId('sr-row').filter({ hasText: 'Kitchen tap leaking' });
      await row.waitFor();
      expect(await row.getByTestId('sr-status').textContent()).toBe('Open');
      expect(await row.getByTestId('sr-category').textContent()).toBe('Repair · Phone call');

      await row.getByTestId('sr-assign').click();
      await page.getByTestId('task-assign-name').fill('平安维修 Ping An Repairs');
      await page.keyboard.press('Enter');
      await poll(() => row.getByTestId('sr-status').textContent()).toBe('Assigned');
      // The alarm is still there, first, untouched by the request.
      expect(await page.getByTestId('alarm-kind').first().textContent()).toMatch(/SOS/i);
      expect(await top(page, 'alarm-queue')).toBeLessThan(await top(page, 'operations'));
      await page.screenshot({ path: join(screenshots, 'ops-console.png'), fullPage: true });

      // Take the SOS and resolve it as a device fault, by keyboard: a work order comes with it.
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
      await page.keyboard.press('a');
      await poll(() => page.getByTestId('alarm-status').first().textContent()).toMatch(/taken/i);
      await page.keyboard.press('r');
      await page.getByTestId('resolve-dialog').waitFor();
      await page.keyboard.press('6');
      expect(await page.getByTestId('resolve-work-order').isChecked()).toBe(true);
      await page.keyboard.press('Control+Enter');
      await poll(() => page.getByTestId('action-message').textContent()).toBe(
        'Alarm resolved; work order created.',
      );
      await page.getByTestId('tab-orders').click();
      await page.getByTestId('wo-row').first().waitFor();
      expect(await page.getByTestId('wo-row').first().textContent()).toContain('Device repair');
      await page.getByTestId('wo-assign').first().click();
      await page.getByTestId('task-assign-name').fill('安装员 Installer Zhang');
      await page.keyboard.press('Enter');
      await poll(() => page.getByTestId('wo-row').first().textContent()).toContain(
        'Installer Zhang',
      );
    },
  );

  it(
    'shows today’s welfare calls due, the overdue one first, and records results',
    { timeout: 90_000 },
    async () => {
      const threeDaysAgo = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(
        new Date(Date.now() - 3 * 86_400_000),
      );
      await api('operator', 'POST', '/welfare-plans', {
        residentId: 'home-0003-r2',
        kind: 'call',
        cadence: 'every_days',
        count: 2,
        startDay: threeDaysAgo,
      });
      const page = await signIn('operator');
      await page.getByTestId('tab-welfare').click();
      await page.getByTestId('welfare-list').waitFor();
      const first = page.getByTestId('welfare-check').first();
      expect(await first.getAttribute('data-overdue')).toBe('true');
      expect(await first.getAttribute('data-resident-id')).toBe('home-0003-r2');
      expect(await page.getByTestId('welfare-check').count()).toBe(6);
      await page.screenshot({ path: join(screenshots, 'ops-welfare-due.png'), fullPage: true });

      await first.getByTestId('welfare-reached').click();
      await poll(() => page.getByTestId('welfare-check').count()).toBe(5);
      expect(await page.getByTestId('action-message').textContent()).toBe('Result recorded.');

      const call = page.locator('[data-testid="welfare-check"][data-resident-id="home-0002-r1"]', {
        hasText: 'Call',
      });
      await call.getByTestId('welfare-note').fill('Sounds confused, fridge empty');
      await call.getByTestId('welfare-concern_raised').click();
      await poll(() => page.getByTestId('action-message').textContent()).toBe(
        'Result recorded; a follow-up request was opened.',
      );
      await page.getByTestId('tab-requests').click();
      await page.getByTestId('sr-row').filter({ hasText: 'Concern raised' }).waitFor();
    },
  );

  it(
    'the family sees their relative’s request; a community worker sees their visits',
    { timeout: 90_000 },
    async () => {
      const made = await api<ServiceRequestResponse>('operator', 'POST', '/service-requests', {
        residentId: 'home-0001-r1',
        category: 'meal_delivery',
        description: 'Lunch delivery, low salt',
      });
      const id = made.serviceRequest.id;
      await api('operator', 'POST', `/service-requests/${id}/assign`, { name: 'Canteen' });
      await api('operator', 'POST', `/service-requests/${id}/notes`, {
        text: 'First lunch tomorrow at 12:00',
        familyVisible: true,
      });
      await api('operator', 'POST', `/service-requests/${id}/notes`, { text: 'internal only' });
      const family = await signIn('family', { width: 390, height: 844 });
      const request = family.getByTestId('family-request');
      await request.first().waitFor();
      expect(await request.count()).toBe(1);
      expect(await request.getByTestId('family-request-status').textContent()).toBe('Assigned');
      expect(await request.textContent()).toContain('First lunch tomorrow at 12:00');
      expect(await request.textContent()).not.toContain('internal only');
      await family.screenshot({ path: join(screenshots, 'ops-family.png'), fullPage: true });

      const worker = await signIn('community_worker', { width: 390, height: 844 });
      await poll(() => worker.evaluate(() => location.pathname)).toBe('/visits');
      await worker.getByTestId('welfare-list').waitFor();
      const visits = worker.getByTestId('welfare-check');
      expect(
        (
          await visits.evaluateAll((els) => els.map((e) => e.getAttribute('data-resident-id')))
        ).sort(),
      ).toEqual(['home-0001-r1', 'home-0003-r1']);
      await worker.screenshot({ path: join(screenshots, 'ops-worker.png'), fullPage: true });
    },
  );

  it(
    'a request recorded by another user appears live; no list GET on a timer while connected',
    { timeout: 90_000 },
    async () => {
      // signIn returns once the login is submitted, before the console asks for any list.
      const page = await signIn('operator');
      // Every GET of the service-request list, by time.
      const gets: number[] = [];
      page.on('request', (r) => {
        if (r.method() === 'GET' && new URL(r.url()).pathname === '/api/v1/service-requests')
          gets.push(Date.now());
      });
      await page.getByTestId('operations').waitFor();
      // Read on mount and again when the socket connects (to catch up); wait until that settles.
      await poll(async () => {
        const before = gets.length;
        await page.waitForTimeout(1_000);
        return before >= 2 && gets.length === before;
      }).toBe(true);
      const startup = gets.length;

      const made = await api<ServiceRequestResponse>('supervisor', 'POST', '/service-requests', {
        residentId: 'home-0002-r1',
        category: 'housekeeping',
        description: 'Pushed live: window cleaning',
      });
      const created = Date.now();
      const row = page.locator(`[data-testid="sr-row"]`, { hasText: 'Pushed live' });
      await row.waitFor({ timeout: 10_000 });
      // One read, soon after the change (the push, debounced), well before a 15 s poll was due.
      expect(gets.length).toBe(startup + 1);
      expect((gets[startup] ?? Number.NaN) - created).toBeLessThan(5_000);
      expect(await row.textContent()).toContain(made.serviceRequest.residentName ?? '');

      // Connected: longer than the fallback's polling period passes without a single read.
      await page.waitForTimeout(16_000);
      expect(gets.length).toBe(startup + 1);
    },
  );

  it(
    'the alarm feed and the operations lists share one connection; both pushes arrive',
    { timeout: 90_000 },
    async () => {
      // Signed in, the console opens in a fresh tab, watched from its start.
      const first = await signIn('operator');
      await first.getByTestId('operations').waitFor();
      const page = await first.context().newPage();
      page.setDefaultTimeout(10_000);
      await first.close();
      // The other tests' tabs are still open: count this tab's connections on top of theirs.
      const clients = () => session.hub.stats().consoleClients;
      await poll(async () => {
        const before = clients();
        await page.waitForTimeout(1_000);
        return clients() === before;
      }).toBe(true);
      const others = clients();
      // The Socket.IO WebSockets the tab opens (engine.io upgrades each connection to one).
      const sockets: string[] = [];
      page.on('websocket', (ws) => {
        if (new URL(ws.url()).pathname.startsWith('/socket.io')) sockets.push(ws.url());
      });
      await page.goto(session.httpUrl);
      await page
        .getByTestId('connection-status')
        .and(page.locator('[data-state="connected"]'))
        .waitFor();
      await page.getByTestId('operations').waitFor();
      await poll(() => sockets.length).toBeGreaterThan(0);
      // Let a second connection's handshake and upgrade finish, if there were one, before counting.
      await page.waitForTimeout(2_000);
      expect(sockets).toHaveLength(1);
      expect(clients()).toBe(others + 1);

      // An alarm raised now reaches the queue only by the `alarm:new` push.
      const queued = await page.getByTestId('alarm-row').count();
      await publishRaise(gateway, GATEWAY, { seq: 2, deviceId: 'pendant-2', kind: 'sos' });
      await poll(() => page.getByTestId('alarm-row').count()).toBe(queued + 1);
      // A request another user records reaches the list by the `ops:changed` push.
      await api<ServiceRequestResponse>('supervisor', 'POST', '/service-requests', {
        residentId: 'home-0002-r1',
        category: 'housekeeping',
        description: 'One connection: gutter cleaning',
      });
      await page.locator('[data-testid="sr-row"]', { hasText: 'One connection' }).waitFor();
      expect(sockets).toHaveLength(1);
      expect(clients()).toBe(others + 1);
    },
  );
});
