/**
 * A real driver from the @anxin/devices registry, end to end through the gateway: the MR60FDA1
 * simulator writes real radar frames into one end of a socat pseudo-terminal pair, the gateway
 * reads the other end with serialport, and the fall reaches a (fake) hub over a real broker.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '@anxin/protocol';
import {
  Dlt645Simulator,
  Zigbee2MqttSimulator,
  attachToSerialPath,
  createMr60fda1Simulator,
  findDriver,
} from '@anxin/devices';
import { startBroker } from '../test-support/broker.js';
import { gatewayOnDisk, NO_HUB_URL, startHubSide, type Cleanups } from '../test-support/managed.js';
import { openMeterBus } from '../test-support/meter-bus.js';
import { openPtyPair } from '../test-support/pty.js';
import { readOutbox, waitFor } from '../test-support/util.js';

const cleanups: Cleanups = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('MR60FDA1 fall radar through the gateway', () => {
  it('is registered, and a simulated fall on a pty arrives at the hub as an alarm', async () => {
    expect(findDriver('mr60fda1')).toBeDefined();
    const pty = await openPtyPair();
    cleanups.push(() => pty.close());
    const { broker, hub } = await startHubSide(cleanups);
    const gateway = gatewayOnDisk('gw-radar', broker.url, cleanups, {
      devices: [
        { id: 'radar-bedroom', driver: 'mr60fda1', port: pty.gatewaySide, expectedIntervalS: 30 },
      ],
    }).make();
    await gateway.start();
    await waitFor(
      () => gateway.health().ports[0]?.state === 'open' && gateway.health().connected,
      'port and uplink',
    );

    const radar = createMr60fda1Simulator({ heartbeatMs: 200, reportMs: 200 });
    const attached = await attachToSerialPath(radar, pty.deviceSide, { baudRate: 115200 });
    cleanups.push(() => attached.close());
    // The first heartbeat frame makes the radar "seen" before anything happens.
    await waitFor(() => (gateway.health().devices[0]?.framesOk ?? 0) > 0, 'radar heartbeat frames');

    const before = Date.now();
    expect(radar.trigger('fall')).toBe(true);
    await waitFor(() => hub.events('alarm').length > 0, 'fall at the hub', 5000);
    const alarm = hub.events('alarm')[0]!;
    expect(alarm).toMatchObject({
      type: 'alarm',
      deviceId: 'radar-bedroom',
      kind: 'fall',
      action: 'raise',
    });
    expect(alarm.observedAt).toBeGreaterThanOrEqual(before);
    expect(alarm.observedAt).toBeLessThanOrEqual(Date.now());
    const health = gateway.health().devices[0]!;
    expect(health).toMatchObject({ online: true, decodeErrors: 0, error: null });
    await waitFor(() => gateway.health().outbox.alarmDepth === 0, 'alarm acknowledged');
  });
});

describe('Zigbee2MQTT bridge through the gateway', () => {
  it('turns an SOS press published on the local broker into an alarm for the sub-device', async () => {
    const local = await startBroker();
    cleanups.push(() => local.stop());
    const { dir, make } = gatewayOnDisk('gw-zigbee', NO_HUB_URL, cleanups, {
      localMqtt: { url: local.url },
      devices: [{ id: 'z2m', driver: 'zigbee2mqtt' }],
    });
    const gateway = make();
    await gateway.start();
    await waitFor(() => gateway.health().ports[0]?.state === 'open', 'local broker');
    const z2m = new Zigbee2MqttSimulator({
      url: local.url,
      devices: [{ friendlyName: 'sos.hall', kind: 'sos_button' }],
      reportMs: 0,
    });
    await z2m.start();
    cleanups.push(() => z2m.stop());
    await waitFor(() => gateway.health().devices[0]!.framesOk > 0, 'bridge messages decoded');
    expect(await z2m.trigger('sos.hall', 'sos')).toBe(true);
    await waitFor(() => readOutbox(dir, 'alarm').length > 0, 'SOS alarm in the outbox', 5000);
    expect(readOutbox(dir, 'alarm')[0]!.event).toMatchObject({
      deviceId: 'sos.hall',
      kind: 'sos',
      action: 'raise',
    });
    const sub = gateway.health().devices.find((d) => d.deviceId === 'sos.hall');
    expect(sub?.lastSeenAt).not.toBeNull();
    expect(gateway.health().devices[0]!.error).toBeNull();
  });
});

describe('DL/T 645 meters sharing one RS-485 bus through the gateway', () => {
  it('polls two real meter simulators in turn and counts the silent third', async () => {
    expect(findDriver('dlt645')).toBeDefined();
    // The bus: both simulated meters hear every request and answer only their own address.
    const meters = [
      new Dlt645Simulator({ address: '000000000001', energyKwh: 100 }),
      new Dlt645Simulator({ address: '000000000002', energyKwh: 200 }),
    ];
    const pty = await openMeterBus(cleanups, meters);
    for (const meter of meters) {
      meter.start();
      cleanups.push(() => meter.stop());
    }
    const { dir, make } = gatewayOnDisk('gw-meters', NO_HUB_URL, cleanups, {
      bus: { turnaroundMs: 30 },
      devices: ['000000000001', '000000000002', '000000000003'].map((address, i) => ({
        id: `meter${i + 1}`,
        driver: 'dlt645',
        port: pty.gatewaySide,
        options: { address, items: ['00010000'], intervalMs: 1000, replyTimeoutMs: 200 },
        pollRetries: 1,
        expectedIntervalS: 5,
      })),
    });
    const gateway = make();
    await gateway.start();
    const poll = (id: string) => gateway.health().devices.find((d) => d.deviceId === id)?.poll;
    await waitFor(
      () => (poll('meter3')?.failures ?? 0) >= 1 && (poll('meter2')?.replies ?? 0) >= 1,
      'a full bus cycle',
      8000,
    );
    const readings = readOutbox(dir, 'telemetry').map((r) => r.event as TelemetryEvent);
    const energy = (id: string) => readings.find((e) => e.deviceId === id)?.fields.energy_kwh;
    expect(energy('meter1')).toBeCloseTo(100, 0);
    expect(energy('meter2')).toBeCloseTo(200, 0);
    expect(readings.some((e) => e.deviceId === 'meter3')).toBe(false);
    const health = Object.fromEntries(gateway.health().devices.map((d) => [d.deviceId, d]));
    expect(health.meter1).toMatchObject({ online: true, decodeErrors: 0 });
    expect(health.meter3).toMatchObject({ online: false, lastSeenAt: null });
    const silent = health.meter3!.poll!;
    expect(silent.replies).toBe(0);
    expect(silent.failures).toBeGreaterThanOrEqual(1);
    // One retry per request (pollRetries: 1): two timeouts per failed request.
    expect(silent.timeouts).toBeGreaterThanOrEqual(2 * silent.failures);
    expect(silent.retries).toBeGreaterThanOrEqual(silent.failures);
  });
});
