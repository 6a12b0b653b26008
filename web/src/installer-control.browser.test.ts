/**
 * The installer manages a gateway from Chromium (issue 10), all parts real: the hub built with
 * buildHub (embedded broker over TCP, SQLite, Socket.IO, the production web build), a real gateway
 * (createGateway from @anxin/gateway) connected with the credentials its claim issued, and a
 * DL/T 645 meter simulator on a socat pseudo-terminal the gateway polls.
 *
 * The installer sees the gateway's configuration state in words as it changes — on version N,
 * waiting to apply N+1 while the box is offline, on N+1 once it applies it, refused with the
 * gateway's reason — and reads the meter now: the command's result and the live reading arrive
 * pushed over Socket.IO (the page's telemetry polling is blocked, so nothing else can show it).
 * The gateway's own test flag shows as "Gateway in test mode until HH:MM" while it is on, pushed
 * from the gateway's heartbeat, and goes when it is switched off.
 */
import { join } from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { attachToSerialPath, createPtyPair, Dlt645Simulator } from '@anxin/devices';
import type { AttachedSimulator, PtyPair } from '@anxin/devices';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import {
  validateConfig,
  type AuditListResponse,
  type ClaimedCredentials,
  type CreateGatewayResponse,
  type GatewayControlResponse,
} from '@anxin/protocol';
import type { Page } from 'playwright-core';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { screenshots, startRealHubSession, type RealHubSession } from './testing/realHubSession';
import { poll } from './testing/poll';

const GW = 'gw-web-ctl';
const HOME = 'home-0001';
const METER_ADDRESS = '000000000001';
const HALL_ADDRESS = '000000000002';
const busPath = (i: number) => buses[i]?.pty.b ?? '';

let session: RealHubSession;
let dir = '';
/** Two buses, a meter on each (a silent meter would hold its bus through its timeouts). */
const buses: { pty: PtyPair; meter: AttachedSimulator }[] = [];
let credentials: ClaimedCredentials;
let gateway: Gateway | null = null;

/** The real gateway, as the box runs it; its data directory survives a stop (an unplugged box). */
async function startGateway(): Promise<Gateway> {
  const g = createGateway(
    validateConfig(
      GatewayConfigSchema,
      {
        gatewayId: GW,
        dataDir: dir,
        hub: { url: credentials.mqttUrl, password: credentials.password },
        reconnect: { minMs: 100, maxMs: 1000 },
        heartbeatIntervalS: 5,
        log: { level: 'silent' },
      },
      'test',
    ),
    { logger: pino({ level: 'silent' }) },
  );
  await g.start();
  return g;
}

const configState = (page: Page) => page.getByTestId('config-state');

