/**
 * The driver runtime with real transports: socat pseudo-terminal pairs read with `serialport`,
 * a TCP serial server on loopback, and a local aedes broker for MQTT devices. The drivers are
 * small fakes (test-support/fake-drivers.ts); the real ones are tested in devices/.
 */
import { createServer, type Socket } from 'node:net';
import { SerialPort } from 'serialport';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { AlarmEvent, TelemetryEvent } from '@anxin/protocol';
import { createGateway, type Gateway } from '../gateway.js';
import { startBroker } from '../test-support/broker.js';
import { FakeHub } from '../test-support/fake-hub.js';
import { FAKE_DRIVERS } from '../test-support/fake-drivers.js';
import { openPtyPair } from '../test-support/pty.js';
import {
  readOutbox,
  silentLogger,
  sleep,
  tempDir,
  testConfig,
  waitFor,
} from '../test-support/util.js';
import Database from 'better-sqlite3';
import { join } from 'node:path';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Nothing listens on port 1 of loopback: the uplink keeps retrying, harmlessly. */
const NO_HUB = 'mqtt://127.0.0.1:1';

async function gatewayWith(
  input: Record<string, unknown>,
): Promise<{ gateway: Gateway; dataDir: string }> {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const config = testConfig({
    gatewayId: 'gw-drv',
    dataDir: dir.path,
    hub: { url: NO_HUB },
    reconnect: { minMs: 50, maxMs: 200 },
    ...input,
  });
  const gateway = createGateway(config, { logger: silentLogger(), drivers: FAKE_DRIVERS });
  cleanups.push(() => gateway.stop());
  await gateway.start();
  return { gateway, dataDir: dir.path };
}

async function openDeviceEnd(path: string, baudRate: number): Promise<SerialPort> {
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(
    () => new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  );
  return port;
}

function write(port: SerialPort, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    port.write(text, (err) => (err ? reject(err) : port.drain((e) => (e ? reject(e) : resolve()))));
  });
}

function storedEvents(
  dataDir: string,
  lane: 'alarm' | 'telemetry',
): (AlarmEvent | TelemetryEvent)[] {
  const db = new Database(join(dataDir, 'outbox.sqlite'), { readonly: true });
  try {
    return db
      .prepare<[], { body: string }>(`SELECT body FROM ${lane}_outbox ORDER BY seq`)
      .all()
      .map((r) => JSON.parse(r.body) as AlarmEvent | TelemetryEvent);
  } finally {
    db.close();
  }
}

describe('stream devices on a real pseudo-terminal', () => {
  it('decodes bytes read with serialport into events, stamped when the bytes arrived, and delivers them', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const broker = await startBroker();
    cleanups.push(() => broker.stop());
    const hub = await FakeHub.connect(broker.url);
    cleanups.push(() => hub.close());
    hub.policy = { alarm: { mode: 'ignore' }, telemetry: { mode: 'ignore' } };
    const { gateway, dataDir } = await gatewayWith({
      hub: { url: broker.url },
      devices: [
        { id: 'radar1', driver: 'fake-stream', port: pty.gatewaySide, expectedIntervalS: 5 },
      ],
    });
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'port open');
    const device = await openDeviceEnd(pty.deviceSide, 115200);

    const before = Date.now();
    await write(device, 'T 21.5\nzzz\nALA');
    await sleep(50);
    await write(device, 'RM fall\n');
    await waitFor(() => readOutbox(dataDir, 'alarm').length === 1, 'alarm in the outbox');
    const after = Date.now();

    const [telemetry] = storedEvents(dataDir, 'telemetry') as TelemetryEvent[];
    const [alarm] = storedEvents(dataDir, 'alarm') as AlarmEvent[];
    expect(telemetry).toMatchObject({ deviceId: 'radar1', fields: { temperature_c: 21.5 } });
    expect(alarm).toMatchObject({ deviceId: 'radar1', kind: 'fall', action: 'raise' });
    // observedAt is the arrival of the chunk that completed the frame (after the 50 ms gap).
    expect(telemetry!.observedAt).toBeGreaterThanOrEqual(before);
    expect(alarm!.observedAt).toBeGreaterThanOrEqual(before + 40);
    expect(alarm!.observedAt).toBeLessThanOrEqual(after);

    const health = gateway.health().devices.find((d) => d.deviceId === 'radar1')!;
    expect(health).toMatchObject({
      online: true,
      framesOk: 2,
      decodeErrors: 1,
      rejectReasons: { GARBAGE: 1 },
      error: null,
    });
    expect(health.lastSeenAt).toBe(alarm!.observedAt);

    await waitFor(() => hub.events('alarm').length >= 1, 'alarm at the hub');
    expect(hub.events('alarm')[0]).toEqual(alarm);
  });
});

