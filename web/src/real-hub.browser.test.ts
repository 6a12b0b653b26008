/**
 * The web apps against the REAL hub, built in-process with buildHub from @anxin/hub (SQLite in a
 * temp dir, embedded broker and telemetry store, Socket.IO, the production web build served by the
 * hub itself) and seeded with the demo data. A real MQTT gateway connection sends the events:
 *   - an installer creates a home and its resident, claims a gateway with the code from its box
 *     (a wrong code first), sees it wait for, pick up (zero-touch claim) and connect with its own
 *     credentials — typing nothing into it — adds devices, completes the guided device test (test alarm over
 *     MQTT → Socket.IO; motion via the telemetry route) and prints the commissioning record;
 *   - the family sees their relative's alarm live, says "I am going there", and another home's
 *     address shows "not found";
 *   - the operator takes that alarm with the keyboard, sees the resident's card and the family
 *     member on the way, and resolves it.
 */
import { join } from 'node:path';
import type { DemoLogin } from '@anxin/hub';
import {
  newEventId,
  PROTOCOL_VERSION,
  uplinkTopic,
  type AlarmListResponse,
  type CreateGatewayResponse,
  type TelemetryBatch,
} from '@anxin/protocol';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PHONE,
  screenshots,
  startRealHubSession,
  type RealHubSession,
} from './testing/realHubSession';
import { publishRaise } from './testing/gatewayUplink';
import { poll } from './testing/poll';

const GATEWAY = 'gw-web-0001';

let session: RealHubSession;
let gateway: MqttClient | null = null;
let seq = 0;

const signIn = (role: DemoLogin['role'], viewport?: { width: number; height: number }) =>
  session.signIn(role, viewport);
const api = <T>(role: DemoLogin['role'], method: string, path: string, body?: unknown) =>
  session.api<T>(role, method, path, body);
const pickUpCredentials = (gatewayId: string, code: string) =>
  session.pickUpCredentials(gatewayId, code);

async function sendAlarm(deviceId: string, kind: 'sos' | 'fall'): Promise<void> {
  seq += 1;
  await publishRaise(gateway, GATEWAY, { seq, deviceId, kind });
}

async function sendTelemetry(
  deviceId: string,
  fields: Record<string, number | boolean>,
): Promise<void> {
  seq += 1;
  const batch: TelemetryBatch = {
    v: PROTOCOL_VERSION,
    events: [
      { type: 'telemetry', id: newEventId(), seq, observedAt: Date.now(), deviceId, fields },
    ],
  };
  await gateway?.publishAsync(uplinkTopic(GATEWAY, 'telemetry'), JSON.stringify(batch), { qos: 1 });
}

