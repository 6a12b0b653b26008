import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex, toHex } from '../common/hex.js';
import type { DeviceReading } from '../driver.js';
import {
  DLT645_BLOCKS,
  Dlt645Decoder,
  blockMemberDi,
  buildReadRequest,
  decodeBlock,
  encodeBlock,
  encodeDlt645,
  findDlt645Item,
  inspectDlt645,
  interpretDlt645,
} from './codec.js';
import { createDlt645Session, dlt645Driver, parseDlt645Options } from './descriptor.js';
import { Dlt645Simulator, createDlt645Simulator } from './simulator.js';
import { tariffAt } from './tariffs.js';

const reply = (hex: string) => {
  const frames = new Dlt645Decoder().push(parseHex(hex));
  expect(frames).toHaveLength(1);
  return interpretDlt645(frames[0]!);
};
const valuesOf = (hex: string) => {
  const r = reply(hex);
  if (r.kind !== 'data') throw new Error(`not data: ${JSON.stringify(r)}`);
  return (r.values ?? []).map((v) => [v.di, v.value, v.unit, v.field ?? null]);
};

/**
 * Block replies published in public code (checksums re-verified here):
 *  [F] a C PLC meter reader's comment log (2014-11-28): meter 000000193600 asked for 00 01 FF 00
 *      with "68 00 36 19 00 00 00 68 11 04 33 32 34 33 00 16" and answered total and 4 tariffs.
 *  [G] a public Java DL/T 645 meter simulator: meter 201000000012, 00 01 FF 00 answered
 *      "1.29, 0.62, 0.6, 0.03, 0.02", and 02 01 FF 00 answered "225.6, -1, -1" — a single-phase
 *      meter filling phases B and C with FF.
 * Frames marked [H] were worked by hand from 7.1 (frame, +33H, CS) and Appendix A (formats).
 */
