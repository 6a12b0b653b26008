/**
 * The hub manages its gateway (issue 10), with real parts in one process: the hub (REST, embedded
 * broker over TCP, SQLite) and a real gateway connected with the credentials its claim issued,
 * reading fake meters on a socat pseudo-terminal bus. The installer adds, edits and removes a
 * device through REST and the gateway follows; a configuration it cannot run is refused with a
 * reason; every command gets its result (REST and Socket.IO), a timeout, and an audit entry.
 */
import { SerialPort } from 'serialport';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '@anxin/devices';
import type {
  AuditListResponse,
  ClientToServerEvents,
  GatewayCommandDto,
  GatewayCommandResponse,
  GatewayControlDto,
  GatewayControlResponse,
  ServerToClientEvents,
} from '@anxin/protocol';
import { seedDemo } from '../hub/src/care/seed.js';
import { callApi, login, startHub, type RunningHub } from '../hub/src/testing/harness.js';
import { claimedGateway } from '../hub/src/testing/claim.js';
import { createGateway, type Gateway } from '../gateway/src/gateway.js';
import { FAKE_DRIVERS } from '../gateway/src/test-support/fake-drivers.js';
import { openPtyPair, type PtyPair } from '../gateway/src/test-support/pty.js';
import { silentLogger, tempDir, testConfig } from '../gateway/src/test-support/util.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-ctl-1';
let h: RunningHub;
let admin: string;
let installer: string;
let other: string;
let gateway: Gateway;
let pty: PtyPair;
let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
const pushedCommands: GatewayCommandDto[] = [];
const pushedControl: GatewayControlDto[] = [];
const asked: number[] = [];
const cleanups: (() => Promise<void> | void)[] = [];

const api = (who: string, method: string, path: string, body?: unknown) =>
  callApi(h.httpUrl, who, method, path, body);

async function command(name: string, args?: Record<string, unknown>, timeoutS?: number) {
  const sent = await api(installer, 'POST', `/api/v1/gateways/${GW}/commands`, {
    name,
    ...(args ? { args } : {}),
    ...(timeoutS ? { timeoutS } : {}),
  });
  expect(sent.status).toBe(202);
  const { command: c } = sent.body as GatewayCommandResponse;
  expect(c).toMatchObject({ name, status: 'pending', gatewayId: GW, requestedBy: 'installer' });
  return waitFor(
    `${name} answered`,
    async () => {
      const read = await api(installer, 'GET', `/api/v1/gateways/${GW}/commands/${c.id}`);
      const dto = (read.body as GatewayCommandResponse).command;
      return dto.status === 'pending' ? undefined : dto;
    },
    20_000,
  );
}

const control = async () =>
  (await api(installer, 'GET', `/api/v1/gateways/${GW}/control`)).body as GatewayControlResponse;

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  const pw = (u: string) => logins.find((l) => l.username === u)!.password;
  admin = await login(h.httpUrl, 'admin', pw('admin'));
  installer = await login(h.httpUrl, 'installer', pw('installer'));
  await api(admin, 'POST', '/api/v1/users', {
    username: 'inst-x',
    role: 'installer',
    password: 'inst-x-password',
  });
  other = await login(h.httpUrl, 'inst-x', 'inst-x-password');
  // The gateway's own credentials, picked up over the claim channel (zero-touch claim).
  const credentials = await claimedGateway(h.httpUrl, api, { admin, installer }, GW, 'home-0001');

  // A bus of fake meters on a pseudo-terminal: `Q<addr>` is answered `R<addr>=<addr * 100>`.
  pty = await openPtyPair();
  cleanups.push(() => pty.close());
  const bus = new SerialPort({ path: pty.deviceSide, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => bus.open((e) => (e ? reject(e) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => bus.close(() => resolve())));
  let buffer = '';
  bus.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const addr = Number(/^Q(\d+)$/.exec(line)?.[1] ?? NaN);
      if (Number.isNaN(addr)) continue;
      asked.push(addr);
      bus.write(`R${addr}=${addr * 100}\n`);
    }
  });

  const dir = tempDir();
  cleanups.push(() => dir.remove());
  gateway = createGateway(
    testConfig({
      gatewayId: GW,
      dataDir: dir.path,
      hub: { url: h.mqttUrl, password: credentials.password },
      reconnect: { minMs: 50, maxMs: 500 },
      bus: { turnaroundMs: 5 },
    }),
    { logger: silentLogger(), drivers: [...DRIVERS, ...FAKE_DRIVERS] },
  );
  cleanups.push(() => gateway.stop());
  await gateway.start();

  socket = connectSocket(h.httpUrl, {
    extraHeaders: { cookie: installer },
    transports: ['websocket'],
  });
  socket.on('gateway:command', (c) => pushedCommands.push(c));
  socket.on('gateway:control', (c) => pushedControl.push(c));
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
}, 60_000);

