/**
 * Welfare plans and service buttons in the browser against the REAL hub (buildHub in-process,
 * demo data, the production web build served by the hub, a claimed gateway over real MQTT):
 *  - an operator filters the plans by area, creates a plan for a resident (keyboard), finds it
 *    with its next due day, sees its check in today's welfare list, gives it to the community
 *    worker, pauses it (its pending check goes), and deletes it after a confirmation; a delete
 *    of a plan someone else removed meanwhile shows the hub's error in words;
 *  - an installer makes a help button's double press open a service request: the hub lists the
 *    button, a double press from the gateway opens a request (no alarm), a single press is still
 *    an SOS; removing it leaves the hub with no button.
 * Every outcome is read back through the hub's REST as well as the page.
 */
import { join } from 'node:path';
import type { DemoLogin } from '@anxin/hub';
import {
  type AlarmListResponse,
  type CreateGatewayResponse,
  type ServiceButtonListResponse,
  type ServiceRequestListResponse,
  type WelfareAssigneeListResponse,
  type WelfareCheckListResponse,
  type WelfarePlanDto,
  type WelfarePlanListResponse,
} from '@anxin/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRealHubSession, type RealHubSession } from './testing/realHubSession';
import { publishRaise } from './testing/gatewayUplink';
import { poll } from './testing/poll';

const GW = 'gw-web-buttons';
const HOME = 'home-0001';
const RESIDENT = 'home-0003-r2'; // 刘德华 Liu Dehua: shares home-0003, has no plan of his own

let session: RealHubSession;
let gateway: MqttClient | null = null;
let seq = 0;

const api = <T>(role: DemoLogin['role'], method: string, path: string, body?: unknown) =>
  session.api<T>(role, method, path, body);
const plansOf = async (residentId: string) =>
  (await api<WelfarePlanListResponse>('operator', 'GET', `/welfare-plans?residentId=${residentId}`))
    .plans;
const onlyPlan = async (): Promise<WelfarePlanDto> => {
  const plans = await plansOf(RESIDENT);
  expect(plans).toHaveLength(1);
  return plans[0] as WelfarePlanDto;
};
const todaysChecks = async () =>
  (await api<WelfareCheckListResponse>('operator', 'GET', '/welfare-checks?view=today')).checks;
/** Today in the hub's time zone (operations.timeZone, Asia/Shanghai by default). */
const today = () =>
  new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());

const planRow = (page: Page, residentId: string) =>
  page.locator(`[data-testid="plan-row"][data-resident-id="${residentId}"]`);
const message = (page: Page) => page.getByTestId('plans-message').textContent();

/** Picks `option` in a Mantine Select by its exact label. */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

/** The gateway reports a press of the help button, as Zigbee2MQTT names its action. */
async function press(deviceId: string, action: string): Promise<void> {
  seq += 1;
  await publishRaise(gateway, GW, { seq, deviceId, kind: 'sos', detail: { action } });
}

