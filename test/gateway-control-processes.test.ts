/**
 * The hub manages its gateway (issue 10) with SEPARATE processes: a real `anxin hub` process and a
 * real `anxin gateway` process over TCP, the gateway claimed zero-touch (as in
 * claim-end-to-end.test.ts). An untouched Zigbee device streams a counter through a local broker
 * the whole time, while the installer adds a DL/T 645 meter on a socat pseudo-terminal through
 * REST, edits its address, removes it, and publishes a configuration the gateway must refuse. The
 * gateway process follows each version without a restart (same pid), answers ping and
 * diagnostics, and not one reading of the untouched device is lost.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDlt645Simulator } from '@anxin/devices';
import type {
  CreateGatewayResponse,
  GatewayCommandDto,
  GatewayControlDto,
  GatewayControlResponse,
} from '@anxin/protocol';
import { startBroker, type TestBroker } from '../gateway/src/test-support/broker.js';
import { openPtyPair } from '../gateway/src/test-support/pty.js';
import type { AnxinProcess } from './support/anxin-process.js';
import { runCommand, startClaimedGateway, writeFactoryConfig } from './support/gateway-process.js';
import {
  homeWithInstaller,
  restClient,
  startHubProcess,
  type RestClient,
} from './support/hub-process.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-procs-1';
const METER = { id: 'meter-1', driver: 'dlt645', kind: 'electricity_meter' } as const;
const ADDR_A = '000000000001';
const ADDR_B = '000000000007';

describe('the hub manages a gateway in another process', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-ctl-procs-'));
  const cleanups: (() => Promise<unknown> | void)[] = [];
  let hub: AnxinProcess;
  let gateway: AnxinProcess;
  let httpUrl = '';
  let installer = '';
  let homeId = '';
  let ptyGatewaySide = '';
  /** Answers each meter address gave (so "stopped reading" can be checked at the device). */
  const answers = new Map<string, number>();
  let published = 0;
  let publisher: MqttClient | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastPublish: Promise<void> = Promise.resolve();
  const publishErrors: string[] = [];

  let api: RestClient['api'];

  const control = async () =>
    (await api<GatewayControlResponse>(installer, 'GET', `/gateways/${GW}/control`)).body.control;

  /** Waits until the gateway reports it runs the newest version the hub published. */
  const applied = (what: string): Promise<GatewayControlDto> =>
    waitFor(
      what,
      async () => {
        const c = await control();
        return c.state === 'applied' && c.appliedVersion === c.publishedVersion ? c : undefined;
      },
      60_000,
      250,
    );

  const series = async (deviceId: string, field: string) => {
    const res = await api<{ series: { field: string; points: [number, unknown][] }[] }>(
      installer,
      'GET',
      `/homes/${homeId}/telemetry?fields=${field}&deviceId=${deviceId}&maxPoints=5000`,
    );
    expect(res.status).toBe(200);
    return res.body.series.find((s) => s.field === field)?.points.map((p) => Number(p[1])) ?? [];
  };

  const command = (name: 'ping' | 'diagnostics'): Promise<GatewayCommandDto> =>
    runCommand(api, installer, GW, { name }, 60_000);

  beforeAll(async () => {
    // The hub, in its own process; a home with its installer; the box from the factory's list.
    const started = await startHubProcess(dir);
    hub = started.process;
    cleanups.push(() => hub.stop());
    httpUrl = started.httpUrl;
    const rest = restClient(httpUrl);
    api = rest.api;
    const admin = await rest.login('admin', started.adminPassword);
    ({ homeId, installerCookie: installer } = await homeWithInstaller(rest, admin, 'Process', {
      username: 'fitter',
      password: 'fitter-password',
    }));
    const created = await api<CreateGatewayResponse>(admin, 'POST', '/gateways', { id: GW });
    expect(created.status).toBe(201);

    // The home's Zigbee2MQTT broker, and a pseudo-terminal bus with two DL/T 645 meters on it.
    const local: TestBroker = await startBroker();
    cleanups.push(() => local.stop());
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    ptyGatewaySide = pty.gatewaySide;
    const bus = new SerialPort({ path: pty.deviceSide, baudRate: 2400, autoOpen: false });
    await new Promise<void>((resolve, reject) => bus.open((e) => (e ? reject(e) : resolve())));
    cleanups.push(() => new Promise<void>((resolve) => bus.close(() => resolve())));
    const meters = [
      createDlt645Simulator({ address: ADDR_A, energyKwh: 1000 }),
      createDlt645Simulator({ address: ADDR_B, energyKwh: 7000 }),
    ];
    for (const m of meters) {
      m.onTransmit((bytes) => {
        answers.set(m.address, (answers.get(m.address) ?? 0) + 1);
        bus.write(Buffer.from(bytes));
      });
    }
    bus.on('data', (chunk: Buffer) => {
      for (const m of meters) m.receive(new Uint8Array(chunk));
    });

    // The gateway, in its own process, with only what the factory wrote (and the local broker).
    const box = { gatewayId: GW, claimCode: created.body.claimCode };
    const config = writeFactoryConfig(dir, 'box', {
      ...box,
      hubUrl: httpUrl,
      extraYaml: [`localMqtt: { url: "${local.url}" }`],
    });
    gateway = await startClaimedGateway(api, installer, homeId, config, box);
    cleanups.push(() => gateway.stop());

    // The untouched device: a Zigbee sensor whose temperature counts 0.1, 0.2, 0.3, … (so a lost
    // reading shows as a gap at the hub).
    publisher = await connectAsync(local.url, { reconnectPeriod: 0 });
    const client = publisher;
    cleanups.push(() => client.endAsync());
    timer = setInterval(() => {
      published += 1;
      const payload = JSON.stringify({ temperature: published / 10 });
      lastPublish = client.publishAsync('zigbee2mqtt/climate-1', payload, { qos: 1 }).then(
        () => undefined,
        (err: Error) => {
          publishErrors.push(err.message);
        },
      );
    }, 150);
    cleanups.push(() => clearInterval(timer));
  }, 180_000);

  afterAll(async () => {
    // Everything started above is stopped, also when a step failed.
    for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('follows every configuration version and answers commands, without a restart or a lost reading', async () => {
    const pid = gateway.child.pid;
    expect(pid).toBeGreaterThan(0);

    // Version N: the untouched Zigbee device, streaming.
    const zigbee = await api(installer, 'POST', `/gateways/${GW}/devices`, {
      id: 'climate-1',
      driver: 'zigbee2mqtt',
      kind: 'other',
      options: { friendlyName: 'climate-1' },
    });
    expect(zigbee.status).toBe(201);
    const n = (await applied('the Zigbee device applied')).appliedVersion ?? 0;
    await waitFor(
      'the Zigbee device streaming to the hub',
      async () => ((await series('climate-1', 'temperature_c')).length >= 5 ? true : undefined),
      60_000,
      250,
    );

    // N+1: a meter on the pseudo-terminal; the gateway starts reading it (energy at the hub).
    const add = await api(installer, 'POST', `/gateways/${GW}/devices`, {
      ...METER,
      port: ptyGatewaySide,
      options: { address: ADDR_A, items: '00010000', intervalMs: 1000 },
    });
    expect(add.status).toBe(201);
    expect((await applied('meter added')).appliedVersion).toBe(n + 1);
    await waitFor(
      'the meter at address 1 read',
      async () => ((await series(METER.id, 'energy_kwh')).some((v) => v < 2000) ? true : undefined),
      60_000,
      250,
    );

    // N+2: its address changes; the gateway reads the meter now at that address.
    const edit = await api(installer, 'PATCH', `/gateways/${GW}/devices/${METER.id}`, {
      options: { address: ADDR_B, items: '00010000', intervalMs: 1000 },
    });
    expect(edit.status).toBe(200);
    expect((await applied('meter edited')).appliedVersion).toBe(n + 2);
    await waitFor(
      'the meter at address 7 read',
      async () => ((await series(METER.id, 'energy_kwh')).some((v) => v > 6000) ? true : undefined),
      60_000,
      250,
    );

    // N+3: removed; the gateway stops asking the meter.
    expect((await api(installer, 'DELETE', `/gateways/${GW}/devices/${METER.id}`)).status).toBe(
      204,
    );
    expect((await applied('meter removed')).appliedVersion).toBe(n + 3);
    const asked = answers.get(ADDR_B) ?? 0;
    expect(asked).toBeGreaterThan(0);
    // Three poll intervals of silence: a poll still running would have been answered.
    await new Promise((r) => setTimeout(r, 3000));
    expect(answers.get(ADDR_B) ?? 0).toBe(asked);

    // N+4: a meter address the gateway cannot use — refused with its reason; N+3 keeps running.
    await api(installer, 'POST', `/gateways/${GW}/devices`, {
      ...METER,
      id: 'meter-bad',
      port: ptyGatewaySide,
      options: { address: '12' },
    });
    const refused = await waitFor(
      'N+4 refused',
      async () => {
        const c = await control();
        return c.state === 'refused' ? c : undefined;
      },
      60_000,
      250,
    );
    expect(refused).toMatchObject({
      publishedVersion: n + 4,
      appliedVersion: n + 3,
      refused: {
        version: n + 4,
        code: 'INVALID_ADDRESS',
        reason: expect.stringContaining('meter-bad'),
      },
    });

    // Commands through REST, answered by the gateway process.
    expect(await command('ping')).toMatchObject({ status: 'succeeded', message: 'pong' });
    const diag = await command('diagnostics');
    expect(diag).toMatchObject({
      status: 'succeeded',
      data: { config: { applied_version: n + 3 }, outbox: { alarmDepth: 0 } },
    });

    // The untouched device never missed a reading: stop it, wait for its last one, no gap.
    clearInterval(timer);
    await lastPublish;
    expect(publishErrors).toEqual([]);
    const last = published;
    const values = await waitFor(
      'the last Zigbee reading at the hub',
      async () => {
        const v = (await series('climate-1', 'temperature_c')).map((t) => Math.round(t * 10));
        return v.at(-1) === last ? v : undefined;
      },
      60_000,
      250,
    );
    const first = values[0] ?? 0;
    expect(values.length).toBeGreaterThan(20);
    expect(values).toEqual(values.map((_, i) => first + i));

    // One gateway process all along.
    expect(gateway.child.pid).toBe(pid);
    expect(gateway.child.exitCode).toBeNull();
    // …and one gateway inside it: it started running with its credentials once, never again.
    expect(gateway.output().match(/gateway running with its own credentials/g)).toHaveLength(1);
  }, 300_000);
});