afterAll(async () => {
  socket?.close();
  for (const c of cleanups.reverse()) await c();
  await h?.close();
});

describe('configuration through the installer REST API', () => {
  it('the gateway starts, changes and stops reading a device as the installer edits it', async () => {
    const add = await api(installer, 'POST', `/api/v1/gateways/${GW}/devices`, {
      id: 'meter-1',
      driver: 'fake-poll',
      kind: 'electricity_meter',
      port: pty.gatewaySide,
      options: { address: 1, intervalMs: 200 },
    });
    expect(add.status).toBe(201);
    await waitFor('meter-1 read', () => (asked.includes(1) ? true : undefined));
    await waitFor('v2 applied', async () => {
      const c = await control();
      return c.control.state === 'applied' && c.control.appliedVersion === 2 ? c : undefined;
    });
    expect(pushedControl.some((c) => c.appliedVersion === 2 && c.state === 'applied')).toBe(true);

    const edit = await api(installer, 'PATCH', `/api/v1/gateways/${GW}/devices/meter-1`, {
      options: { address: 7, intervalMs: 200 },
    });
    expect(edit.status).toBe(200);
    await waitFor('meter-1 at address 7', () => (asked.includes(7) ? true : undefined));
    const del = await api(installer, 'DELETE', `/api/v1/gateways/${GW}/devices/meter-1`);
    expect(del.status).toBe(204);
    await waitFor('v4 applied', async () =>
      (await control()).control.appliedVersion === 4 ? true : undefined,
    );
    const count = asked.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(asked.length).toBe(count); // nothing polls a removed meter
    expect(gateway.health().ports).toEqual([]); // its port is closed
  });

  it('a configuration the gateway cannot run is refused with a reason; the last good one runs', async () => {
    await api(installer, 'POST', `/api/v1/gateways/${GW}/devices`, {
      id: 'meter-2',
      driver: 'fake-poll',
      kind: 'electricity_meter',
      port: pty.gatewaySide,
      options: { address: 2, intervalMs: 200 },
    });
    await waitFor('v5 applied', async () =>
      (await control()).control.appliedVersion === 5 ? true : undefined,
    );
    await api(installer, 'POST', `/api/v1/gateways/${GW}/devices`, {
      id: 'meter-bad',
      driver: 'dlt645',
      kind: 'electricity_meter',
      port: '/dev/ttyUSB9',
      options: { address: '12' },
    });
    const refused = await waitFor('v6 refused', async () => {
      const c = await control();
      return c.control.state === 'refused' ? c.control : undefined;
    });
    expect(refused).toMatchObject({
      publishedVersion: 6,
      appliedVersion: 5,
      refused: {
        version: 6,
        code: 'INVALID_ADDRESS',
        reason: expect.stringContaining('meter-bad'),
      },
    });
    expect(pushedControl.at(-1)).toMatchObject({ state: 'refused' });
    const before = asked.filter((a) => a === 2).length;
    await waitFor('meter-2 still read', () =>
      asked.filter((a) => a === 2).length > before + 1 ? true : undefined,
    );
    await api(installer, 'DELETE', `/api/v1/gateways/${GW}/devices/meter-bad`);
    await waitFor('v7 applied', async () =>
      (await control()).control.state === 'applied' ? true : undefined,
    );
  });
});

