/**
 * Small fake drivers for the runtime's tests. Line protocol, ASCII, '\n'-terminated:
 *   stream device → gateway:  "ALARM <kind>" | "T <number>"  (anything else is a decode error)
 *   poll request  gateway → bus: "Q<addr>"        reply bus → gateway: "R<addr>=<number>"
 *   mqtt: topic "z2m/<name>" with JSON {"contact": boolean}
 */
import { StatsCounter, type DeviceReading, type DriverDescriptor } from '@anxin/devices';

function lineSplitter() {
  let buffer = '';
  return (chunk: Uint8Array): string[] => {
    buffer += Buffer.from(chunk).toString('latin1');
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    if (buffer.length > 256) buffer = '';
    return lines;
  };
}

export const fakeStreamDriver: DriverDescriptor = {
  id: 'fake-stream',
  name: 'Fake streaming sensor',
  models: ['test'],
  reference: 'test-only line protocol',
  transport: 'serial',
  serial: { baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
  telemetry: ['temperature_c'],
  alarms: ['fall'],
  createSession() {
    const stats = new StatsCounter();
    const split = lineSplitter();
    return {
      mode: 'stream',
      push(chunk) {
        const readings: DeviceReading[] = [];
        for (const line of split(chunk)) {
          const alarm = /^ALARM (fall|sos)$/.exec(line);
          const value = /^T (-?\d+(?:\.\d+)?)$/.exec(line);
          if (alarm?.[1] === 'fall' || alarm?.[1] === 'sos') {
            stats.ok();
            readings.push({ type: 'alarm', kind: alarm[1], action: 'raise' });
          } else if (value) {
            stats.ok();
            readings.push({ type: 'telemetry', fields: { temperature_c: Number(value[1]) } });
          } else {
            stats.reject('GARBAGE');
          }
        }
        return readings;
      },
      stats: () => stats.snapshot(),
    };
  },
};

export const fakePollDriver: DriverDescriptor = {
  id: 'fake-poll',
  name: 'Fake polled meter',
  models: ['test'],
  reference: 'test-only line protocol',
  transport: 'serial',
  serial: { baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 },
  telemetry: ['energy_kwh'],
  alarms: [],
  createSession(ctx) {
    const address = Number(ctx.options.address);
    // Like a real meter driver, an address that cannot be one is refused when the session is made.
    if (!Number.isInteger(address) || address < 0)
      throw new Error('options.address must be a whole number');
    const intervalMs = Number(ctx.options.intervalMs ?? 300);
    const stats = new StatsCounter();
    const split = lineSplitter();
    return {
      mode: 'poll',
      intervalMs,
      nextPoll: () => [{ bytes: Buffer.from(`Q${address}\n`), timeoutMs: 150 }],
      push(chunk) {
        const readings: DeviceReading[] = [];
        let done = false;
        for (const line of split(chunk)) {
          const match = /^R(\d+)=(\d+(?:\.\d+)?)$/.exec(line);
          if (match && Number(match[1]) === address) {
            stats.ok();
            readings.push({ type: 'telemetry', fields: { energy_kwh: Number(match[2]) } });
            done = true;
          } else {
            stats.reject('UNEXPECTED');
          }
        }
        return { done, readings };
      },
      timeout: () => stats.reject('TIMEOUT'),
      stats: () => stats.snapshot(),
    };
  },
};

export const fakeMqttDriver: DriverDescriptor = {
  id: 'fake-z2m',
  name: 'Fake Zigbee2MQTT contact sensor',
  models: ['test'],
  reference: 'test-only JSON',
  transport: 'mqtt',
  telemetry: ['contact_closed'],
  alarms: [],
  createSession(ctx) {
    const stats = new StatsCounter();
    const name = String(ctx.options.name);
    return {
      mode: 'mqtt',
      subscriptions: () => [`z2m/${name}`],
      onMessage(_topic, payload) {
        try {
          const value = JSON.parse(Buffer.from(payload).toString('utf8')) as { contact?: unknown };
          if (typeof value.contact !== 'boolean') {
            stats.reject('SCHEMA');
            return [];
          }
          stats.ok();
          return [{ type: 'telemetry', fields: { contact_closed: value.contact } }];
        } catch {
          stats.reject('BAD_JSON');
          return [];
        }
      },
      stats: () => stats.snapshot(),
    };
  },
};

export const FAKE_DRIVERS = [fakeStreamDriver, fakePollDriver, fakeMqttDriver];
