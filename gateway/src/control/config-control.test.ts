/**
 * Configuration applied at runtime (issue 10), with real parts: a real MQTT broker over TCP, the
 * gateway's real serial transport on socat pseudo-terminals, the fake line-protocol drivers.
 * The configuration messages are the hub's shape (GatewayConfigMessage) through the contract.
 */
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type ConfigState,
  type GatewayConfigDevice,
  type GatewayConfigMessage,
  type Heartbeat,
  type TelemetryEvent,
} from '@anxin/protocol';
import type { Gateway } from '../gateway.js';
import { FAKE_DRIVERS } from '../test-support/fake-drivers.js';
import {
  gatewayOnDisk,
  hubConfig,
  publishHubConfig,
  startHubSide,
  type Cleanups,
} from '../test-support/managed.js';
import { openPtyPair } from '../test-support/pty.js';
import { sleep, waitFor } from '../test-support/util.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const GW = 'gw-ctl';

const configMessage = (
  version: number,
  devices: GatewayConfigDevice[],
  extra: Partial<GatewayConfigMessage> = {},
): GatewayConfigMessage =>
  hubConfig(GW, version, devices, { thresholds: { battery_low_pct: 20 }, ...extra });

async function openDeviceEnd(path: string): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate: 9600, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(
    () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  );
  return port;
}

/** A bus of fake meters: answers `Q<addr>` with `R<addr>=<addr * 100>` for the addresses present. */
async function meterBus(path: string, present: Set<number>) {
  const port = await openDeviceEnd(path);
  const asked: { addr: number; at: number }[] = [];
  let buffer = '';
  port.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('latin1');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const addr = Number(/^Q(\d+)$/.exec(line)?.[1] ?? NaN);
      if (Number.isNaN(addr)) continue;
      asked.push({ addr, at: Date.now() });
      if (present.has(addr)) port.write(`R${addr}=${addr * 100}\n`);
    }
  });
  return { asked };
}

/** A radar streaming `T <n>` every 50 ms with n = 1, 2, 3, … (so a lost reading shows as a gap). */
async function streamingRadar(path: string) {
  const port = await openDeviceEnd(path);
  let n = 0;
  const timer = setInterval(() => {
    n += 1;
    port.write(`T ${n}\n`);
  }, 50);
  cleanups.push(() => clearInterval(timer));
  return { sent: () => n };
}

async function setup() {
  const { broker, hub } = await startHubSide(cleanups);
  const { dir, make } = gatewayOnDisk(
    GW,
    broker.url,
    cleanups,
    { reconnect: { minMs: 50, maxMs: 200 }, bus: { turnaroundMs: 5 }, devices: [] },
    { drivers: FAKE_DRIVERS },
  );
  const publishConfig = (message: GatewayConfigMessage | string | Buffer) =>
    publishHubConfig(hub, GW, message);
  const states = () =>
    hub.messages
      .filter((m) => m.topic.endsWith('/up/config-state'))
      .map((m) => JSON.parse(m.payload) as ConfigState);
  const telemetry = (deviceId: string) =>
    (hub.events('telemetry') as TelemetryEvent[]).filter((e) => e.deviceId === deviceId);
  return { hub, make, publishConfig, states, telemetry, dir };
}

const portOf = (g: Gateway, path: string) => g.health().ports.find((p) => p.port === path);

