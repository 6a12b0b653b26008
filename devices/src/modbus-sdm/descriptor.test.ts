import { describe, expect, it } from 'vitest';
import type { DeviceReading, PollSession } from '../driver.js';
import { toHex } from '../common/hex.js';
import { buildFc04Request, inspectModbusSdm } from './codec.js';
import { createSdmSession, parseSdmOptions, sdmDriver } from './descriptor.js';
import { withCrc } from './library.js';
import { SdmSimulator, createSdmSimulator } from './simulator.js';

function poll(session: PollSession, meters: SdmSimulator[], chunkSize = 3) {
  let line: Uint8Array[] = [];
  for (const m of meters) m.onTransmit((b) => line.push(b));
  const readings: DeviceReading[] = [];
  const sent: string[] = [];
  let timeouts = 0;
  for (const req of session.nextPoll()) {
    sent.push(toHex(req.bytes));
    line = [];
    for (const m of meters) m.receive(req.bytes);
    let done = false;
    const all = Uint8Array.from(line.flatMap((b) => [...b]));
    for (let i = 0; i < all.length; i += chunkSize) {
      const r = session.push(all.subarray(i, i + chunkSize));
      readings.push(...r.readings);
      done ||= r.done;
    }
    if (!done) {
      session.timeout();
      timeouts += 1;
    }
  }
  return {
    readings,
    sent,
    timeouts,
    fields: Object.assign(
      {},
      ...readings.map((r) => (r.type === 'telemetry' ? r.fields : {})),
    ) as Record<string, number>,
  };
}

describe('SDM session (modbus-serial client) against the simulator (modbus-serial server handler)', () => {
  let now = Date.UTC(2026, 10, 21, 22, 52); // 06:52 China time: kettle on
  const clock = () => now;

  it('reads the two blocks of its own unit id among several meters and maps canonical fields', () => {
    const m1 = new SdmSimulator({ unitId: 1, importKwh: 100, now: clock });
    const m7 = new SdmSimulator({ unitId: 7, importKwh: 700, now: clock });
    const s7 = createSdmSession({ deviceId: 'sdm', options: { unitId: 7 } });
    const r = poll(s7, [m1, m7]);
    expect(r.sent).toEqual([
      toHex(buildFc04Request(7, 0, 0x20)),
      toHex(buildFc04Request(7, 0x46, 6)),
    ]);
    expect(r.timeouts).toBe(0);
    expect(r.fields).toMatchObject({
      energy_kwh: 700,
      energy_export_kwh: 0,
      frequency_hz: 50.01,
      power_w: 2060,
      power_factor: 0.98,
    });
    expect(r.fields['voltage_v']).toBeCloseTo(228.37, 2);
    expect(r.fields['current_a']).toBeCloseTo(2060 / 228.37 / 0.98, 2);
    expect(Object.keys(r.fields).sort()).toEqual([...sdmDriver.telemetry].sort());
    expect(s7.stats()).toEqual({ framesOk: 2, decodeErrors: 0, rejectReasons: {} });
  });

  it('energy advances with the day; idle stops it; a stopped meter times out', () => {
    const m = new SdmSimulator({ unitId: 1, importKwh: 100, now: clock });
    const s = createSdmSession({ deviceId: 'sdm', options: {} });
    now += 3_600_000;
    const a = poll(s, [m]).fields;
    expect(a['energy_kwh']).toBeGreaterThan(100.05);
    m.trigger('idle');
    now += 3_600_000;
    const b = poll(s, [m]).fields;
    expect(b['energy_kwh']).toBe(a['energy_kwh']);
    expect(b['power_w']).toBe(0);
    m.stop();
    expect(poll(s, [m]).timeouts).toBe(2);
    m.start();
    expect(poll(s, [m], 64).timeouts).toBe(0);
  });

  it('counts exceptions and replies of an unexpected length; never maps them to values', () => {
    const s = createSdmSession({ deviceId: 'sdm', options: { unitId: 1 } });
    s.nextPoll();
    expect(s.push(withCrc(Uint8Array.of(1, 0x84, 0x02)))).toEqual({ done: true, readings: [] });
    expect(s.push(withCrc(Uint8Array.of(1, 0x04, 4, 0x43, 0x66, 0x33, 0x34)))).toEqual({
      done: true,
      readings: [],
    });
    expect(s.stats().rejectReasons).toEqual({ EXCEPTION_2: 1, UNEXPECTED_LENGTH: 1 });
  });

  it('simulator answers exceptions like the meter: 02 past the map or over 40 parameters, 01 for other functions', () => {
    const m = new SdmSimulator({ unitId: 1 });
    const out: Uint8Array[] = [];
    m.onTransmit((b) => out.push(b));
    m.receive(buildFc04Request(1, 0x0200, 2));
    m.receive(buildFc04Request(1, 0, 82));
    m.receive(withCrc(Uint8Array.of(1, 3, 0, 0, 0, 2)));
    m.receive(buildFc04Request(2, 0, 2)); // another unit: silent
    expect(out.map((b) => inspectModbusSdm(b))).toMatchObject([
      { ok: true, frame: { kind: 'exception', code: 2 } },
      { ok: true, frame: { kind: 'exception', code: 2 } },
      { ok: true, frame: { kind: 'exception', function: 3, code: 1 } },
    ]);
  });

  it('validates options naming the bad key', () => {
    expect(() => parseSdmOptions({ unitId: 0 })).toThrow(/options.unitId/);
    expect(() => parseSdmOptions({ unitId: 1, replyTimeoutMs: 'x' })).toThrow(
      /options.replyTimeoutMs/,
    );
    expect(parseSdmOptions({})).toEqual({ unitId: 1, intervalMs: 60_000, replyTimeoutMs: 1_000 });
  });

  it('the registry factory pairs a simulator with the device options', () => {
    expect(createSdmSimulator({ unitId: 9 }).unitId).toBe(9);
    expect(createSdmSimulator({ unitId: 'x' }).unitId).toBe(1);
  });
});