describe('DL/T 645-2007 block reads (DI1 = FF) decode to values with units', () => {
  it('[F] builds the energy block request and decodes total + 4 tariffs in kWh', () => {
    expect(toHex(buildReadRequest('000000193600', '0001FF00', { wakeUp: 0 }))).toBe(
      '68 00 36 19 00 00 00 68 11 04 33 32 34 33 00 16',
    );
    expect(
      valuesOf(
        '68 00 36 19 00 00 00 68 91 18 33 32 34 33 63 69 33 33 89 35 33 33 4C 33 33 33 6B 33 33 33 4A 66 33 33 E9 16',
      ),
    ).toEqual([
      ['00010000', 36.3, 'kWh', 'energy_kwh'],
      ['00010100', 2.56, 'kWh', 'energy_t1_kwh'],
      ['00010200', 0.19, 'kWh', 'energy_t2_kwh'],
      ['00010300', 0.38, 'kWh', 'energy_t3_kwh'],
      ['00010400', 33.17, 'kWh', 'energy_t4_kwh'],
    ]);
  });

  it('[G] decodes an energy block, and a voltage block with B and C as FF filler', () => {
    expect(
      valuesOf(
        '68 12 00 00 00 10 20 68 91 18 33 32 34 33 5C 34 33 33 95 33 33 33 93 33 33 33 36 33 33 33 35 33 33 33 74 16',
      ).map((v) => v[1]),
    ).toEqual([1.29, 0.62, 0.6, 0.03, 0.02]);
    expect(toHex(buildReadRequest('201000000012', '0201FF00', { wakeUp: 0 }))).toBe(
      '68 12 00 00 00 10 20 68 11 04 33 32 34 35 F5 16',
    );
    expect(valuesOf('68 12 00 00 00 10 20 68 91 0A 33 32 34 35 89 55 32 32 32 32 21 16')).toEqual([
      ['02010100', 225.6, 'V', 'voltage_v'],
    ]);
  });

  it.each([
    [
      '[H] voltage block: A 220.1 V, B 221.3 V, C 219.8 V',
      '68 01 00 00 00 00 00 68 91 0A 33 32 34 35 34 55 46 55 CB 54 7D 16',
      [
        ['02010100', 220.1, 'V', 'voltage_v'],
        ['02010200', 221.3, 'V', 'voltage_b_v'],
        ['02010300', 219.8, 'V', 'voltage_c_v'],
      ],
    ],
    [
      '[H] current block: A 5 A, B −1.25 A (sign bit), C 0.5 A',
      '68 01 00 00 00 00 00 68 91 0D 33 32 35 35 33 83 33 83 45 B3 33 38 33 40 16',
      [
        ['02020100', 5, 'A', 'current_a'],
        ['02020200', -1.25, 'A', 'current_b_a'],
        ['02020300', 0.5, 'A', 'current_c_a'],
      ],
    ],
    [
      '[H] single item 02 01 02 00, phase B voltage 221.3 V',
      '68 01 00 00 00 00 00 68 91 06 33 35 34 35 46 55 D4 16',
      [['02010200', 221.3, 'V', 'voltage_b_v']],
    ],
    [
      '[H] single item 02 02 03 00, phase C current −0.5 A',
      '68 01 00 00 00 00 00 68 91 07 33 36 35 35 33 38 B3 5A 16',
      [['02020300', -0.5, 'A', 'current_c_a']],
    ],
  ])('%s', (_name, hex, expected) => {
    expect(valuesOf(hex)).toEqual(expected);
  });

  it('names each block member by its own DI (DI1 = index), with units for `anxin decode`', () => {
    const voltage = DLT645_BLOCKS.find((b) => b.di === '0201FF00')!;
    expect([0, 1, 2].map((i) => blockMemberDi(voltage, i))).toEqual([
      '02010100',
      '02010200',
      '02010300',
    ]);
    expect(
      inspectDlt645(parseHex('68 01 00 00 00 00 00 68 91 0A 33 32 34 35 34 55 46 55 CB 54 7D 16')),
    ).toMatchObject({
      ok: true,
      frame: {
        kind: 'data',
        di: '0201FF00',
        name: 'voltage block (phases A, B, C)',
        values: [
          { di: '02010100', name: 'phase A voltage', value: 220.1, unit: 'V' },
          { di: '02010200', name: 'phase B voltage', value: 221.3, unit: 'V' },
          { di: '02010300', name: 'phase C voltage', value: 219.8, unit: 'V' },
        ],
      },
    });
  });

  it('decodes tariffs beyond 4 by name, without a telemetry field', () => {
    const energy = DLT645_BLOCKS.find((b) => b.di === '0001FF00')!;
    const decoded = decodeBlock(energy, encodeBlock(energy, [21, 1, 2, 3, 4, 5, 6]));
    expect(decoded.ok && decoded.values.slice(5)).toEqual([
      {
        di: '00010500',
        name: 'forward active energy (tariff 5)',
        value: 5,
        unit: 'kWh',
        decimals: 2,
        factor: 1,
      },
      {
        di: '00010600',
        name: 'forward active energy (tariff 6)',
        value: 6,
        unit: 'kWh',
        decimals: 2,
        factor: 1,
      },
    ]);
  });

  it('refuses a block whose length is not whole members, too many members, or not BCD', () => {
    const at = (di: string) => DLT645_BLOCKS.find((b) => b.di === di)!;
    expect(decodeBlock(at('0201FF00'), parseHex('01 22 13'))).toMatchObject({
      ok: false,
      code: 'BLOCK_LENGTH',
    });
    expect(decodeBlock(at('0201FF00'), parseHex('01 22 13 22 98 21 00 22'))).toMatchObject({
      ok: false,
      code: 'BLOCK_LENGTH',
    });
    expect(decodeBlock(at('0001FF00'), new Uint8Array(0))).toMatchObject({
      ok: false,
      code: 'BLOCK_LENGTH',
    });
    expect(decodeBlock(at('0202FF00'), parseHex('00 50 00 0A 00 00 00 05 00'))).toMatchObject({
      ok: false,
      code: 'BAD_BCD',
    });
    // The same through a frame: an invalid reply with a stable code, never a value.
    const frame = encodeDlt645({
      address: '000000000001',
      control: 0x91,
      data: Uint8Array.from([0x00, 0xff, 0x01, 0x02, 0x01, 0x22, 0x13]),
    });
    expect(interpretDlt645(new Dlt645Decoder().push(frame)[0]!)).toMatchObject({
      kind: 'invalid',
      code: 'BLOCK_LENGTH',
    });
    expect(inspectDlt645(frame)).toMatchObject({ ok: true, frame: { code: 'BLOCK_LENGTH' } });
  });

  it('property: every block round-trips any member count it allows', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...DLT645_BLOCKS),
        fc.array(fc.nat(99_999), { minLength: 1, maxLength: 64 }),
        (block, ints) => {
          const { bytes, decimals, signed } = block.format;
          const largest = (signed ? 8 : 10) * 10 ** (bytes * 2 - 1);
          const values = ints.slice(0, block.maxMembers).map((n) => (n % largest) / 10 ** decimals);
          const decoded = decodeBlock(block, encodeBlock(block, values));
          expect(decoded.ok && decoded.values.map((v) => v.value)).toEqual(values);
        },
      ),
    );
  });
});

