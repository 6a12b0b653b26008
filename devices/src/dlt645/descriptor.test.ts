import { describe, expect, it } from 'vitest';
import type { DeviceReading, PollSession } from '../driver.js';
import { toHex } from '../common/hex.js';
import { Dlt645Decoder, buildReadRequest, interpretDlt645 } from './codec.js';
import { createDlt645Session, dlt645Driver, parseDlt645Options } from './descriptor.js';
import { Dlt645Simulator, createDlt645Simulator } from './simulator.js';

/** A half-duplex bus in memory: what the master writes reaches every meter; replies come back. */
function bus(meters: Dlt645Simulator[]) {
  let line: Uint8Array[] = [];
  for (const m of meters) m.onTransmit((b) => line.push(b));
  return {
    /** Runs one poll cycle the way the gateway does: one request in flight at a time. */
    poll(session: PollSession): { readings: DeviceReading[]; timeouts: number } {
      const readings: DeviceReading[] = [];
      let timeouts = 0;
      for (const req of session.nextPoll()) {
        line = [];
        for (const m of meters) m.receive(req.bytes);
        let done = false;
        for (const chunk of line) {
          // Feed byte by byte: the session must not depend on chunk boundaries.
          for (const b of chunk) {
            const r = session.push(Uint8Array.of(b));
            readings.push(...r.readings);
            done ||= r.done;
          }
        }
        if (!done) {
          session.timeout();
          timeouts += 1;
        }
      }
      return { readings, timeouts };
    },
  };
}

const merged = (readings: DeviceReading[]) =>
  Object.assign({}, ...readings.map((r) => (r.type === 'telemetry' ? r.fields : {}))) as Record<
    string,
    number
  >;