describe('configuration from the hub, applied at runtime', () => {
  it('adds, changes and removes devices without touching the others, refuses what cannot run, and keeps the applied version across a restart', async () => {
    const radarPty = await openPtyPair();
    cleanups.push(() => radarPty.close());
    const busPty = await openPtyPair();
    cleanups.push(() => busPty.close());
    const { hub, make, publishConfig, states, telemetry } = await setup();
    const gateway = make();
    await gateway.start();
    await waitFor(() => gateway.health().connected, 'connected');

    const radar: GatewayConfigDevice = {
      id: 'radar',
      driver: 'fake-stream',
      port: radarPty.gatewaySide,
      options: {},
      expectedIntervalS: 5,
    };
    const m1: GatewayConfigDevice = {
      id: 'm1',
      driver: 'fake-poll',
      port: busPty.gatewaySide,
      options: { address: 1, intervalMs: 200 },
    };
    const m2: GatewayConfigDevice = { ...m1, id: 'm2', options: { address: 2, intervalMs: 200 } };

    // v1: a radar and one meter, from nothing (the file had no devices).
    await publishConfig(configMessage(1, [radar, m1]));
    await waitFor(() => portOf(gateway, radarPty.gatewaySide)?.state === 'open', 'radar port');
    const present = new Set([1, 2, 3]);
    const bus = await meterBus(busPty.deviceSide, present);
    const stream = await streamingRadar(radarPty.deviceSide);
    await waitFor(
      () => telemetry('m1').length >= 2 && telemetry('radar').length >= 5,
      'v1 readings',
    );
    expect(states().at(-1)).toMatchObject({ appliedVersion: 1 });
    expect(gateway.health().control).toMatchObject({ appliedVersion: 1, source: 'hub' });

    // v2: a second meter on the same bus, and a faster heartbeat: nothing else is touched.
    await publishConfig(configMessage(2, [radar, m1, m2], { heartbeatIntervalS: 1 }));
    await waitFor(() => telemetry('m2').length >= 2, 'm2 read');
    // v3: m2's address changes; v4: the radar's expected interval only (supervision, no restart).
    await publishConfig(
      configMessage(3, [radar, m1, { ...m2, options: { address: 3, intervalMs: 200 } }]),
    );
    await waitFor(
      () => telemetry('m2').some((e) => e.fields.energy_kwh === 300),
      'm2 at address 3',
    );
    await publishConfig(configMessage(4, [{ ...radar, expectedIntervalS: 60 }, m1]));
    await waitFor(() => states().at(-1)?.appliedVersion === 4, 'v4 applied');
    const removedAt = Date.now();
    await sleep(600);
    expect(bus.asked.filter((q) => q.addr === 3 && q.at > removedAt + 100)).toEqual([]);
    expect(bus.asked.filter((q) => q.addr === 1 && q.at > removedAt + 100).length).toBeGreaterThan(
      0,
    );

    // Both ports were opened once: neither the radar's stream nor the bus was restarted.
    expect(portOf(gateway, radarPty.gatewaySide)?.opens).toBe(1);
    expect(portOf(gateway, busPty.gatewaySide)?.opens).toBe(1);
    expect(gateway.health().devices.find((d) => d.deviceId === 'radar')?.framesOk).toBeGreaterThan(
      10,
    );
    // No reading of the untouched radar was lost: T 1, 2, 3, … arrived without a gap.
    const values = telemetry('radar').map((e) => Number(e.fields.temperature_c));
    const first = values[0]!;
    expect(values).toEqual(values.map((_, i) => first + i));
    expect(stream.sent()).toBeGreaterThanOrEqual(values.at(-1)!);
    // The meter kept its cadence through four changes.
    const m1Times = telemetry('m1').map((e) => e.observedAt);
    for (let i = 1; i < m1Times.length; i++)
      expect(m1Times[i]! - m1Times[i - 1]!).toBeLessThan(1000);
    // The heartbeat reports the version, at the interval v2 set (1 s).
    await waitFor(
      () =>
        hub.messages.some(
          (m) =>
            m.topic.endsWith('/up/heartbeat') &&
            (JSON.parse(m.payload) as Heartbeat).configVersion === 4,
        ),
      'heartbeat with v4',
    );

    // Refused as a whole, with a reason; v4 keeps running.
    await publishConfig(configMessage(5, [radar, m1, { ...m2, driver: 'no-such-driver' }]));
    await waitFor(() => states().at(-1)?.refused?.version === 5, 'v5 refused');
    expect(states().at(-1)).toMatchObject({
      appliedVersion: 4,
      refused: { version: 5, code: 'UNKNOWN_DRIVER', reason: expect.stringContaining('m2') },
    });
    await publishConfig(
      configMessage(6, [
        radar,
        m1,
        { id: 'radar2', driver: 'fake-stream', port: busPty.gatewaySide, options: {} },
      ]),
    );
    await waitFor(() => states().at(-1)?.refused?.code === 'PORT_CONFLICT', 'v6 port conflict');
    await publishConfig(configMessage(7, [{ ...m1, options: { address: 'x' } }]));
    await waitFor(() => states().at(-1)?.refused?.code === 'INVALID_ADDRESS', 'v7 bad address');
    await publishConfig(configMessage(8, [radar], { gatewayId: 'someone-else' }));
    await waitFor(() => states().at(-1)?.refused?.code === 'WRONG_GATEWAY', 'v8 wrong gateway');
    // Malformed, oversized and old-shaped messages are counted and refused, never applied.
    await publishConfig('{"v":1,');
    await publishConfig(JSON.stringify({ v: 1, version: 9 }));
    await publishConfig(Buffer.alloc(300 * 1024, 0x20));
    await waitFor(
      () => Object.values(gateway.health().uplink.badDownlinks).reduce((a, b) => a + b, 0) >= 3,
      'bad configs counted',
    );
    expect(gateway.health().uplink.badDownlinks).toEqual({
      'config:BAD_JSON': 1,
      'config:SCHEMA': 1,
      'config:TOO_LARGE': 1,
    });
    const count = telemetry('radar').length;
    await waitFor(() => telemetry('radar').length > count + 5, 'radar still streaming');
    expect(gateway.health().control.appliedVersion).toBe(4);

    // The applied version survives a restart: the saved hub configuration runs at once.
    await gateway.stop();
    await publishConfig(Buffer.alloc(0)); // no retained config to re-apply: only the saved one
    const again = make();
    await again.start();
    expect(again.health().control).toMatchObject({ appliedVersion: 4, source: 'hub' });
    expect(
      again
        .health()
        .devices.map((d) => d.deviceId)
        .sort(),
    ).toEqual(['m1', 'radar']);
    await waitFor(() => again.health().connected, 'reconnected');
    await waitFor(
      () => states().at(-1)?.appliedVersion === 4 && states().length > 0,
      'state again',
    );
  });
});
