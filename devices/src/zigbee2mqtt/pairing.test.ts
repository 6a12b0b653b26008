/**
 * One Zigbee device per gateway device, as the installer adds them (driver zigbee2mqtt,
 * options.friendlyName), and devices paired with a running bridge: over a real broker.
 */
import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceReading, MqttSession } from '../driver.js';
import { zigbee2mqttDriver } from './descriptor.js';
import { Zigbee2MqttSimulator, zigbeeScenariosFor } from './simulator.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startBroker(): Promise<string> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () => new Promise<void>((resolve) => broker.close(() => server.close(() => resolve()))),
  );
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `mqtt://127.0.0.1:${address.port}`;
}

/** A gateway-like listener: each configured device's session sees every local message. */
async function listen(url: string, sessions: MqttSession[]): Promise<DeviceReading[]> {
  const readings: DeviceReading[] = [];
  const client = await mqtt.connectAsync(url);
  cleanups.push(() => client.endAsync());
  client.on('message', (topic, payload) => {
    for (const s of sessions) readings.push(...s.onMessage(topic, new Uint8Array(payload)));
  });
  await client.subscribeAsync('zigbee2mqtt/#');
  return readings;
}

async function until(probe: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 250 && !probe(); i += 1) await new Promise((r) => setTimeout(r, 20));
  if (!probe()) throw new Error(`timed out waiting for ${what}`);
}

describe('Zigbee devices added one by one (options.friendlyName)', () => {
  it('each session reports its own device only, under the configured id', async () => {
    const url = await startBroker();
    const sim = new Zigbee2MqttSimulator({
      url,
      reportMs: 0,
      devices: [
        { friendlyName: 'sos-hall', kind: 'sos_button' },
        { friendlyName: 'smoke-kitchen', kind: 'smoke' },
      ],
    });
    cleanups.push(() => sim.stop());
    const session = (id: string, friendlyName: string) =>
      zigbee2mqttDriver.createSession({ deviceId: id, options: { friendlyName } }) as MqttSession;
    const sos = session('sos-button', 'sos-hall');
    const smoke = session('smoke', 'smoke-kitchen');
    const readings = await listen(url, [sos, smoke]);
    await sim.start();
    expect(await sim.trigger('sos-hall', 'sos')).toBe(true);
    expect(await sim.trigger('smoke-kitchen', 'smoke')).toBe(true);
    const alarms = () => readings.filter((r) => r.type === 'alarm');
    await until(() => alarms().length >= 2, 'two alarms');
    await new Promise((r) => setTimeout(r, 200)); // any duplicate would have arrived by now
    expect(alarms().map((a) => [a.deviceId, a.type === 'alarm' && a.kind])).toEqual([
      ['sos-button', 'sos'],
      ['smoke', 'smoke'],
    ]);
    // A device no entry names is nobody's: counted by each session, never reported.
    expect(readings.every((r) => r.deviceId === 'sos-button' || r.deviceId === 'smoke')).toBe(true);
    expect(sos.stats().rejectReasons['UNMAPPED_DEVICE']).toBeGreaterThan(0);
  });

  it('pairs a device with the running bridge and forgets one that leaves', async () => {
    const url = await startBroker();
    const sim = new Zigbee2MqttSimulator({ url, reportMs: 0, devices: [] });
    cleanups.push(() => sim.stop());
    await sim.start();
    const door = zigbee2mqttDriver.createSession({
      deviceId: 'door-front',
      options: { friendlyName: 'door-front' },
    }) as MqttSession;
    const readings = await listen(url, [door]);
    expect(await sim.addDevice({ friendlyName: 'door-front', kind: 'door' })).toBe(true);
    expect(await sim.addDevice({ friendlyName: 'door-front', kind: 'door' })).toBe(false);
    await until(() => readings.length > 0, 'first state of the new device');
    expect(readings[0]).toMatchObject({
      type: 'telemetry',
      deviceId: 'door-front',
      fields: { contact_closed: true },
    });
    expect(await sim.trigger('door-front', 'door_open')).toBe(true);
    await until(
      () => readings.some((r) => r.type === 'telemetry' && r.fields['contact_closed'] === false),
      'door open',
    );
    expect(await sim.removeDevice('door-front')).toBe(true);
    expect(await sim.removeDevice('door-front')).toBe(false);
    expect(await sim.trigger('door-front', 'door_open')).toBe(false);
  });

  it('lists the scenarios each kind can act out', () => {
    expect(zigbeeScenariosFor('sos_button')).toContain('sos');
    expect(zigbeeScenariosFor('bed_mat')).toEqual(expect.arrayContaining(['bed_in', 'bed_out']));
    expect(zigbeeScenariosFor('door')).not.toContain('sos');
  });
});