describe('a serial port that goes away', () => {
  it('is reported, retried with backoff, and read again when it comes back under the same path', async () => {
    const dir = tempDir('anxin-pty-');
    cleanups.push(() => dir.remove());
    const links = { gateway: join(dir.path, 'ttyGW'), device: join(dir.path, 'ttyDEV') };
    let pty = await openPtyPair(links);
    const { gateway, dataDir } = await gatewayWith({
      devices: [{ id: 'radar1', driver: 'fake-stream', port: links.gateway }],
    });
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'port open');
    let device = await openDeviceEnd(links.device, 115200);
    await write(device, 'T 1\n');
    await waitFor(() => readOutbox(dataDir, 'telemetry').length === 1, 'first reading');

    // "Unplug": the pty pair disappears.
    await new Promise<void>((resolve) => device.close(() => resolve()));
    await pty.close();
    await waitFor(
      () => (gateway.health().ports[0]?.failures ?? 0) >= 2,
      'failed reopen attempts',
      5000,
    );
    expect(gateway.health().ports[0]!.state).not.toBe('open');
    expect(gateway.health().ports[0]!.lastError).toBeTruthy();

    // "Plug in again" under the same path.
    pty = await openPtyPair(links);
    cleanups.push(() => pty.close());
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'port reopened', 5000);
    device = await openDeviceEnd(links.device, 115200);
    await write(device, 'T 2\n');
    await waitFor(
      () => readOutbox(dataDir, 'telemetry').length === 2,
      'reading after replug',
      5000,
    );
    expect(gateway.health().ports[0]!.opens).toBe(2);
  });
});

describe('polled devices sharing one RS-485 bus', () => {
  it('serialises requests with a turnaround gap, times out and retries silent devices, counts it all', async () => {
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const turnaroundMs = 40;
    const bus = await openDeviceEnd(pty.deviceSide, 9600);
    // The simulated bus: meters 1 and 2 answer after 15 ms, meter 3 is silent.
    const log: { kind: 'req' | 'reply'; addr: number; at: number }[] = [];
    let buffer = '';
    bus.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('latin1');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const addr = Number(/^Q(\d+)$/.exec(line)?.[1] ?? NaN);
        log.push({ kind: 'req', addr, at: Date.now() });
        if (addr === 1 || addr === 2) {
          setTimeout(() => {
            log.push({ kind: 'reply', addr, at: Date.now() });
            bus.write(`R${addr}=${addr * 100}.5\n`);
          }, 15);
        }
      }
    });
    const { gateway, dataDir } = await gatewayWith({
      bus: { turnaroundMs },
      devices: [1, 2, 3].map((address) => ({
        id: `meter${address}`,
        driver: 'fake-poll',
        port: pty.gatewaySide,
        options: { address, intervalMs: 400 },
        pollRetries: 1,
        expectedIntervalS: 2,
      })),
    });
    const meter3 = () => gateway.health().devices.find((d) => d.deviceId === 'meter3')?.poll;
    await waitFor(() => (meter3()?.failures ?? 0) >= 2, 'two failed cycles of meter 3', 8000);

    // Half-duplex: after each request, the next one waits for the reply plus the turnaround gap,
    // or for the 150 ms timeout plus the gap. The test sees bytes a little after the gateway
    // wrote them (more so on a loaded machine), which can only make a request look later, so the
    // reply case is checked tightly; a timeout is measured between two such late observations,
    // so it gets 50 ms of slack (still far from the ~0 ms gap of an unserialised bus).
    const requests = log.filter((e) => e.kind === 'req');
    for (let i = 1; i < requests.length; i += 1) {
      const previous = requests[i - 1]!;
      const reply = log.find(
        (e) => e.kind === 'reply' && e.addr === previous.addr && e.at >= previous.at,
      );
      if (previous.addr !== 3 && reply) {
        expect(requests[i]!.at).toBeGreaterThanOrEqual(reply.at + turnaroundMs - 2);
      } else {
        expect(requests[i]!.at - previous.at).toBeGreaterThanOrEqual(150 + turnaroundMs - 50);
      }
    }

    const devices = Object.fromEntries(gateway.health().devices.map((d) => [d.deviceId, d]));
    expect(devices.meter1!.online).toBe(true);
    expect(devices.meter2!.online).toBe(true);
    expect(devices.meter3!.online).toBe(false);
    expect(devices.meter3!.lastSeenAt).toBeNull();
    const silent = devices.meter3!.poll!;
    expect(silent.timeouts).toBeGreaterThanOrEqual(4);
    expect(silent.retries).toBe(silent.timeouts - silent.failures);
    expect(silent.failures).toBeGreaterThanOrEqual(2);
    expect(silent.replies).toBe(0);
    expect(devices.meter1!.poll!.replies).toBeGreaterThanOrEqual(2);
    expect(devices.meter1!.poll!.timeouts).toBe(0);

    const values = (storedEvents(dataDir, 'telemetry') as TelemetryEvent[]).map(
      (e) => `${e.deviceId}=${String(e.fields.energy_kwh)}`,
    );
    expect(values).toContain('meter1=100.5');
    expect(values).toContain('meter2=200.5');
    expect(values.some((v) => v.startsWith('meter3'))).toBe(false);
  });
});

