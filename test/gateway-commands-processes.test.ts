/**
 * Every gateway command end to end with real processes (issue 10): an `anxin hub` process and an
 * `anxin gateway` process over TCP, the gateway claimed zero-touch and reading a DL/T 645 meter
 * simulator on a pseudo-terminal bus. The installer sends each command through the hub's REST API
 * and gets the gateway's real answer: the meter's register read now, a self-test that saw the
 * reading, the test-mode window, the clock offset, diagnostics with the outbox, the port and the
 * decode errors of a garbled answer, restarted drivers reading again. What the user gets for an
 * unknown command or an argument out of range, and for a gateway that is gone (timed out, never
 * answered); every command audited.
 *
 * The hub never sends a command it does not know, so the gateway's own UNKNOWN_COMMAND and
 * ARG_OUT_OF_RANGE answers are reachable only over MQTT: the last part plays a newer hub on a
 * real broker against a gateway process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDlt645Simulator } from '@anxin/devices';
import {
  decodeUplink,
  downlinkTopic,
  uplinkTopic,
  type AuditListResponse,
  type CommandResult,
  type CreateGatewayResponse,
  type GatewayCommandDto,
  type GatewayControlResponse,
  type SendCommandRequest,
} from '@anxin/protocol';
import { startBroker } from '../gateway/src/test-support/broker.js';
import type { Cleanups } from '../gateway/src/test-support/managed.js';
import { openMeterBus } from '../gateway/src/test-support/meter-bus.js';
import { spawnAnxin, type AnxinProcess } from './support/anxin-process.js';
import { runCommand, startClaimedGateway, writeFactoryConfig } from './support/gateway-process.js';
import {
  homeWithInstaller,
  restClient,
  startHubProcess,
  type RestClient,
} from './support/hub-process.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-cmds-1';
const METER = 'meter-1';
const ADDR = '000000000003';

const dir = mkdtempSync(join(tmpdir(), 'anxin-cmds-procs-'));
const cleanups: Cleanups = [];
afterAll(async () => {
  // Everything started is stopped, also when a step failed; last started first.
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('every command through the hub, answered by a gateway process', () => {
  const meter = createDlt645Simulator({ address: ADDR, energyKwh: 4321 });
  /** Noise on the bus while set: the meter's answers arrive with a broken checksum. */
  let noisy = false;
  let answers = 0;
  let gateway: AnxinProcess;
  let api: RestClient['api'];
  let admin = '';
  let installer = '';
  let ptyPath = '';
  /** Ids of the commands the hub accepted (202), to match against the audit log. */
  const sent: string[] = [];

  const command = async (request: SendCommandRequest): Promise<GatewayCommandDto> => {
    const answered = await runCommand(api, installer, GW, request);
    sent.push(answered.id);
    return answered;
  };
  /** A command the hub refuses before it reaches the gateway: status and error code. */
  const refused = async (request: unknown) => {
    const res = await api<{ error: { code: string } }>(
      installer,
      'POST',
      `/gateways/${GW}/commands`,
      request,
    );
    return { status: res.status, code: res.body.error.code };
  };

  beforeAll(async () => {
    const started = await startHubProcess(dir);
    cleanups.push(async () => void (await started.process.stop()));
    const rest = restClient(started.httpUrl);
    api = rest.api;
    admin = await rest.login('admin', started.adminPassword);
    let homeId = '';
    ({ homeId, installerCookie: installer } = await homeWithInstaller(rest, admin, 'Commands', {
      username: 'fitter',
      password: 'fitter-password',
    }));
    const created = await api<CreateGatewayResponse>(admin, 'POST', '/gateways', { id: GW });
    expect(created.status).toBe(201);

    meter.onTransmit(() => (answers += 1));
    ptyPath = (await openMeterBus(cleanups, [meter], () => noisy)).gatewaySide;
    const box = { gatewayId: GW, claimCode: created.body.claimCode };
    const config = writeFactoryConfig(dir, 'box', { ...box, hubUrl: started.httpUrl });
    gateway = await startClaimedGateway(api, installer, homeId, config, box);
    cleanups.push(async () => void (await gateway.stop()));

    // The meter, polled once a minute: a value within the test comes from a read-now.
    const add = await api(installer, 'POST', `/gateways/${GW}/devices`, {
      id: METER,
      driver: 'dlt645',
      kind: 'electricity_meter',
      port: ptyPath,
      options: { address: ADDR, items: '00010000', intervalMs: 60_000 },
    });
    expect(add.status).toBe(201);
    await waitFor(
      'the meter configuration applied',
      async () => {
        const { control } = (
          await api<GatewayControlResponse>(installer, 'GET', `/gateways/${GW}/control`)
        ).body;
        return control.state === 'applied' && control.appliedVersion === control.publishedVersion
          ? true
          : undefined;
      },
      30_000,
      100,
    );
  }, 120_000);

  it('answers each command with its real result', async () => {
    expect(await command({ name: 'ping' })).toMatchObject({
      status: 'succeeded',
      message: 'pong',
      data: { software_version: expect.any(String) },
    });

    // Read now: the register the meter holds at this moment, asked on the bus for this command.
    const asked = answers;
    const read = await command({ name: 'read_device', args: { device_id: METER } });
    expect(read).toMatchObject({
      status: 'succeeded',
      message: 'read now',
      data: { device_id: METER, fresh: true, reading: { type: 'telemetry' } },
    });
    expect(answers).toBeGreaterThan(asked);
    const fields = (read.data?.reading as { fields: { energy_kwh: number } }).fields;
    expect(fields.energy_kwh).toBeCloseTo(meter.energy(), 1);

    // A self-test sees the readings made while it runs.
    expect(
      await command({ name: 'self_test_start', args: { device_id: METER, duration_s: 60 } }),
    ).toMatchObject({ status: 'succeeded', data: { device_id: METER, duration_s: 60 } });
    expect(await command({ name: 'read_device', args: { device_id: METER } })).toMatchObject({
      data: { fresh: true },
    });
    const test = await command({ name: 'self_test_stop', args: { device_id: METER } });
    expect(test).toMatchObject({ status: 'succeeded', data: { device_id: METER, passed: true } });
    expect(Number(test.data?.readings)).toBeGreaterThanOrEqual(1);
    // Asked again (the installer's screen polling), the same finished report.
    const again = await command({ name: 'self_test_stop', args: { device_id: METER } });
    expect(again.data).toEqual(test.data);

    // Test mode for a bounded window, then off; a window past 24 h is refused at the hub.
    const on = await command({ name: 'set_test_mode', args: { enabled: true, duration_min: 5 } });
    expect(on).toMatchObject({
      status: 'succeeded',
      data: { test_mode: true, test_mode_source: 'command', duration_min: 5 },
    });
    expect(Number(on.data?.test_mode_until) - Date.now()).toBeGreaterThan(4 * 60_000);
    expect(Number(on.data?.test_mode_until) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    for (const duration_min of [0, 1441])
      expect(
        await refused({ name: 'set_test_mode', args: { enabled: true, duration_min } }),
      ).toEqual({ status: 400, code: 'ARG_OUT_OF_RANGE' });

    // The clock: measured against the hub's stamp; the system clock is left to NTP by default.
    const time = await command({ name: 'sync_time' });
    expect(time).toMatchObject({
      status: 'succeeded',
      data: { clock_set: false, status: 'CLOCK_NOT_SET', events_corrected_ms: 0 },
    });
    expect(Math.abs(Number(time.data?.offset_ms))).toBeLessThan(5000);

    // A garbled answer on the bus: nothing fresh to show, and the decoder counted it.
    noisy = true;
    const garbled = await command({ name: 'read_device', args: { device_id: METER } });
    noisy = false;
    expect(garbled).toMatchObject({ status: 'succeeded', data: { fresh: false } });
    const diag = await command({ name: 'diagnostics' });
    expect(diag).toMatchObject({
      status: 'succeeded',
      data: {
        test_mode: true,
        config: { applied_version: expect.any(Number), refused: null },
        outbox: { alarmDepth: 0, telemetryDepth: expect.any(Number) },
        uplink: { connected: true },
        ports: [{ port: ptyPath, state: 'open', failures: 0 }],
        devices: [{ device_id: METER, driver: 'dlt645', online: true }],
      },
    });
    const [device] = diag.data?.devices as { decode_errors: number; frames_ok: number }[];
    expect(device?.decode_errors).toBeGreaterThanOrEqual(1);
    expect(device?.frames_ok).toBeGreaterThanOrEqual(2);

    expect(await command({ name: 'set_test_mode', args: { enabled: false } })).toMatchObject({
      status: 'succeeded',
      data: { test_mode: false, test_mode_until: null },
    });

    // Restarted drivers read the meter again.
    expect(await command({ name: 'restart_drivers' })).toMatchObject({
      status: 'succeeded',
      data: { devices: 1 },
    });
    expect(await command({ name: 'read_device', args: { device_id: METER } })).toMatchObject({
      status: 'succeeded',
      data: { fresh: true },
    });
    expect(await command({ name: 'read_device', args: { device_id: 'meter-9' } })).toMatchObject({
      status: 'failed',
      code: 'UNKNOWN_DEVICE',
    });
  }, 60_000);

  it('refuses an unknown command and bad arguments before they reach the gateway', async () => {
    expect(await refused({ name: 'reboot_into_space' })).toEqual({
      status: 400,
      code: 'UNKNOWN_COMMAND',
    });
    expect(await refused({ name: 'Not A Name!' })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await refused({ name: 'read_device', args: { device_id: 'has space' } })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
    expect(await refused({ name: 'ping', timeoutS: 0 })).toEqual({
      status: 400,
      code: 'VALIDATION_FAILED',
    });
  });

  it('a command to a gateway that is gone times out, with no answer recorded; all audited', async () => {
    await gateway.stop();
    const timedOut = await command({ name: 'ping', timeoutS: 1 });
    expect(timedOut).toMatchObject({
      status: 'timed_out',
      code: 'TIMEOUT',
      message: 'the gateway did not answer in time',
      answeredAt: null,
      data: null,
    });
    expect(Date.parse(timedOut.timeoutAt) - Date.parse(timedOut.requestedAt)).toBe(1000);

    // One audit entry per command the hub accepted (none for the refused ones), and its result.
    const audit = async (action: string) =>
      (
        await api<AuditListResponse>(
          admin,
          'GET',
          `/audit?targetId=${GW}&action=${action}&limit=200`,
        )
      ).body.entries;
    const requested = await audit('gateway.command');
    expect(requested.map((e) => (e.detail as { id: string }).id).sort()).toEqual([...sent].sort());
    expect(requested.every((e) => e.username === 'fitter')).toBe(true);
    const results = await waitFor('every result audited', async () => {
      const entries = await audit('gateway.command.result');
      return entries.length === sent.length ? entries : undefined;
    });
    expect(results.find((e) => (e.detail as { id: string }).id === timedOut.id)?.detail).toEqual({
      id: timedOut.id,
      name: 'ping',
      status: 'timed_out',
      code: 'TIMEOUT',
    });
  }, 30_000);
});