describe('DL/T 645 session against simulated meters', () => {
  // 2026-11-22 06:52 China time (22:52 UTC the day before): the breakfast kettle is on.
  let now = Date.UTC(2026, 10, 21, 22, 52);
  const clock = () => now;

  it('polls every item of its own meter on a shared bus and maps them to canonical fields', () => {
    const m1 = new Dlt645Simulator({ address: '000000000001', energyKwh: 100, now: clock });
    const m2 = new Dlt645Simulator({ address: '000000000002', energyKwh: 500, now: clock });
    const b = bus([m1, m2]);
    const s1 = createDlt645Session({ deviceId: 'm1', options: { address: '000000000001' } });
    const s2 = createDlt645Session({ deviceId: 'm2', options: { address: '000000000002' } });
    const r1 = b.poll(s1);
    const r2 = b.poll(s2);
    expect(r1.timeouts).toBe(0);
    const f1 = merged(r1.readings);
    expect(f1).toMatchObject({
      energy_kwh: 100,
      energy_export_kwh: 0,
      frequency_hz: 50.01,
      power_factor: 0.98,
    });
    expect(f1['power_w']).toBe(2060); // kettle 2000 W + 60 W base
    expect(f1['voltage_v']).toBeCloseTo(228.4, 1);
    expect(f1['current_a']).toBeGreaterThan(9);
    expect(merged(r2.readings)['energy_kwh']).toBe(500);
    expect(s1.stats()).toEqual({ framesOk: 7, decodeErrors: 0, rejectReasons: {} });
    expect(Object.keys(f1).every((k) => dlt645Driver.telemetry.includes(k))).toBe(true);
  });

  it('energy follows the day profile; idle stops consumption; a stopped meter times out', () => {
    const m = new Dlt645Simulator({ address: '000000000001', energyKwh: 100, now: clock });
    const s = createDlt645Session({
      deviceId: 'm',
      options: { address: '000000000001', items: ['00010000', '02030000'] },
    });
    const b = bus([m]);
    now += 60 * 60_000; // one hour of base load after the kettle: ≈ 0.06 kWh + kettle tail
    const before = merged(b.poll(s).readings);
    expect(before['energy_kwh']).toBeGreaterThan(100.05);
    expect(m.trigger('idle')).toBe(true);
    now += 3 * 60 * 60_000;
    const idle = merged(b.poll(s).readings);
    expect(idle).toEqual({ energy_kwh: before['energy_kwh'], power_w: 0 });
    expect(m.trigger('nonsense')).toBe(false);
    m.stop();
    expect(b.poll(s)).toEqual({ readings: [], timeouts: 2 });
    m.start();
    expect(b.poll(s).timeouts).toBe(0);
  });

  it('answers unknown DIs with an abnormal reply (ERR bit1) and the wildcard read-address with its address', () => {
    const m = new Dlt645Simulator({ address: '123456789012' });
    const out: Uint8Array[] = [];
    m.onTransmit((b) => out.push(b));
    m.receive(buildReadRequest('123456789012', '04000401'));
    m.receive(buildReadRequest('999999999999', '00010000')); // not its address: silent
    const d = new Dlt645Decoder();
    const frames = out.flatMap((b) => d.push(b));
    expect(frames.map(interpretDlt645)).toEqual([
      {
        kind: 'abnormal',
        address: '123456789012',
        errorWord: 2,
        errors: [{ code: 'NO_DATA', text: expect.any(String) }],
      },
    ]);
  });

  it('counts an abnormal reply and a reply from another address, ignores its own echo', () => {
    const s = createDlt645Session({ deviceId: 'm', options: { address: '000000000001' } });
    const other = new Dlt645Simulator({ address: '000000000002' });
    const replies: Uint8Array[] = [];
    other.onTransmit((b) => replies.push(b));
    other.receive(buildReadRequest('000000000002', '00010000'));
    const [req] = s.nextPoll();
    expect(s.push(req!.bytes)).toEqual({ done: false, readings: [] }); // echo of our request
    expect(s.push(replies[0]!)).toEqual({ done: false, readings: [] });
    expect(s.stats().rejectReasons).toEqual({ WRONG_ADDRESS: 1 });
  });

  it('validates options naming the bad key', () => {
    expect(parseDlt645Options({}).address).toBe('AAAAAAAAAAAA');
    expect(() => parseDlt645Options({ address: 12 })).toThrow(/options.address/);
    expect(() => parseDlt645Options({ address: '1' })).toThrow(/options.address/);
    expect(() => parseDlt645Options({ address: '000000000001', items: ['FFFFFFFF'] })).toThrow(
      /options.items/,
    );
    expect(() => parseDlt645Options({ address: '000000000001', intervalMs: 5 })).toThrow(
      /options.intervalMs/,
    );
    expect(parseDlt645Options({ address: '000000000001' }).items).toHaveLength(7);
  });
});

describe('DL/T 645 session without an address (wildcard, one meter on the bus)', () => {
  it('reads through AA…AA as public tools do and accepts the reply from the real address', () => {
    // A public VB meter tool's default frame: "FE FE FE FE 68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16".
    const s = createDlt645Session({ deviceId: 'm', options: { items: ['00010000'] } });
    const [req] = s.nextPoll();
    expect(toHex(req!.bytes)).toBe('FE FE FE FE 68 AA AA AA AA AA AA 68 11 04 33 33 34 33 AE 16');
    const m = new Dlt645Simulator({ address: '000000000042', energyKwh: 42 });
    let out: Uint8Array | undefined;
    m.onTransmit((b) => (out = b));
    m.receive(req!.bytes);
    expect(s.push(out!)).toEqual({
      done: true,
      readings: [{ type: 'telemetry', fields: { energy_kwh: 42 } }],
    });
  });
});

describe('DL/T 645 simulator factory', () => {
  it('pairs a simulator with the device options', () => {
    expect(createDlt645Simulator({ address: '000000000042' }).address).toBe('000000000042');
    expect(createDlt645Simulator({ address: 'bad' }).address).toBe('000000000001');
  });
});