describe('commands', () => {
  it('ping, read a device now, self-test, test mode, time, diagnostics, restart', async () => {
    expect(await command('ping')).toMatchObject({ status: 'succeeded', message: 'pong' });
    const read = await command('read_device', { device_id: 'meter-2' });
    expect(read).toMatchObject({
      status: 'succeeded',
      data: {
        device_id: 'meter-2',
        fresh: true,
        reading: { type: 'telemetry', fields: { energy_kwh: 200 } },
      },
    });
    // The result was pushed to the installer's socket, not only stored.
    await waitFor('read pushed', () =>
      pushedCommands.some((c) => c.id === read.id && c.status === 'succeeded') ? true : undefined,
    );
    expect(
      await command('self_test_start', { device_id: 'meter-2', duration_s: 60 }),
    ).toMatchObject({ status: 'succeeded' });
    await new Promise((r) => setTimeout(r, 500));
    const test = await command('self_test_stop', { device_id: 'meter-2' });
    expect(test).toMatchObject({
      status: 'succeeded',
      data: { device_id: 'meter-2', passed: true },
    });
    expect(Number(test.data?.readings)).toBeGreaterThan(0);
    expect(await command('set_test_mode', { enabled: true })).toMatchObject({
      status: 'succeeded',
      data: { test_mode: true },
    });
    const time = await command('sync_time');
    expect(time).toMatchObject({
      status: 'succeeded',
      data: { clock_set: false, status: 'CLOCK_NOT_SET', events_corrected_ms: 0 },
    });
    expect(Math.abs(Number(time.data?.offset_ms))).toBeLessThan(2000);
    const diag = await command('diagnostics');
    expect(diag).toMatchObject({
      status: 'succeeded',
      data: {
        test_mode: true,
        config: { applied_version: 7 },
        outbox: { alarmDepth: 0 },
        ports: [{ port: pty.gatewaySide, state: 'open' }],
        devices: [{ device_id: 'meter-2', decode_errors: expect.any(Number) }],
      },
    });
    expect(await command('restart_drivers')).toMatchObject({
      status: 'succeeded',
      data: { devices: 1 },
    });
    const opens = gateway.health().ports[0]?.opens;
    expect(opens).toBe(1); // a new transport after the restart, opened once
    expect(await command('read_device', { device_id: 'nope' })).toMatchObject({
      status: 'failed',
      code: 'UNKNOWN_DEVICE',
    });
    expect(await command('self_test_stop', { device_id: 'meter-2' })).toMatchObject({
      status: 'succeeded',
    });
    // Each command and each result is audited.
    const audit = await api(admin, 'GET', `/api/v1/audit?targetId=${GW}&action=gateway.command`);
    expect((audit.body as AuditListResponse).entries.length).toBeGreaterThanOrEqual(9);
    const results = await api(
      admin,
      'GET',
      `/api/v1/audit?targetId=${GW}&action=gateway.command.result`,
    );
    expect((results.body as AuditListResponse).entries.length).toBeGreaterThanOrEqual(9);
  });

  it("shows the gateway's own test flag on its control, pushed as it comes and goes", async () => {
    const on = await command('set_test_mode', { enabled: true, duration_min: 30 });
    const until = new Date(Number(on.data?.test_mode_until)).toISOString();
    const shown = { source: 'command', until };
    // The gateway's next heartbeat says so; once stored, the installers are told.
    await waitFor('test mode pushed', () =>
      pushedControl.some((c) => c.gatewayTestMode?.until === until) ? true : undefined,
    );
    expect(pushedControl.at(-1)).toMatchObject({ gatewayId: GW, gatewayTestMode: shown });
    expect((await control()).control.gatewayTestMode).toEqual(shown);
    const pushes = pushedControl.length;
    expect(await command('set_test_mode', { enabled: false })).toMatchObject({
      status: 'succeeded',
      data: { test_mode: false },
    });
    await waitFor('test mode off pushed', () =>
      pushedControl.slice(pushes).some((c) => c.gatewayTestMode === null) ? true : undefined,
    );
    expect((await control()).control.gatewayTestMode).toBeNull();
  });

  it('refuses unknown commands, bad arguments and gateways out of scope with stable codes', async () => {
    const unknown = await api(installer, 'POST', `/api/v1/gateways/${GW}/commands`, {
      name: 'reboot_into_space',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { code: 'UNKNOWN_COMMAND' } });
    const bad = await api(installer, 'POST', `/api/v1/gateways/${GW}/commands`, {
      name: 'read_device',
      args: { device_id: 'has space' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: { code: 'VALIDATION_FAILED', details: [{ path: '/args' }] },
    });
    const notMine = await api(other, 'POST', `/api/v1/gateways/${GW}/commands`, { name: 'ping' });
    expect(notMine.status).toBe(404);
    expect((await api(other, 'GET', `/api/v1/gateways/${GW}/control`)).status).toBe(404);
  });

  it('marks a command the gateway never answers as timed out', async () => {
    await gateway.stop();
    const timedOut = await command('ping', undefined, 1);
    // Nothing answered it: no answer time, only when the hub stopped waiting.
    expect(timedOut).toMatchObject({ status: 'timed_out', code: 'TIMEOUT', answeredAt: null });
    expect(Date.parse(timedOut.timeoutAt) - Date.parse(timedOut.requestedAt)).toBe(1000);
    await waitFor('timeout pushed', () =>
      pushedCommands.some((c) => c.id === timedOut.id && c.status === 'timed_out')
        ? true
        : undefined,
    );
  });
});