describe("the gateway process's own refusals, from a newer hub over a real broker", () => {
  it('answers a command it does not know UNKNOWN_COMMAND, an argument out of range ARG_OUT_OF_RANGE', async () => {
    const broker = await startBroker();
    cleanups.push(() => broker.stop());
    const hub = await connectAsync(broker.url, { reconnectPeriod: 0 });
    cleanups.push(async () => void (await hub.endAsync()));
    const results: CommandResult[] = [];
    hub.on('message', (_topic, payload) => {
      const parsed = decodeUplink('cmd-result', payload);
      if (parsed.ok) results.push(parsed.value);
    });
    await hub.subscribeAsync(uplinkTopic('gw-raw', 'cmd-result'), { qos: 1 });
    await hub.subscribeAsync(uplinkTopic('gw-raw', 'heartbeat'), { qos: 0 });
    const heartbeat = new Promise<void>((resolve) => hub.once('message', () => resolve()));

    // A gateway not managed through a claim: its file names the broker.
    const file = join(dir, 'raw.yaml');
    writeFileSync(
      file,
      [
        'gatewayId: gw-raw',
        `dataDir: ${join(dir, 'raw')}`,
        'heartbeatIntervalS: 1',
        `hub: { url: "${broker.url}" }`,
        'log: { level: warn }',
      ].join('\n'),
    );
    const gateway = spawnAnxin(['gateway', '--config', file]);
    cleanups.push(async () => void (await gateway.stop()));
    await heartbeat;

    const send = (id: string, name: string, args?: Record<string, number | boolean>) =>
      hub.publishAsync(
        downlinkTopic('gw-raw', 'cmd'),
        JSON.stringify({ v: 1, id, name, ...(args ? { args } : {}) }),
        { qos: 1 },
      );
    await send('c-unknown', 'reboot_into_space');
    await send('c-range', 'set_test_mode', { enabled: true, duration_min: 1441 });
    await send('c-ping', 'ping');
    await waitFor('three answers', () => (results.length >= 3 ? true : undefined), 20_000);
    const byId = new Map(results.map((r) => [r.id, r]));
    expect(byId.get('c-unknown')).toMatchObject({
      ok: false,
      code: 'UNKNOWN_COMMAND',
      message: 'unknown command "reboot_into_space"',
    });
    expect(byId.get('c-range')).toMatchObject({ ok: false, code: 'ARG_OUT_OF_RANGE' });
    expect(byId.get('c-ping')).toMatchObject({ ok: true, message: 'pong' });
    expect(results).toHaveLength(3);
  }, 30_000);
});