describe('welfare plans and service buttons in the browser, real hub', () => {
  beforeAll(async () => {
    session = await startRealHubSession('anxin-web-plans-');
    const created = await api<CreateGatewayResponse>('admin', 'POST', '/gateways', { id: GW });
    await api('installer', 'POST', '/gateways/claim', {
      gatewayId: GW,
      claimCode: created.claimCode,
      homeId: HOME,
    });
    const credentials = await session.pickUpCredentials(GW, created.claimCode);
    gateway = await connectAsync(session.mqttUrl, {
      clientId: credentials.username,
      username: credentials.username,
      password: credentials.password,
      reconnectPeriod: 0,
    });
    await api('installer', 'POST', `/gateways/${GW}/devices`, {
      id: 'sos-hall',
      driver: 'zigbee2mqtt',
      kind: 'sos_button',
      room: 'hall',
      options: { friendlyName: 'sos-hall' },
    });
  }, 180_000);

  afterAll(async () => {
    await gateway?.endAsync(true).catch(() => undefined);
    await session?.close();
  });

  it(
    'an operator creates a plan, sees it due today, reassigns, pauses and deletes it',
    { timeout: 120_000 },
    async () => {
      const page = await session.signIn('operator');
      await page.getByTestId('nav-plans').click();
      await poll(() => page.evaluate(() => location.pathname)).toBe('/plans');
      await page.getByTestId('plan-table').waitFor();
      const seeded = (await api<WelfarePlanListResponse>('operator', 'GET', '/welfare-plans'))
        .plans;
      await poll(() => page.getByTestId('plan-row').count()).toBe(seeded.length);

      // The area filter takes the area's subtree: a community, then the whole district.
      await choose(page, 'plans-area', '长乐社区 Changle');
      await poll(() =>
        page.getByTestId('plan-row').evaluateAll((rows) => rows.map((r) => r.dataset.residentId)),
      ).toEqual(['home-0002-r1']);
      await choose(page, 'plans-area', '安心区 Anxin District');
      await poll(() => page.getByTestId('plan-row').count()).toBe(seeded.length);

      // A new plan, by keyboard where the form is typed: home search, Tab, Ctrl+Enter.
      await page.getByTestId('plan-new').click();
      await page.getByTestId('plan-form').waitFor();
      await page.keyboard.press('Control+Enter');
      await poll(() => page.getByTestId('plan-form-error').textContent()).toBe(
        'Choose the resident first.',
      );
      await page.getByTestId('planform-home').focus();
      await page.keyboard.type('Liu Dehua');
      await page.getByRole('option', { name: /Liu Dehua/ }).waitFor();
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await choose(page, 'planform-resident', '刘德华 Liu Dehua');
      await page.getByTestId('planform-count').fill('3');
      await page.getByTestId('planform-notes').fill('Prefers calls after 10:00');
      await page.keyboard.press('Control+Enter');
      await page.getByTestId('plan-form').waitFor({ state: 'detached' });
      await poll(() => message(page)).toBe('Plan created.');

      const plan = await onlyPlan();
      expect(plan).toMatchObject({
        kind: 'call',
        cadence: 'every_days',
        count: 3,
        startDay: today(),
        nextDueDay: today(),
        active: true,
        assigneeUserId: null,
        notes: 'Prefers calls after 10:00',
      });
      const row = planRow(page, RESIDENT);
      await row.waitFor();
      expect(await row.getByTestId('plan-schedule').textContent()).toBe('Call every 3 days');
      expect(await row.getByTestId('plan-next-due').textContent()).toBe(today());
      expect(await row.getByTestId('plan-assignee').textContent()).toBe('Call centre');
      await page.screenshot({ path: join(screenshots, 'plans-list.png'), fullPage: true });

      // Its check is in today's welfare list on the console.
      const due = (await todaysChecks()).filter((c) => c.planId === plan.id);
      expect(due.map((c) => [c.residentId, c.kind, c.dueDay])).toEqual([
        [RESIDENT, 'call', today()],
      ]);
      await page.getByTestId('nav-console').click();
      await page.getByTestId('tab-welfare').click();
      const check = page.locator(
        `[data-testid="welfare-check"][data-check-id="${due[0]?.id ?? ''}"]`,
      );
      await check.waitFor();
      expect(await check.getByTestId('welfare-resident').textContent()).toBe('刘德华 Liu Dehua');
      expect(await check.textContent()).toContain(`Due ${today()}`);

      // Given to the community worker.
      await page.getByTestId('nav-plans').click();
      await row.getByTestId('plan-edit').click();
      await page.getByTestId('plan-form').waitFor();
      expect(await page.getByTestId('planform-count').inputValue()).toBe('3');
      await choose(page, 'planform-assignee', 'Community worker 社区工作者');
      await page.getByTestId('plan-submit').click();
      await poll(() => message(page)).toBe('Plan saved.');
      await poll(() => row.getByTestId('plan-assignee').textContent()).toBe(
        'Community worker 社区工作者',
      );
      const { assignees } = await api<WelfareAssigneeListResponse>(
        'operator',
        'GET',
        '/welfare-assignees',
      );
      const worker = assignees.find((a) => a.displayName === 'Community worker 社区工作者');
      expect((await onlyPlan()).assigneeUserId).toBe(worker?.id);

      // Paused: it leaves the active list, and its pending check is cancelled.
      await row.getByTestId('plan-toggle').click();
      await poll(() => message(page)).toBe('Plan paused; its pending check is cancelled.');
      await row.waitFor({ state: 'detached' });
      expect(await onlyPlan()).toMatchObject({ active: false, nextDueDay: null });
      expect((await todaysChecks()).filter((c) => c.planId === plan.id)).toEqual([]);
      await page.getByTestId('plans-show').getByText('Paused').click();
      await row.waitFor();
      expect(await row.getByTestId('plan-status').textContent()).toBe('Paused');
      expect(await row.getByTestId('plan-next-due').textContent()).toBe('None (paused)');

      // Deleted, after the confirmation; Cancel (where the focus starts) deletes nothing.
      await row.getByTestId('plan-delete').click();
      await page.getByTestId('plan-delete-dialog').waitFor();
      await page.keyboard.press('Enter');
      await page.getByTestId('plan-delete-dialog').waitFor({ state: 'detached' });
      expect(await plansOf(RESIDENT)).toHaveLength(1);
      await row.getByTestId('plan-delete').click();
      await page.getByTestId('plan-delete-confirm').click();
      await poll(() => message(page)).toBe('Plan deleted.');
      await row.waitFor({ state: 'detached' });
      expect(await plansOf(RESIDENT)).toEqual([]);

      // A plan another operator deleted meanwhile: the hub's answer, in words.
      await page.getByTestId('plans-show').getByText('Active').click();
      const other = (await plansOf('home-0002-r1'))[0];
      const stale = planRow(page, 'home-0002-r1');
      await stale.getByTestId('plan-delete').click();
      await api('supervisor', 'DELETE', `/welfare-plans/${other?.id ?? ''}`);
      await page.getByTestId('plan-delete-confirm').click();
      await poll(() => page.getByTestId('plan-delete-error').textContent()).toBe(
        'Not found: it may have been removed.',
      );
    },
  );

  it(
    'an installer makes a double press open a service request, then removes it',
    { timeout: 120_000 },
    async () => {
      const page = await session.signIn('installer', { width: 390, height: 844 });
      await poll(() => page.evaluate(() => location.pathname)).toBe('/installer');
      await page.goto(`${session.httpUrl}/installer/homes/${HOME}`);
      const button = page.locator('[data-testid="service-button"][data-device-id="sos-hall"]');
      await button.waitFor();
      const state = button.getByTestId('service-button-state');
      expect(await state.textContent()).toBe('Every press raises an SOS.');

      // An action the hub refuses: its error, translated.
      const actions = button.getByTestId('service-button-actions');
      await actions.fill('dbl!');
      await actions.press('Enter');
      await button.getByTestId('service-button-save').click();
      await poll(() => button.getByTestId('service-button-error').textContent()).toMatch(
        /^The request was not valid: /,
      );
      await actions.press('Backspace');
      await actions.fill('double');
      await actions.press('Enter');
      await actions.press('Escape'); // closes the suggestions over the category field
      await choose(page, 'service-button-category', 'Meal delivery');
      await button.getByTestId('service-button-save').click();
      await poll(() => state.textContent()).toBe('double opens a service request: Meal delivery');
      expect(await page.getByTestId('service-buttons-message').textContent()).toBe(
        'Saved: sos-hall now opens service requests.',
      );
      const listed = await api<ServiceButtonListResponse>(
        'operator',
        'GET',
        `/gateways/${GW}/service-buttons`,
      );
      expect(listed.serviceButtons).toMatchObject([
        { gatewayId: GW, deviceId: 'sos-hall', actions: ['double'], category: 'meal_delivery' },
      ]);
      await page.screenshot({ path: join(screenshots, 'installer-service-button.png') });

      // The box reports a double press: a request, not an alarm; a single press stays an SOS.
      const fromButton = async () =>
        (
          await api<ServiceRequestListResponse>(
            'operator',
            'GET',
            `/service-requests?homeId=${HOME}`,
          )
        ).serviceRequests.filter((r) => r.deviceId === 'sos-hall');
      const sosAlarms = async () =>
        (await api<AlarmListResponse>('operator', 'GET', '/alarms')).alarms.filter(
          (a) => a.deviceId === 'sos-hall',
        );
      await press('sos-hall', 'double');
      await poll(async () => (await fromButton()).map((r) => r.category)).toEqual([
        'meal_delivery',
      ]);
      expect(await sosAlarms()).toEqual([]);
      await press('sos-hall', 'single');
      await poll(async () => (await sosAlarms()).map((a) => a.kind)).toEqual(['sos']);
      expect(await fromButton()).toHaveLength(1);

      // Removed: the hub keeps no button, and the page says every press is an SOS again.
      await button.getByTestId('service-button-remove').click();
      await poll(() => state.textContent()).toBe('Every press raises an SOS.');
      const after = await api<ServiceButtonListResponse>(
        'installer',
        'GET',
        `/gateways/${GW}/service-buttons`,
      );
      expect(after.serviceButtons).toEqual([]);
    },
  );
});