describe('TCP serial servers', () => {
  it('reads a device behind tcp://host:port and reopens after the server drops the connection', async () => {
    const connections: Socket[] = [];
    const server = createServer((socket) => {
      connections.push(socket);
      socket.write(`T ${connections.length}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(() => connections.forEach((s) => s.destroy()));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const { gateway, dataDir } = await gatewayWith({
      devices: [{ id: 'sensor1', driver: 'fake-stream', port: `tcp://127.0.0.1:${port}` }],
    });
    await waitFor(() => readOutbox(dataDir, 'telemetry').length === 1, 'first reading');
    connections[0]!.destroy();
    await waitFor(
      () => readOutbox(dataDir, 'telemetry').length === 2,
      'reading after reopening',
      5000,
    );
    const values = (storedEvents(dataDir, 'telemetry') as TelemetryEvent[]).map(
      (e) => e.fields.temperature_c,
    );
    expect(values).toEqual([1, 2]);
    const portHealth = gateway.health().ports[0]!;
    expect(portHealth).toMatchObject({ state: 'open', opens: 2 });
    expect(portHealth.failures).toBeGreaterThanOrEqual(1);
  });
});

describe('failures that must not stop the gateway', () => {
  it('reports a missing port, an unknown driver and a shared streaming port, and keeps the rest running', async () => {
    const { gateway } = await gatewayWith({
      devices: [
        { id: 'gone', driver: 'fake-stream', port: '/dev/anxin-test-no-such-port' },
        { id: 'mystery', driver: 'no-such-driver', port: '/dev/ttyUSB9' },
        { id: 'a', driver: 'fake-stream', port: '/dev/ttyS-shared' },
        { id: 'b', driver: 'fake-poll', port: '/dev/ttyS-shared', options: { address: 1 } },
        { id: 'nowhere', driver: 'fake-stream' },
        { id: 'zigbee', driver: 'fake-z2m', options: { name: 'x' } },
      ],
    });
    await waitFor(() => (gateway.health().ports[0]?.failures ?? 0) >= 2, 'two failed opens', 3000);
    const health = gateway.health();
    expect(health.ports).toHaveLength(1);
    expect(health.ports[0]).toMatchObject({
      port: '/dev/anxin-test-no-such-port',
      state: expect.stringMatching(/waiting|opening/),
    });
    expect(health.ports[0]!.lastError).toBeTruthy();
    const errors = Object.fromEntries(health.devices.map((d) => [d.deviceId, d.error]));
    expect(errors).toEqual({
      gone: null,
      mystery: 'UNKNOWN_DRIVER',
      a: 'PORT_CONFLICT',
      b: 'PORT_CONFLICT',
      nowhere: 'NO_PORT',
      zigbee: 'NO_LOCAL_MQTT',
    });
    expect(health.devices.every((d) => !d.online)).toBe(true);
  });
});

describe('MQTT devices on a local broker (Zigbee2MQTT)', () => {
  it('subscribes for the driver, turns messages into events and counts bad ones', async () => {
    const local = await startBroker();
    cleanups.push(() => local.stop());
    const { gateway, dataDir } = await gatewayWith({
      localMqtt: { url: local.url },
      devices: [{ id: 'door1', driver: 'fake-z2m', options: { name: 'door1' } }],
    });
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'local broker connected');
    const z2m = mqtt.connect(local.url, { clientId: 'z2m-test' });
    cleanups.push(() => z2m.endAsync(true));
    await new Promise<void>((resolve) => z2m.once('connect', () => resolve()));
    await sleep(100);
    await z2m.publishAsync('z2m/door1', '{"contact":false}');
    await z2m.publishAsync('z2m/door1', 'not json');
    await z2m.publishAsync('z2m/other', '{"contact":true}');
    await waitFor(() => gateway.health().devices[0]!.decodeErrors === 1, 'bad message counted');
    const events = storedEvents(dataDir, 'telemetry') as TelemetryEvent[];
    expect(events.map((e) => e.fields)).toEqual([{ contact_closed: false }]);
    expect(gateway.health().devices[0]).toMatchObject({ framesOk: 1, online: true });

    // The local broker restarts: the gateway reconnects with backoff and resubscribes.
    await z2m.endAsync(true);
    await local.stop();
    await waitFor(() => gateway.health().ports[0]?.state !== 'open', 'local broker gone');
    await local.restart();
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'local broker back', 5000);
    const again = mqtt.connect(local.url, { clientId: 'z2m-test-2' });
    cleanups.push(() => again.endAsync(true));
    await new Promise<void>((resolve) => again.once('connect', () => resolve()));
    await sleep(100);
    await again.publishAsync('z2m/door1', '{"contact":true}');
    await waitFor(
      () => storedEvents(dataDir, 'telemetry').length === 2,
      'message after reconnect',
      5000,
    );
    expect(gateway.health().ports[0]!.opens).toBe(2);
  });
});
