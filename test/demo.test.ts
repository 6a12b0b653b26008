/**
 * `npm start`'s demo as a user meets it, in real processes: `anxin demo` (hub, one home with its
 * gateway, serial simulators and a simulated Zigbee2MQTT on the home's local broker), then
 * `anxin sim trigger` from another process for the Zigbee SOS button, smoke detector, door
 * contact and bed mat, and an installer adding devices through the REST API — a DL/T 645 meter
 * on a TCP serial port and a Zigbee SOS button — which start reporting within seconds.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANXIN_BIN, spawnAnxin, type AnxinProcess } from './support/anxin-process.js';
import { freePort, waitFor } from './support/ports.js';

const exec = promisify(execFile);

interface Alarm {
  kind: string;
  deviceId: string;
  gatewayId: string;
  triggerCount: number;
}
interface Series {
  deviceId: string;
  field: string;
  points: [number, unknown][];
}

describe('anxin demo with Zigbee devices and installer-added devices', () => {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-demo-'));
  const configFile = join(dir, 'demo.yaml');
  let demo: AnxinProcess;
  let url = '';
  const cookies = new Map<string, string>();

  /** REST as a logged-in user (the demo prints one login per role). */
  async function api<T>(role: string, path: string, body?: unknown): Promise<T> {
    if (!cookies.has(role)) {
      const login = demo.output().match(new RegExp(`Login:\\s+(\\S+) / (\\S+)\\s+\\(${role}\\)`));
      if (!login) throw new Error(`no ${role} login printed:\n${demo.output()}`);
      const res = await fetch(`${url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: login[1], password: login[2] }),
      });
      expect(res.status).toBe(200);
      cookies.set(role, (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '');
    }
    const res = await fetch(`${url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: {
        cookie: cookies.get(role) ?? '',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }

  const trigger = (event: string, device?: string) =>
    exec(
      process.execPath,
      [
        ANXIN_BIN,
        'sim',
        'trigger',
        '--home',
        'home-0001',
        '--event',
        event,
        '--config',
        configFile,
        ...(device ? ['--device', device] : []),
      ],
      { timeout: 30_000 },
    );

  const alarms = async () => (await api<{ alarms: Alarm[] }>('operator', '/api/v1/alarms')).alarms;
  const series = async (fields: string, deviceId: string) =>
    (
      await api<{ series: Series[] }>(
        'installer',
        `/api/v1/homes/home-0001/telemetry?fields=${fields}&deviceId=${deviceId}`,
      )
    ).series;

  beforeAll(async () => {
    writeFileSync(
      configFile,
      [
        `dataDir: ${join(dir, 'data')}`,
        'homes: 1',
        'alarms: { meanIntervalS: 0 }',
        'hub:',
        '  http: { host: 127.0.0.1, port: 0 }',
        '  mqtt: { host: 127.0.0.1, port: 0 }',
        '  log: { level: warn }',
        '',
      ].join('\n'),
    );
    demo = spawnAnxin(['demo', '--config', configFile]);
    const [, consoleUrl] = await demo.waitFor(/Console:\s+(http:\/\/\S+)/, 90_000);
    url = consoleUrl ?? '';
    await demo.waitFor(/Press Ctrl\+C to stop/, 30_000);
  }, 150_000);

  afterAll(async () => {
    expect(await demo.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('lists the Zigbee devices beside the radar and meters', () => {
    expect(demo.output()).toMatch(
      /home-0001 \(radar-bedroom, meter-electric, meter-water, sos-button, smoke-kitchen, door-front, bed-mat\)/,
    );
  });

  it('`anxin sim trigger` acts out sos and smoke: alarms from the Zigbee devices reach the hub', async () => {
    const sos = await trigger('sos');
    expect(sos.stdout).toContain('home-0001: sos-button acted out "sos"');
    await trigger('smoke');
    const raised = await waitFor(
      'SOS and smoke alarms at the hub',
      async () => {
        const list = await alarms();
        const kinds = list.map((a) => `${a.kind}/${a.deviceId}`);
        return kinds.includes('sos/sos-button') && kinds.includes('smoke/smoke-kitchen')
          ? list
          : undefined;
      },
      20_000,
      250,
    );
    expect(raised.every((a) => a.gatewayId === 'home-0001')).toBe(true);
  });

  it('door and bed exit change what the door contact and bed mat report', async () => {
    expect((await trigger('door')).stdout).toContain('door-front acted out "door"');
    expect((await trigger('bed_exit')).stdout).toContain('bed-mat acted out "bed_exit"');
    const last = (s: Series[], device: string, field: string) =>
      s.find((x) => x.deviceId === device && x.field === field)?.points.at(-1)?.[1];
    await waitFor(
      'door open and bed empty in the telemetry',
      async () => {
        const door = await series('contact_closed', 'door-front');
        const bed = await series('bed_occupied', 'bed-mat');
        return last(door, 'door-front', 'contact_closed') === false &&
          last(bed, 'bed-mat', 'bed_occupied') === false
          ? true
          : undefined;
      },
      30_000,
      250,
    );
  }, 90_000);

  it('refuses an event no device in the home can act out, naming the ones that can', async () => {
    const failure = await trigger('earthquake').then(
      () => undefined,
      (err: { code?: number; stderr?: string }) => err,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stderr).toMatch(
      /no device in home-0001 can act out "earthquake"; events: .*sos/,
    );
  });

  it('a meter and a Zigbee button an installer adds start reporting within seconds', async () => {
    const port = await freePort();
    const added = Date.now();
    await api('installer', '/api/v1/gateways/home-0001/devices', {
      id: 'meter-garage',
      driver: 'dlt645',
      kind: 'electricity_meter',
      port: `tcp://127.0.0.1:${port}`,
      options: { address: '000000000077', phases: 3, intervalMs: 1000 },
    });
    await api('installer', '/api/v1/gateways/home-0001/devices', {
      id: 'sos-hall',
      driver: 'zigbee2mqtt',
      kind: 'sos_button',
      options: { friendlyName: 'sos-hall' },
    });
    const points = await waitFor(
      'the new meter reporting all three phases',
      async () => {
        const s = await series('voltage_c_v', 'meter-garage');
        return s[0]?.points.length ? s[0].points : undefined;
      },
      15_000,
      250,
    );
    expect(points[0]![0] - added).toBeLessThan(15_000);
    await demo.waitFor(/simulating sos-hall \(zigbee2mqtt\)/, 10_000);
    // The new button's press joins the home's open SOS alarm (one alarm per home and kind).
    const before = (await alarms()).find((a) => a.kind === 'sos')?.triggerCount ?? 0;
    // Pressed again until the gateway has applied the new configuration: a press before that
    // reaches nobody, as with a real button paired before the gateway knows it.
    await waitFor(
      'the new button at the hub',
      async () => {
        expect((await trigger('sos', 'sos-hall')).stdout).toContain('sos-hall acted out "sos"');
        await new Promise((r) => setTimeout(r, 1000));
        const sos = (await alarms()).find((a) => a.kind === 'sos');
        return sos && sos.triggerCount > before ? sos : undefined;
      },
      20_000,
      0,
    );
  }, 60_000);
});