describe('web apps against the real hub', () => {
  beforeAll(async () => {
    session = await startRealHubSession('anxin-web-real-');
  }, 180_000);

  afterAll(async () => {
    await gateway?.endAsync(true).catch(() => undefined);
    await session?.close();
  });

  it('installer claims the gateway with its printed code and completes the device test', async () => {
    const created = await api<CreateGatewayResponse>('admin', 'POST', '/gateways', { id: GATEWAY });
    const page = await signIn('installer', PHONE);
    await poll(() => page.evaluate(() => location.pathname)).toBe('/installer');
    await page.getByTestId('home-list').waitFor();
    await page.screenshot({ path: join(screenshots, 'installer-homes.png'), fullPage: true });

    // A new home and its resident in the installer's area.
    await page.getByTestId('new-home-button').click();
    await page.getByTestId('home-form').waitFor();
    await page.getByTestId('home-area').click();
    await page.getByRole('option', { name: /Heping/ }).click();
    await page.getByTestId('home-address-input').fill('和平路 99 号 (No. 99 Heping Road)');
    await page.getByTestId('home-floor-input').fill('2');
    await page.getByTestId('home-room-input').fill('201');
    await page.getByTestId('home-keysafe-input').fill('2580');
    await page.screenshot({ path: join(screenshots, 'installer-new-home.png'), fullPage: true });
    await page.getByTestId('home-submit').click();
    await page.getByTestId('home-setup').waitFor();
    expect(await page.getByTestId('setup-address').textContent()).toContain('No. 99 Heping Road');
    await page.getByTestId('resident-name-input').fill('钱淑兰 Qian Shulan');
    await page.getByTestId('resident-birth-input').fill('1940');
    await page.getByTestId('resident-submit').click();
    await poll(() => page.getByTestId('installer-resident').textContent()).toBe(
      '钱淑兰 Qian Shulan (1940)',
    );

    // The gateway goes into the demo home the family follows.
    await page.getByTestId('nav-installer-homes').click();
    await page.locator('[data-testid="home-link"][data-home-id="home-0001"]').click();
    await page.getByTestId('home-setup').waitFor();
    // A wrong code is refused clearly; the code printed on the box claims it.
    await page.getByTestId('claim-gateway-id').fill(GATEWAY);
    await page.getByTestId('claim-code').fill('WRONG-CODE-0000');
    await page.getByTestId('claim-submit').click();
    await poll(() => page.getByTestId('claim-error').textContent()).toContain('refused');
    await page.getByTestId('claim-gateway-id').fill(GATEWAY);
    await page.getByTestId('claim-code').fill(created.claimCode);
    await page.getByTestId('claim-submit').click();
    await page.getByTestId('claim-result').waitFor();
    // Nothing to type into the gateway: the page waits for it to pick up its credentials.
    await poll(() => page.getByTestId('claim-state').getAttribute('data-state')).toBe(
      'awaiting_pickup',
    );
    await page.screenshot({
      path: join(screenshots, 'installer-claim-result.png'),
      fullPage: true,
    });

    // The gateway picks them up by itself and connects; the page follows it to "online".
    const credentials = await pickUpCredentials(GATEWAY, created.claimCode);
    expect(credentials.mqttUrl).toBe(session.mqttUrl);
    await poll(() => page.getByTestId('claim-state').getAttribute('data-state')).toBe('picked_up');
    gateway = await connectAsync(credentials.mqttUrl, {
      clientId: GATEWAY,
      username: credentials.username,
      password: credentials.password,
      reconnectPeriod: 0,
      connectTimeout: 5_000,
      protocolVersion: 4,
    });
    await gateway.publishAsync(
      uplinkTopic(GATEWAY, 'status'),
      JSON.stringify({ v: PROTOCOL_VERSION, state: 'online', at: Date.now() }),
      { qos: 1, retain: true },
    );
    await poll(() => page.getByTestId('claim-state').getAttribute('data-state')).toBe('online');
    await page.getByTestId('claim-done').click();

    for (const [name, kind] of [
      ['sos-bed', 'SOS button'],
      ['pir-hall', 'Motion sensor'],
    ] as const) {
      await page.getByTestId('device-kind').click();
      await page.getByRole('option', { name: kind, exact: true }).click();
      await page.getByTestId('device-id-input').fill(name);
      await page.getByTestId('device-room').fill(name === 'sos-bed' ? 'bedroom' : 'hall');
      await page.getByTestId('device-submit').click();
      await page.locator(`[data-testid="installer-device"][data-device-id="${name}"]`).waitFor();
    }

    await page.getByTestId('start-test').click();
    await page.getByTestId('test-mode-banner').waitFor();
    const step = (id: string) => page.locator(`[data-testid="test-step"][data-device-id="${id}"]`);
    await page.screenshot({
      path: join(screenshots, 'installer-test-running.png'),
      fullPage: true,
    });
    await sendAlarm('sos-bed', 'sos');
    await poll(() => step('sos-bed').getAttribute('data-state')).toBe('passed');
    await sendTelemetry('pir-hall', { occupancy: true });
    await poll(() => step('pir-hall').getAttribute('data-state')).toBe('passed');
    await poll(() =>
      page
        .locator('[data-testid="installer-device"][data-device-id="pir-hall"]')
        .getByTestId('device-readings')
        .textContent(),
    ).toContain('occupancy true');
    await page.screenshot({ path: join(screenshots, 'installer-test-passed.png'), fullPage: true });
    await page.getByTestId('finish-test').click();
    await page.getByTestId('test-mode-banner').waitFor({ state: 'detached' });
    await page.getByTestId('record-link').click();
    await page.getByTestId('commissioning-record').waitFor();
    expect(await page.getByTestId('record-result').getAttribute('data-passed')).toBe('2');
    expect(await page.getByTestId('record-table').textContent()).toContain('Installer 安装员');
    await page.emulateMedia({ media: 'print' });
    expect(await page.getByTestId('print-button').isVisible()).toBe(false);
    await page.setViewportSize({ width: 794, height: 1123 }); // A4 at 96 dpi
    await page.screenshot({
      path: join(screenshots, 'installer-record-print.png'),
      fullPage: true,
    });
  }, 60_000);

  it('family sees the alarm live and is on the way; operator takes it by keyboard with the card; another home is not found', async () => {
    const family = await signIn('family', PHONE);
    await poll(() => family.evaluate(() => location.pathname)).toBe('/family/homes/home-0001');
    await family.getByTestId('family-home').waitFor();
    const operator = await signIn('operator');
    await operator.getByTestId('queue-empty').or(operator.getByTestId('alarm-queue')).waitFor();

    // The call centre closes the commissioning test alarm, so the next press is a new alarm
    // (triggers close together would otherwise join the open one).
    const open = await api<AlarmListResponse>('admin', 'GET', '/alarms?status=open,acknowledged');
    for (const alarm of open.alarms.filter((a) => a.test))
      await api('admin', 'POST', `/alarms/${alarm.id}/resolve`, { outcome: 'false_alarm' });
    await sendAlarm('sos-bed', 'sos'); // a real alarm now: the home left test mode
    const waiting = family.getByTestId('family-alarm').and(family.locator('[data-status="open"]'));
    await waiting.waitFor();
    const alarmId = (await waiting.getAttribute('data-alarm-id')) ?? '';
    const card = family.locator(`[data-testid="family-alarm"][data-alarm-id="${alarmId}"]`);
    await card.getByTestId('eta-input').fill('10');
    await card.getByTestId('going-button').click();
    await card.getByTestId('family-going-confirmed').waitFor();

    const row = operator.locator(
      '[data-testid="alarm-row"][data-kind="sos"][data-test-alarm="false"]',
    );
    await row.getByTestId('responder-badge').waitFor();
    await operator.locator('body').click({ position: { x: 5, y: 890 } });
    await operator.keyboard.press('n');
    await operator.keyboard.press('a');
    await poll(() => row.getAttribute('data-status')).toBe('acknowledged');
    const residentCard = operator.getByTestId('resident-card');
    await residentCard.waitFor();
    expect(await residentCard.getByTestId('resident-name').first().textContent()).toContain(
      'Wang Xiuying',
    );
    expect(await residentCard.getByTestId('key-safe-code').count()).toBe(1);
    expect(await residentCard.getByTestId('contact').count()).toBe(3);
    expect(await residentCard.getByTestId('plan-step').count()).toBe(3); // the SOS plan
    expect(await operator.getByTestId('responders').textContent()).toContain('10 min');
    await operator.getByTestId('telemetry-charts').waitFor();
    await operator.screenshot({ path: join(screenshots, 'real-console-card.png') });

    await poll(() => card.getByTestId('family-alarm-taken-by').textContent()).toContain('Taken by');
    await operator.keyboard.press('r');
    await operator.getByTestId('resolve-dialog').waitFor();
    await operator.keyboard.press('3'); // family attended
    await operator.keyboard.press('Control+Enter');
    await row.waitFor({ state: 'detached' });
    await poll(() => card.getByTestId('family-alarm-outcome').textContent()).toBe(
      'Outcome: Family attended',
    );
    // The card a family member reads has no key-safe code.
    expect(await family.getByTestId('key-safe-code').count()).toBe(0);
    await family.screenshot({ path: join(screenshots, 'real-family.png'), fullPage: true });

    await family.goto(`${session.httpUrl}/family/homes/home-0002`);
    await family.getByTestId('not-found').waitFor();
    await family.screenshot({
      path: join(screenshots, 'real-family-not-found.png'),
      fullPage: true,
    });
  });

  it('supervisor sees the answer-time figures, the operators and the gateways from the real routes', async () => {
    const page = await signIn('supervisor');
    await poll(() => page.evaluate(() => location.pathname)).toBe('/supervisor');
    const shares = page.getByTestId('answer-share');
    await shares.first().waitFor();
    expect(
      await shares.evaluateAll((els) => els.map((el) => el.getAttribute('data-within'))),
    ).toEqual(['60', '180']);
    // The family's SOS was taken within seconds: both targets met.
    await poll(() =>
      page.locator('[data-testid="answer-share"][data-within="60"]').getAttribute('data-met'),
    ).toBe('true');
    expect(Number(await page.getByTestId('figures-count').textContent())).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('sup-operator').count()).toBeGreaterThanOrEqual(1);
    expect(await page.getByTestId('page-error').count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'real-supervisor.png'), fullPage: true });
  });
});
