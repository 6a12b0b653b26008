import { describe, expect, it } from 'vitest';
import type { DeviceReading, PollSession } from '../driver.js';
import { toHex } from '../common/hex.js';
import {
  Cjt188Decoder,
  STATUS_LAYOUTS,
  buildReadAddressRequest,
  interpretCjt188,
} from './codec.js';
import { cjt188Driver, createCjt188Session, parseCjt188Options } from './descriptor.js';
import { Cjt188Simulator, createCjt188Simulator } from './simulator.js';

function pollOnce(
  session: PollSession,
  meter: Cjt188Simulator,
): { readings: DeviceReading[]; sent: string[] } {
  const replies: Uint8Array[] = [];
  meter.onTransmit((b) => replies.push(b));
  const readings: DeviceReading[] = [];
  const sent: string[] = [];
  for (const req of session.nextPoll()) {
    sent.push(toHex(req.bytes));
    replies.length = 0;
    meter.receive(req.bytes);
    let done = false;
    for (const r of replies) {
      const out = session.push(r);
      readings.push(...out.readings);
      done ||= out.done;
    }
    if (!done) session.timeout();
  }
  return { readings, sent };
}

describe('CJ/T 188 session against a simulated water meter', () => {
  let now = Date.UTC(2026, 10, 21, 16, 0); // 00:00 China time
  const clock = () => now;

  it('reads the cumulative volume in both DI orders; the sent order is per device', () => {
    const meter = new Cjt188Simulator({ address: '78331505104145', volumeM3: 10, now: clock });
    const hi = createCjt188Session({
      deviceId: 'w',
      options: { address: '78331505104145' },
    });
    const lo = createCjt188Session({
      deviceId: 'w',
      options: { address: '78331505104145', diOrder: 'low-first' },
    });
    const a = pollOnce(hi, meter);
    const b = pollOnce(lo, meter);
    expect(a.sent[0]).toContain('01 03 90 1F');
    expect(b.sent[0]).toContain('01 03 1F 90');
    expect(a.readings).toEqual([{ type: 'telemetry', fields: { water_m3: 10 } }]);
    expect(b.readings).toEqual([{ type: 'telemetry', fields: { water_m3: 10 } }]);
    expect(hi.stats()).toEqual({ framesOk: 1, decodeErrors: 0, rejectReasons: {} });
  });

  it('follows the day: nothing at night, ~150 L by evening; leak flows every half hour; idle stops', () => {
    const meter = new Cjt188Simulator({ volumeM3: 10, now: clock });
    const s = createCjt188Session({
      deviceId: 'w',
      options: { address: meter.address },
    });
    const read = () => {
      const r = pollOnce(s, meter).readings[0];
      return r?.type === 'telemetry' ? (r.fields['water_m3'] as number) : NaN;
    };
    expect(read()).toBe(10);
    now += 6 * 3_600_000; // 06:00: nobody up yet
    expect(read()).toBe(10);
    now += 18 * 3_600_000; // a whole day
    expect(read()).toBeCloseTo(10.15, 2);
    meter.trigger('leak');
    let last = read();
    for (let slot = 0; slot < 48; slot += 1) {
      now += 30 * 60_000;
      const v = read();
      expect(v).toBeGreaterThan(last); // used in every half-hour slot
      last = v;
    }
    meter.trigger('idle');
    now += 12 * 3_600_000;
    expect(read()).toBe(last);
  });

  it('raises low_battery once and clears it, in the layout the device uses', () => {
    const meter = new Cjt188Simulator({ now: clock, statusLayout: STATUS_LAYOUTS['msb-first'] });
    const s = createCjt188Session({
      deviceId: 'w',
      options: { address: meter.address, statusLayout: 'msb-first' },
    });
    const alarms = () => pollOnce(s, meter).readings.filter((r) => r.type === 'alarm');
    expect(alarms()).toEqual([]);
    meter.trigger('battery');
    expect(alarms()).toMatchObject([{ kind: 'low_battery', action: 'raise' }]);
    expect(alarms()).toEqual([]);
    meter.trigger('battery_ok');
    expect(alarms()).toMatchObject([{ kind: 'low_battery', action: 'clear' }]);
  });

  it('a basic meter with FF-filled fields and litres still gives the volume', () => {
    const meter = new Cjt188Simulator({ volumeM3: 3.2, basic: true, unitLitres: true, now: clock });
    const s = createCjt188Session({
      deviceId: 'w',
      options: { address: meter.address },
    });
    expect(pollOnce(s, meter).readings).toEqual([{ type: 'telemetry', fields: { water_m3: 3.2 } }]);
    expect(s.stats().decodeErrors).toBe(0);
  });

  it('answers the wildcard read-address in the order asked, and stays silent when stopped', () => {
    const meter = new Cjt188Simulator({ address: '12345678901234' });
    const out: Uint8Array[] = [];
    meter.onTransmit((b) => out.push(b));
    meter.receive(buildReadAddressRequest({ diOrder: 'low-first' }));
    meter.receive(buildReadAddressRequest({ diOrder: 'high-first', meterType: 0xaa }));
    meter.stop();
    meter.receive(buildReadAddressRequest());
    const d = new Cjt188Decoder();
    expect(out.flatMap((b) => d.push(b)).map((f) => interpretCjt188(f))).toEqual([
      { kind: 'address', meterType: 0x10, address: '12345678901234', diOrder: 'low-first' },
      { kind: 'address', meterType: 0x10, address: '12345678901234', diOrder: 'high-first' },
    ]);
  });

  it('validates options naming the bad key', () => {
    expect(parseCjt188Options({}).address).toBe('AAAAAAAAAAAAAA');
    expect(() => parseCjt188Options({ address: 'x' })).toThrow(/options.address/);
    expect(() => parseCjt188Options({ address: '12345678901234', diOrder: 'x' })).toThrow(
      /options.diOrder/,
    );
    expect(() =>
      parseCjt188Options({ address: '12345678901234', statusLayout: { byte: 2 } }),
    ).toThrow(/options.statusLayout/);
    expect(
      parseCjt188Options({
        address: '12345678901234',
        statusLayout: { byte: 1, valveBits: [3, 4], batteryBit: 0 },
      }).statusLayout,
    ).toEqual({ byte: 1, valveBits: [3, 4], batteryBit: 0 });
    expect(cjt188Driver.inspect?.(new Uint8Array(0), {})).toMatchObject({
      ok: false,
      code: 'EMPTY',
    });
  });
});

describe('CJ/T 188 simulator factory', () => {
  it('pairs a simulator with the device options', () => {
    expect(createCjt188Simulator({ address: '12345678901234' }).address).toBe('12345678901234');
    expect(createCjt188Simulator({}).address).toBe('78331505104145');
  });
});