const merged = (readings: DeviceReading[]) =>
  Object.assign({}, ...readings.map((r) => (r.type === 'telemetry' ? r.fields : {}))) as Record<
    string,
    number
  >;

/** One poll cycle against one simulated meter, byte by byte. */
function poll(meter: Dlt645Simulator, options: Record<string, unknown>) {
  const session = createDlt645Session({ deviceId: 'm', options });
  let line: Uint8Array[] = [];
  meter.onTransmit((b) => line.push(b));
  const readings: DeviceReading[] = [];
  let timeouts = 0;
  for (const req of session.nextPoll()) {
    line = [];
    meter.receive(req.bytes);
    let done = false;
    for (const b of line.flatMap((c) => [...c])) {
      const r = session.push(Uint8Array.of(b));
      readings.push(...r.readings);
      done ||= r.done;
    }
    if (!done) {
      session.timeout();
      timeouts += 1;
    }
  }
  return { fields: merged(readings), timeouts, stats: session.stats(), requests: session };
}

describe('DL/T 645 three-phase meter, as the district bought it', () => {
  // 2026-11-22 06:52 China time: valley tariff, the breakfast kettle is on (phase A).
  const now = Date.UTC(2026, 10, 21, 22, 52);

  it('options.phases: 3 reads the blocks and maps every phase and tariff to a canonical field', () => {
    const meter = new Dlt645Simulator({
      address: '000000000003',
      energyKwh: 1000,
      phases: 3,
      now: () => now,
    });
    const { fields, timeouts, stats } = poll(meter, { address: '000000000003', phases: 3 });
    expect(timeouts).toBe(0);
    expect(stats).toEqual({ framesOk: 7, decodeErrors: 0, rejectReasons: {} });
    expect(fields).toMatchObject({
      energy_kwh: 1000,
      energy_t1_kwh: 100,
      energy_t2_kwh: 300,
      energy_t3_kwh: 350,
      energy_t4_kwh: 250,
      energy_export_kwh: 0,
      energy_export_t4_kwh: 0,
      power_w: 2060,
      frequency_hz: 50.01,
    });
    // The base load is spread 50/30/20 over the phases; the more load, the more the phase sags.
    expect(fields['current_a']).toBeGreaterThan(fields['current_b_a']!);
    expect(fields['current_b_a']).toBeGreaterThan(fields['current_c_a']!);
    expect(fields['voltage_v']).toBeLessThan(fields['voltage_b_v']!);
    // Phase currents carry the whole power: Σ V·I·pf = P.
    const p =
      (fields['voltage_v']! * fields['current_a']! +
        fields['voltage_b_v']! * fields['current_b_a']! +
        fields['voltage_c_v']! * fields['current_c_a']!) *
      0.98;
    expect(p).toBeCloseTo(2060, -1);
    // A 2 kW kettle switched on sits on phase A alone.
    meter.trigger('kettle');
    const kettle = poll(meter, { address: '000000000003', items: '0202FF00' }).fields;
    expect(kettle['current_a']! - fields['current_a']!).toBeCloseTo(2000 / 228 / 0.98, 0);
    expect([kettle['current_b_a'], kettle['current_c_a']]).toEqual([
      fields['current_b_a'],
      fields['current_c_a'],
    ]);
    expect(Object.keys(fields).every((k) => dlt645Driver.telemetry.includes(k))).toBe(true);
  });

  it('reads exactly the identifiers the installer names, as one text field from the hub', () => {
    const meter = createDlt645Simulator({ address: '000000000003', phases: 3 });
    const { fields, timeouts } = poll(meter, {
      address: '000000000003',
      items: '02-01-02-00, 02 02 03 00; 0001FF00',
    });
    expect(timeouts).toBe(0);
    expect(Object.keys(fields).sort()).toEqual([
      'current_c_a',
      'energy_kwh',
      'energy_t1_kwh',
      'energy_t2_kwh',
      'energy_t3_kwh',
      'energy_t4_kwh',
      'voltage_b_v',
    ]);
  });

  it('a single-phase meter asked for phase B answers "no data", counted; its blocks carry phase A', () => {
    const meter = new Dlt645Simulator({ address: '000000000001', now: () => now });
    const single = poll(meter, { address: '000000000001', items: ['02010200', '0201FF00'] });
    expect(single.timeouts).toBe(0);
    expect(single.stats.rejectReasons).toEqual({ ABNORMAL_REPLY: 1 });
    expect(Object.keys(single.fields)).toEqual(['voltage_v']);
  });

  it('energy is booked to the tariff in force, and the total stays their sum', () => {
    let t = Date.UTC(2026, 10, 22, 3, 0); // 11:00 China time: flat (3)
    const meter = new Dlt645Simulator({ energyKwh: 100, phases: 3, now: () => t });
    const before = meter.tariffs();
    t += 30 * 60_000;
    const after = meter.tariffs();
    expect(after[2]! - before[2]!).toBeGreaterThan(0);
    expect([after[0], after[1], after[3]]).toEqual([before[0], before[1], before[3]]);
    expect(meter.energy()).toBeCloseTo(
      after.reduce((a, b) => a + b, 0),
      9,
    );
  });

  it('the time-of-use schedule: sharp 19–21, peak 8–11 and 17–19, valley 23–7, flat otherwise', () => {
    const at = (hour: number) => tariffAt(Date.UTC(2026, 0, 1, hour - 8, 30), 480);
    expect([7, 8, 11, 17, 19, 21, 23, 3].map(at)).toEqual([3, 2, 3, 2, 1, 3, 4, 4]);
  });

  it('validates phases and items, naming the bad identifier', () => {
    expect(parseDlt645Options({ phases: 3 }).items).toEqual([
      '0001FF00',
      '0002FF00',
      '0201FF00',
      '0202FF00',
      '02030000',
      '02060000',
      '02800002',
    ]);
    expect(() => parseDlt645Options({ phases: 2 })).toThrow(/options.phases must be 1/);
    expect(() => parseDlt645Options({ items: '0201FF00, 0203FF00' })).toThrow(
      /options.items .*"0203FF00" is not one/,
    );
    expect(() => parseDlt645Options({ items: '' })).toThrow(/options.items/);
    expect(() => parseDlt645Options({ items: 7 })).toThrow(/options.items/);
    expect(parseDlt645Options({ items: ['0201ff00', '0201FF00'] }).items).toEqual(['0201FF00']);
    expect(findDlt645Item('02020200')).toMatchObject({ bytes: 3, decimals: 3, signed: true });
  });
});
