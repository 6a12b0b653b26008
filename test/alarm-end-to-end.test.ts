/**
 * One alarm, the whole way, with real parts (issue 2):
 *
 *   MR60FDA1 simulator ─ pseudo-terminal pair (socat) ─ `anxin gateway` process (serialport)
 *     ─ MQTT over TCP ─ `anxin hub` process (embedded broker, SQLite, influxd 1.x)
 *     ─ Socket.IO client + headless Chromium console (acknowledge, resolve).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  attachToSerialPath,
  createMr60fda1Simulator,
  createPtyPair,
  type PtyPair,
} from '@anxin/devices';
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { chromium, type Browser } from 'playwright-core';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnAnxin, type AnxinProcess } from './support/anxin-process.js';
import { LocalInfluxd } from '../hub/src/local-engines/influxd.js';
import { freePort, waitFor } from './support/ports.js';

const GATEWAY_ID = 'e2e-home-01';
const GATEWAY_SECRET = 'e2e-gateway-secret-123';

describe('one alarm end to end', () => {
  let dir: string;
  let influx: LocalInfluxd;
  let hub: AnxinProcess;
  let gateway: AnxinProcess;
  let pty: PtyPair;
  let radar: ReturnType<typeof createMr60fda1Simulator>;
  let closeRadarPort: () => Promise<void>;
  let httpUrl: string;
  let adminPassword: string;
  let cookie: string;
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  let browser: Browser | undefined;
  const pushed: { event: 'alarm:new' | 'alarm:updated'; alarm: AlarmDto }[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-e2e-'));
    influx = await LocalInfluxd.create();
    const [httpPort, mqttPort] = [await freePort(), await freePort()];
    writeFileSync(
      join(dir, 'hub.yaml'),
      [
        `dataDir: ${join(dir, 'hub')}`,
        `http: { host: 127.0.0.1, port: ${httpPort} }`,
        `mqtt: { host: 127.0.0.1, port: ${mqttPort} }`,
        'telemetry:',
        '  store: influx1',
        `  influx1: { url: "${influx.url}", database: anxin_e2e }`,
        'log: { level: warn }',
      ].join('\n'),
    );
    hub = spawnAnxin([
      'hub',
      '--config',
      join(dir, 'hub.yaml'),
      '--provision',
      `${GATEWAY_ID}:${GATEWAY_SECRET}`,
    ]);
    const [, password] = await hub.waitFor(/created user "admin" with password "([^"]+)"/);
    const [, url] = await hub.waitFor(/console (http:\/\/\S+)/);
    adminPassword = password ?? '';
    httpUrl = url ?? '';

    pty = await createPtyPair();
    radar = createMr60fda1Simulator({ heartbeatMs: 1000, reportMs: 500 });
    const port = await attachToSerialPath(radar, pty.a, { baudRate: 115200 });
    closeRadarPort = () => port.close();
    radar.start();

    writeFileSync(
      join(dir, 'gateway.yaml'),
      [
        `gatewayId: ${GATEWAY_ID}`,
        `dataDir: ${join(dir, 'gateway')}`,
        `hub: { url: "mqtt://127.0.0.1:${mqttPort}", password: "${GATEWAY_SECRET}" }`,
        'heartbeatIntervalS: 5',
        'devices:',
        `  - { id: radar-bedroom, driver: mr60fda1, port: "${pty.b}" }`,
      ].join('\n'),
    );
    gateway = spawnAnxin(['gateway', '--config', join(dir, 'gateway.yaml')]);
    await gateway.waitFor(/anxin gateway e2e-home-01/);
    // Someone walks in once the gateway reads the port (a pty drops what nobody reads).
    await new Promise((r) => setTimeout(r, 500));
    radar.trigger('presence');

    const login = await fetch(`${httpUrl}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: adminPassword }),
    });
    expect(login.status).toBe(200);
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    socket = connectSocket(httpUrl, { extraHeaders: { cookie }, transports: ['websocket'] });
    socket.on('alarm:new', (alarm) => pushed.push({ event: 'alarm:new', alarm }));
    socket.on('alarm:updated', (alarm) => pushed.push({ event: 'alarm:updated', alarm }));
    await waitFor('socket connected', () => (socket.connected ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    socket?.close();
    await browser?.close();
    radar?.stop();
    await closeRadarPort?.();
    await gateway?.stop();
    await hub?.stop();
    await pty?.close();
    await influx?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  let alarm: AlarmDto;

  it('a fall seen by the radar reaches a console over Socket.IO, stored in SQL', async () => {
    const fallAt = Date.now();
    expect(radar.trigger('fall')).toBe(true);
    const received = await waitFor(
      'alarm:new for the fall',
      () => pushed.find((p) => p.event === 'alarm:new' && p.alarm.kind === 'fall')?.alarm,
      15_000,
    );
    alarm = received;
    expect(alarm).toMatchObject({
      gatewayId: GATEWAY_ID,
      deviceId: 'radar-bedroom',
      status: 'open',
      priority: 1,
      test: false,
    });
    // observedAt is the gateway's read time: after the trigger, before the push.
    expect(Date.parse(alarm.raisedAt)).toBeGreaterThanOrEqual(fallAt - 5);

    const db = new Database(join(dir, 'hub', 'anxin.db'), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare('SELECT id, kind, status FROM alarms WHERE gateway_id = ?')
        .all(GATEWAY_ID);
      expect(rows).toEqual([{ id: alarm.id, kind: 'fall', status: 'open' }]);
    } finally {
      db.close();
    }
  });

  it('telemetry from the radar is written to a real InfluxDB', async () => {
    const rows = await waitFor(
      'presence telemetry in influxd',
      async () => {
        const result = await influx.query(
          'anxin_e2e',
          `SELECT "presence" FROM "telemetry" WHERE "gateway" = '${GATEWAY_ID}' AND "device" = 'radar-bedroom'`,
        );
        return result.length > 0 ? result : undefined;
      },
      20_000,
      250,
    );
    expect(rows.some((r) => r.presence === true)).toBe(true);
  });

  it('an operator sees the alarm in the browser console and takes and resolves it', async () => {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const page = await browser.newPage({ locale: 'en-US' });
    await page.goto(httpUrl);
    await page.getByTestId('login-username').fill('admin');
    await page.getByTestId('login-password').fill(adminPassword);
    await page.getByTestId('login-submit').click();

    const row = page.locator(`[data-testid="alarm-row"][data-alarm-id="${alarm.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await page.screenshot({ path: 'test-results/e2e-console-alarm.png', fullPage: true });
    await row.click();
    await page.keyboard.press('a');
    await waitFor('acknowledged push', () =>
      pushed.find(
        (p) =>
          p.event === 'alarm:updated' &&
          p.alarm.id === alarm.id &&
          p.alarm.status === 'acknowledged',
      ),
    );
    await page.keyboard.press('r');
    await page.getByTestId('outcome-handled_by_phone').click();
    await page.getByTestId('resolve-submit').click();
    const resolved = await waitFor('resolved push', () =>
      pushed.find(
        (p) =>
          p.event === 'alarm:updated' && p.alarm.id === alarm.id && p.alarm.status === 'resolved',
      ),
    );
    expect(resolved.alarm).toMatchObject({
      outcome: 'handled_by_phone',
      acknowledgedBy: 'admin',
      resolvedBy: 'admin',
    });
    await row.waitFor({ state: 'detached', timeout: 5000 });

    const res = await fetch(`${httpUrl}/api/v1/alarms/${alarm.id}`, { headers: { cookie } });
    const body = (await res.json()) as { alarm: AlarmDto };
    expect(body.alarm.status).toBe('resolved');
  });
});