/** Picks `option` in a Mantine Select, unless chosen already (picking it again would clear it). */
async function choose(page: Page, testId: string, option: string): Promise<void> {
  if ((await page.getByTestId(testId).inputValue()) === option) return;
  await page.getByTestId(testId).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function addSerialMeter(page: Page, id: string, address: string, port: string) {
  await page.getByTestId('device-via').getByText('Serial (by address)').click();
  await choose(page, 'device-kind', 'Electricity meter');
  await choose(page, 'device-driver', 'dlt645');
  await page.getByTestId('device-id-input').fill(id);
  await page.getByTestId('device-address').fill(address);
  await page.getByTestId('device-port').fill(port);
  await page.getByTestId('device-submit').click();
  await page.locator(`[data-testid="installer-device"][data-device-id="${id}"]`).waitFor();
}

describe('the installer manages a real gateway from the browser', () => {
  beforeAll(async () => {
    session = await startRealHubSession('anxin-web-ctl-');
    dir = await mkdtemp(join(tmpdir(), 'anxin-web-ctl-gw-'));
    for (const address of [METER_ADDRESS, HALL_ADDRESS]) {
      const pty = await createPtyPair();
      const meter = await attachToSerialPath(
        new Dlt645Simulator({ address, energyKwh: 1234.5 }),
        pty.a,
      );
      buses.push({ pty, meter });
    }
    const created = await session.api<CreateGatewayResponse>('admin', 'POST', '/gateways', {
      id: GW,
    });
    await session.api('installer', 'POST', '/gateways/claim', {
      gatewayId: GW,
      claimCode: created.claimCode,
      homeId: HOME,
    });
    credentials = await session.pickUpCredentials(GW, created.claimCode);
  }, 180_000);

  afterAll(async () => {
    await gateway?.stop();
    for (const { pty, meter } of buses) {
      await meter.close();
      await pty.close();
    }
    await session?.close();
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  it('sees versions applied and refused, and a meter read now pushed live', async () => {
    const page = await session.signIn('installer');
    // Readings shown below can only come from the pushed read_device answer.
    let telemetryPolls = 0;
    await page.route('**/api/v1/homes/*/telemetry*', (route) => {
      telemetryPolls += 1;
      return route.abort();
    });
    await poll(() => page.evaluate(() => location.pathname)).toBe('/installer');
    await page.goto(`${session.httpUrl}/installer/homes/${HOME}`);
    await page.getByTestId('gateway-control').waitFor();
    // Claimed, configuration published, the box not yet heard from.
    expect(await configState(page).getAttribute('data-state')).toBe('unknown');

    gateway = await startGateway();
    await poll(() => configState(page).getAttribute('data-state')).toBe('applied');
    const first = Number(await configState(page).getAttribute('data-applied'));
    expect(first).toBeGreaterThan(0);
    expect(await configState(page).textContent()).toBe(`Gateway is on version ${first}`);

    // A meter added in the page: the gateway applies it without a restart.
    await addSerialMeter(page, 'meter-kitchen', METER_ADDRESS, busPath(0));
    await poll(() => configState(page).textContent()).toBe(`Gateway is on version ${first + 1}`);

    // The box is unplugged while the installer edits: the page says what it waits for …
    await gateway.stop();
    gateway = null;
    await addSerialMeter(page, 'meter-hall', HALL_ADDRESS, busPath(1));
    await poll(() => configState(page).textContent()).toBe(`Waiting to apply version ${first + 2}`);
    await page.screenshot({ path: join(screenshots, 'installer-control-waiting.png') });
    // … and follows the box when it is back and has applied it.
    gateway = await startGateway();
    await poll(() => configState(page).textContent()).toBe(`Gateway is on version ${first + 2}`);

    // A Zigbee device on a gateway without a local broker: refused as a whole, with the reason.
    await page.getByTestId('device-via').getByText('Zigbee (by name)').click();
    await choose(page, 'device-kind', 'SOS button');
    await page.getByTestId('device-id-input').fill('sos-bedroom');
    await page.getByTestId('device-submit').click();
    await poll(() => configState(page).getAttribute('data-state')).toBe('refused');
    const refused = (await configState(page).textContent()) ?? '';
    expect(refused).toContain(`Refused version ${first + 3}:`);
    expect(refused).toContain('sos-bedroom');
    expect(refused).toContain('local broker');
    expect(await configState(page).getAttribute('data-applied')).toBe(String(first + 2));

    // The last good configuration keeps running: the meter is read now, the answer pushed.
    await page.getByTestId('cmd-device').selectOption('meter-kitchen');
    await page.getByTestId('cmd-read_device').click();
    const row = page.locator('[data-testid="cmd-row"][data-name="read_device"]').first();
    await poll(() => row.getAttribute('data-status')).toBe('succeeded');
    expect(await row.getByTestId('cmd-result').textContent()).toContain('meter-kitchen');
    const readings = page
      .locator('[data-testid="installer-device"][data-device-id="meter-kitchen"]')
      .getByTestId('device-readings');
    await poll(() => readings.textContent()).toContain('energy_kwh');
    expect(await readings.textContent()).toMatch(/1234\.\d/);

    // Ping too: a gateway-wide command with its result.
    await page.getByTestId('cmd-ping').click();
    const ping = page.locator('[data-testid="cmd-row"][data-name="ping"]').first();
    await poll(() => ping.getAttribute('data-status')).toBe('succeeded');
    expect(await ping.getByTestId('cmd-message').textContent()).toBe('pong');

    // The gateway's own test flag, from the keyboard: its id, status and result in the list …
    const flagHint = await page.getByTestId('cmd-test-flag-hint').textContent();
    expect(flagHint).toContain("home's Test mode switch");
    await page.getByTestId('cmd-set_test_mode-on').focus();
    await page.keyboard.press('Enter');
    const flag = page.locator('[data-testid="cmd-row"][data-name="set_test_mode"]').first();
    await poll(() => flag.getAttribute('data-status')).toBe('succeeded');
    const flagId = (await flag.getAttribute('data-command-id')) ?? '';
    expect(await flag.textContent()).toContain(`Gateway test flag · On`);
    expect(await flag.textContent()).toContain(flagId);
    expect(await flag.getByTestId('cmd-message').textContent()).toBe('test mode on');
    expect(await flag.getByTestId('cmd-result').textContent()).toContain('test_mode');
    // … the panel says until when, from the gateway's heartbeat the hub pushed …
    const badge = page.getByTestId('gateway-test-mode');
    await badge.waitFor();
    const reported = await session.api<GatewayControlResponse>(
      'installer',
      'GET',
      `/gateways/${GW}/control`,
    );
    const until = reported.control.gatewayTestMode?.until ?? '';
    expect(reported.control.gatewayTestMode?.source).toBe('command');
    // About 60 minutes ahead (the default window), shown as the browser's HH:MM.
    expect(Date.parse(until) - Date.now()).toBeGreaterThan(58 * 60_000);
    const hhmm = await page.evaluate(
      (iso) =>
        new Intl.DateTimeFormat('en', {
          hour: '2-digit',
          minute: '2-digit',
          hourCycle: 'h23',
        }).format(new Date(iso)),
      until,
    );
    expect(hhmm).toMatch(/^\d\d:\d\d$/);
    expect(await badge.textContent()).toBe(`Gateway in test mode until ${hhmm}`);
    // … the real gateway holds it (its diagnostics say so) …
    await page.getByTestId('cmd-diagnostics').click();
    const diag = page.locator('[data-testid="cmd-row"][data-name="diagnostics"]').first();
    await poll(() => diag.getAttribute('data-status')).toBe('succeeded');
    // The row headed exactly test_mode (test_mode_source and test_mode_until have rows too).
    const testModeRow = diag
      .getByTestId('cmd-result')
      .locator('tr', { has: page.locator('th', { hasText: /^test_mode$/ }) });
    expect(await testModeRow.locator('td').textContent()).toBe('true');
    const sourceRow = diag
      .getByTestId('cmd-result')
      .locator('tr', { has: page.locator('th', { hasText: /^test_mode_source$/ }) });
    expect(await sourceRow.locator('td').textContent()).toBe('command');
    // … and the hub audited who asked for it and what the gateway answered.
    const audit = async (action: string) =>
      (
        await session.api<AuditListResponse>(
          'admin',
          'GET',
          `/audit?action=${action}&targetId=${GW}&limit=50`,
        )
      ).entries.find((e) => (e.detail as { id?: unknown }).id === flagId);
    const asked = await audit('gateway.command');
    const installer = session.logins.find((l) => l.role === 'installer')?.username;
    expect(asked?.username).toBe(installer);
    expect(asked?.detail).toMatchObject({ name: 'set_test_mode', args: { enabled: true } });
    await poll(async () => (await audit('gateway.command.result'))?.detail).toMatchObject({
      name: 'set_test_mode',
      status: 'succeeded',
    });
    // Off again, so the row of the newest one says so.
    await page.getByTestId('cmd-set_test_mode-off').click();
    await poll(async () =>
      (await flag.getAttribute('data-command-id')) !== flagId
        ? flag.getByTestId('cmd-message').textContent()
        : null,
    ).toBe('test mode off');
    // The gateway said so in a heartbeat: the badge is gone without reloading the page.
    await poll(() => badge.count()).toBe(0);
    expect(telemetryPolls).toBeGreaterThan(0); // the page did poll, and got nothing from it
    expect(await page.getByTestId('page-error').count()).toBe(0);
    await page.screenshot({ path: join(screenshots, 'installer-control.png'), fullPage: true });
  }, 120_000);
});
