import net from 'node:net';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceReading } from '../driver.js';
import { createZigbee2MqttSession } from './descriptor.js';
import { Zigbee2MqttSimulator } from './simulator.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function startBroker(): Promise<string> {
  const broker = await Aedes.createBroker();
  const server = net.createServer(broker.handle);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        broker.close(() => server.close(() => resolve()));
      }),
  );
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no address');
  return `mqtt://127.0.0.1:${address.port}`;
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

describe.each(['json', 'legacy'] as const)(
  'Zigbee2MQTT simulator over a real broker (%s availability)',
  (availability) => {
    it('the session receives SOS, leak, fall, door, bed and availability from real MQTT messages', async () => {
      const url = await startBroker();
      const sim = new Zigbee2MqttSimulator({
        url,
        availability,
        reportMs: 0,
        devices: [
          { friendlyName: 'home/sos', kind: 'sos_button' },
          { friendlyName: 'home/leak', kind: 'water_leak' },
          { friendlyName: 'home/radar', kind: 'fall_radar' },
          { friendlyName: 'home/door', kind: 'door' },
          { friendlyName: 'home/bed', kind: 'bed_mat' },
        ],
      });
      cleanups.push(() => sim.stop());
      await sim.start();

      const session = createZigbee2MqttSession({
        devices: {
          'home/sos': 'sos-1',
          'home/leak': 'leak-1',
          'home/radar': 'radar-1',
          'home/door': 'door-1',
          'home/bed': 'bed-1',
        },
      });
      const readings: DeviceReading[] = [];
      const client = await mqtt.connectAsync(url);
      cleanups.push(() => client.endAsync());
      client.on('message', (topic, payload) => readings.push(...session.onMessage(topic, payload)));
      await client.subscribeAsync(session.subscriptions());

      // Retained bridge/devices and availability arrive on subscribe.
      await waitFor(() =>
        session.devices().filter((d) => d.model && d.availability === 'online').length === 5
          ? true
          : undefined,
      );

      await waitFor(() => (session.bridgeState() === 'online' ? true : undefined));
      expect(await sim.trigger('home/sos', 'sos')).toBe(true);
      expect(await sim.trigger('home/leak', 'leak')).toBe(true);
      expect(await sim.trigger('home/radar', 'fall')).toBe(true);
      expect(await sim.trigger('home/door', 'door_open')).toBe(true);
      expect(await sim.trigger('home/bed', 'bed_in')).toBe(true);
      expect(await sim.trigger('home/door', 'offline')).toBe(true);
      expect(await sim.trigger('home/leak', 'fall')).toBe(false);

      const alarms = await waitFor(() => {
        const a = readings.filter((r) => r.type === 'alarm');
        return a.length >= 3 ? a : undefined;
      });
      expect(alarms).toEqual([
        {
          type: 'alarm',
          kind: 'sos',
          action: 'raise',
          deviceId: 'sos-1',
          detail: { action: 'emergency' },
        },
        { type: 'alarm', kind: 'water_leak', action: 'raise', deviceId: 'leak-1' },
        { type: 'alarm', kind: 'fall', action: 'raise', deviceId: 'radar-1' },
      ]);
      await waitFor(() =>
        session.devices().find((d) => d.friendlyName === 'home/door')?.availability === 'offline'
          ? true
          : undefined,
      );
      expect(readings).toContainEqual({
        type: 'telemetry',
        fields: { contact_closed: false, battery_pct: 100, link_quality: 120 },
        deviceId: 'door-1',
      });
      expect(
        readings.some(
          (r) => r.type === 'telemetry' && r.deviceId === 'bed-1' && r.fields.bed_occupied === true,
        ),
      ).toBe(true);

      // Malformed input on the wire is counted, never thrown.
      await sim.publishRaw('home/leak', '{"water_leak": tru');
      await waitFor(() => (session.stats().rejectReasons.BAD_JSON === 1 ? true : undefined));

      // A device joining shows up as a bridge event.
      await sim.trigger('home/bed', 'leave');
      await sim.trigger('home/bed', 'join');
      const events = await waitFor(() => {
        const e = session.takeEvents();
        return e.length >= 3 ? e : undefined;
      });
      expect(events.map((e) => e.type)).toEqual(['left', 'joined', 'interview']);
    });
  },
);
