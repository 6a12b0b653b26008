import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex, toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import {
  CJT188_COLD_WATER,
  Cjt188Decoder,
  STATUS_LAYOUTS,
  buildReadAddressRequest,
  buildReadDataRequest,
  decodeStatus,
  encodeCjt188,
  encodeStatus,
  inspectCjt188,
  interpretCjt188,
} from './codec.js';

function decodeAll(hex: string) {
  const counter = new StatsCounter();
  const frames = new Cjt188Decoder(counter).push(parseHex(hex));
  return { frames, stats: counter.snapshot() };
}

/**
 * Frames published in public code (checksums re-verified here):
 *  [A] a Python water-meter tool (protocol.py METER_NUMBER_REQUEST and its test):
 *      "68 10 AA AA AA AA AA AA AA 03 03 0A 81 02 B1 16" and the reply
 *      "FF 68 10 00 29 15 24 03 26 20 83 03 0A 81 02 36 16" → meter "00 29 15 24 03 26 20".
 *  [B] a Go gateway's water-meter driver (comment): read address reply
 *      "FE FE 68 10 89 67 45 23 01 33 78 83 03 0A 81 A7 34 16", "表具ID号为78330123456789";
 *      a captured 901F reply "FE FE 68 10 45 41 10 05 15 33 78 81 16 90 1F AA 00 59 59 00 2C FF FF
 *      FF FF 2C FF FF FF FF FF FF FF 00 00 C2 16" (settlement flow and time FF-filled); the
 *      wildcard read "fe fe 68 10 aa aa aa aa aa aa aa 01 03 1F 90 AA 7b 16" ("90和1f 可互换");
 *      and a reply documented as "回复数据的校验值不对" (checksum wrong).
 *  [C] aixiwang python_cjt188 (encode/decode self-test): request
 *      "68 10 12 00 00 00 00 00 00 01 03 90 1f 00 3d 16" and reply "fe fe fe 68 10 12 00 00 00 00
 *      00 00 81 16 90 1f 00 10 00 10 00 2c 10 00 10 00 2c 00 00 00 00 00 00 00 00 ff 67 16".
 *  [D] a Java CommUtil: "FE FE FE 68 10 AA AA AA AA AA AA AA 03 03 0A 81 00 AF 16".
 */
describe('CJ/T 188-2004 frames from public sources', () => {
  it('[A][D] builds the wildcard read-address request (DI sent 0A 81)', () => {
    expect(toHex(buildReadAddressRequest({ diOrder: 'low-first', ser: 2, wakeUp: 0 }))).toBe(
      '68 10 AA AA AA AA AA AA AA 03 03 0A 81 02 B1 16',
    );
    expect(toHex(buildReadAddressRequest({ diOrder: 'low-first', ser: 0, wakeUp: 3 }))).toBe(
      'FE FE FE 68 10 AA AA AA AA AA AA AA 03 03 0A 81 00 AF 16',
    );
  });

  it('[A][B] decodes read-address replies', () => {
    const a = decodeAll('FF 68 10 00 29 15 24 03 26 20 83 03 0A 81 02 36 16');
    expect(interpretCjt188(a.frames[0]!)).toEqual({
      kind: 'address',
      meterType: 0x10,
      address: '20260324152900',
      diOrder: 'low-first',
    });
    expect(a.stats.rejectReasons).toEqual({ GARBAGE: 1 }); // the leading FF is not a wake-up byte
    const b = decodeAll('FE FE 68 10 89 67 45 23 01 33 78 83 03 0A 81 A7 34 16');
    expect(interpretCjt188(b.frames[0]!)).toMatchObject({
      kind: 'address',
      address: '78330123456789',
    });
    expect(b.stats.decodeErrors).toBe(0);
  });

  it('[B] decodes a captured 901F reply, omitting FF-filled fields', () => {
    const { frames } = decodeAll(
      'FE FE 68 10 45 41 10 05 15 33 78 81 16 90 1F AA 00 59 59 00 2C FF FF FF FF 2C FF FF FF FF FF FF FF 00 00 C2 16',
    );
    expect(interpretCjt188(frames[0]!)).toEqual({
      kind: 'data',
      meterType: 0x10,
      address: '78331505104145',
      data: {
        di: 0x901f,
        diOrder: 'high-first',
        ser: 0xaa,
        currentFlow: { value: 5959, unitCode: 0x2c, unit: 'm³', m3: 5959 },
        status: { raw: '0000', valve: 'open', batteryLow: false },
        invalidFields: [],
      },
    });
  });

  it('[B] inspect shows the captured reply for an installer', () => {
    const r = inspectCjt188(
      parseHex(
        'FE FE 68 10 45 41 10 05 15 33 78 81 16 90 1F AA 00 59 59 00 2C FF FF FF FF 2C FF FF FF FF FF FF FF 00 00 C2 16',
      ),
    );
    expect(r).toMatchObject({
      ok: true,
      frame: {
        protocol: 'cjt188',
        kind: 'data',
        meterType: '10H',
        control: '81H',
        address: '78331505104145',
        data: { di: '901F', currentFlow: { m3: 5959, unit: 'm³' } },
      },
    });
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('[B] rejects the reply documented with a wrong checksum', () => {
    const r = inspectCjt188(
      parseHex(
        'FE FE FE FE 68 10 44 33 22 11 00 33 78 81 16 1F 90 00 00 77 66 55 2C 00 77 66 55 2C 31 01 22 11 05 15 20 21 84 08 16',
      ),
    );
    expect(r).toMatchObject({ ok: false, code: 'CHECKSUM' });
  });

  it('[B] reads the wildcard 901F request in the 1F 90 order', () => {
    const { frames } = decodeAll('fe fe 68 10 aa aa aa aa aa aa aa 01 03 1F 90 AA 7b 16');
    expect(interpretCjt188(frames[0]!)).toEqual({
      kind: 'request',
      meterType: 0x10,
      address: 'AAAAAAAAAAAAAA',
      control: 0x01,
      di: 0x901f,
    });
    expect(toHex(buildReadDataRequest('AAAAAAAAAAAAAA', { diOrder: 'low-first', ser: 0xaa }))).toBe(
      'FE FE 68 10 AA AA AA AA AA AA AA 01 03 1F 90 AA 7B 16',
    );
  });

  it('[C] builds the 90 1F request and decodes the self-test reply', () => {
    expect(
      toHex(buildReadDataRequest('00000000000012', { diOrder: 'high-first', wakeUp: 0 })),
    ).toBe('68 10 12 00 00 00 00 00 00 01 03 90 1F 00 3D 16');
    const { frames } = decodeAll(
      'fe fe fe 68 10 12 00 00 00 00 00 00 81 16 90 1f 00 10 00 10 00 2c 10 00 10 00 2c 00 00 00 00 00 00 00 00 ff 67 16',
    );
    const reply = interpretCjt188(frames[0]!);
    expect(reply).toMatchObject({
      kind: 'data',
      address: '00000000000012',
      data: {
        currentFlow: { value: 1000.1, unit: 'm³', m3: 1000.1 },
        settlementFlow: { value: 1000.1 },
        status: { valve: 'open', batteryLow: false },
        invalidFields: [],
      },
    });
    if (reply.kind === 'data') expect(reply.data.meterTime).toBeUndefined();
  });
});

/** A 901F reply body: DI SER flow unit flow unit time(7) ST(2). */
function reply901f(opts: {
  flow: string;
  unit: number;
  st?: string;
  time?: string;
  diHex?: string;
}) {
  const data = parseHex(
    `${opts.diHex ?? '90 1F'} 01 ${opts.flow} ${opts.unit.toString(16)} FF FF FF FF FF ${opts.time ?? '00 30 14 22 11 26 20'} ${opts.st ?? '00 00'}`,
  );
  return encodeCjt188({
    meterType: CJT188_COLD_WATER,
    address: '00000000000001',
    control: 0x81,
    data,
  });
}

describe('CJ/T 188 fields, units and status layouts', () => {
  it('converts litres (29H) to m³ and keeps the meter time', () => {
    const { frames } = decodeAll(toHex(reply901f({ flow: '50 34 12 00', unit: 0x29 })));
    const r = interpretCjt188(frames[0]!);
    expect(r).toMatchObject({
      kind: 'data',
      data: {
        currentFlow: { value: 1234.5, unit: 'L', m3: 1.2345 },
        meterTime: '2026-11-22T14:30:00',
      },
    });
  });

  it('accepts the DI in either byte order', () => {
    const a = interpretCjt188(
      decodeAll(toHex(reply901f({ flow: '00 01 00 00', unit: 0x2c }))).frames[0]!,
    );
    const b = interpretCjt188(
      decodeAll(toHex(reply901f({ flow: '00 01 00 00', unit: 0x2c, diHex: '1F 90' }))).frames[0]!,
    );
    expect(a).toMatchObject({ data: { diOrder: 'high-first', currentFlow: { m3: 1 } } });
    expect(b).toMatchObject({ data: { diOrder: 'low-first', currentFlow: { m3: 1 } } });
  });

  it('names bad BCD, unknown units and bad times instead of turning them into values', () => {
    const r = interpretCjt188(
      decodeAll(toHex(reply901f({ flow: '0A 00 00 00', unit: 0x2c, time: '99 30 14 22 11 26 20' })))
        .frames[0]!,
    );
    expect(r).toMatchObject({
      kind: 'data',
      data: { invalidFields: ['currentFlow', 'meterTime'] },
    });
    if (r.kind === 'data') expect(r.data.currentFlow).toBeUndefined();
    const u = interpretCjt188(
      decodeAll(toHex(reply901f({ flow: '00 01 00 00', unit: 0x77 }))).frames[0]!,
    );
    expect(u).toMatchObject({ data: { invalidFields: ['currentFlow'] } });
  });

  it('reads valve and battery bits in the standard and the MSB-first layouts', () => {
    expect(decodeStatus(parseHex('05 00'), STATUS_LAYOUTS.standard)).toEqual({
      raw: '0500',
      valve: 'closed',
      batteryLow: true,
    });
    expect(decodeStatus(parseHex('A0 00'), STATUS_LAYOUTS['msb-first'])).toEqual({
      raw: 'A000',
      valve: 'closed',
      batteryLow: true,
    });
    expect(decodeStatus(parseHex('03 00'), STATUS_LAYOUTS.standard)?.valve).toBe('abnormal');
    expect(decodeStatus(parseHex('FF FF'), STATUS_LAYOUTS.standard)).toBeUndefined();
    for (const layout of Object.values(STATUS_LAYOUTS)) {
      for (const valve of ['open', 'closed', 'abnormal'] as const) {
        for (const batteryLow of [true, false]) {
          expect(decodeStatus(encodeStatus({ valve, batteryLow }, layout), layout)).toMatchObject({
            valve,
            batteryLow,
          });
        }
      }
    }
  });

  it('decodes an abnormal reply (C1H) with its status', () => {
    const f = encodeCjt188({
      meterType: 0x10,
      address: '00000000000001',
      control: 0xc1,
      data: parseHex('01 04 00'),
    });
    expect(inspectCjt188(f)).toMatchObject({
      ok: true,
      frame: { kind: 'abnormal', status: { batteryLow: true } },
    });
  });
});

describe('CJ/T 188 stream decoding properties', () => {
  const arbReply = fc
    .record({
      address: fc.stringMatching(/^[0-9]{14}$/),
      hundredths: fc.integer({ min: 0, max: 99_999_999 }),
      wakeUp: fc.integer({ min: 0, max: 4 }),
      lowFirst: fc.boolean(),
    })
    .map(({ address, hundredths, wakeUp, lowFirst }) => {
      const digits = String(hundredths).padStart(8, '0');
      const flow = [6, 4, 2, 0].map((i) => digits.slice(i, i + 2)).join(' ');
      const data = parseHex(
        `${lowFirst ? '1F 90' : '90 1F'} 00 ${flow} 2C FF FF FF FF FF FF FF FF FF FF FF FF 00 00`,
      );
      return {
        bytes: encodeCjt188({ meterType: 0x10, address, control: 0x81, data }, { wakeUp }),
        address,
        m3: hundredths / 100,
      };
    });

  it('property: random bytes never throw', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        for (const f of new Cjt188Decoder().push(bytes)) {
          expect(toHex(bytes)).toContain(toHex(encodeCjt188(f, { wakeUp: 0 })));
        }
        expect(inspectCjt188(bytes)).toHaveProperty('ok');
      }),
    );
  });

  it('property: any chunking of valid replies yields every reading in order', () => {
    fc.assert(
      fc.property(
        fc.array(arbReply, { minLength: 1, maxLength: 4 }),
        fc.array(fc.nat(40)),
        (replies, cuts) => {
          const all = Uint8Array.from(replies.flatMap((r) => [...r.bytes]));
          const d = new Cjt188Decoder();
          const out = [];
          let pos = 0;
          for (const c of cuts) {
            const next = Math.min(all.length, pos + c);
            out.push(...d.push(all.subarray(pos, next)));
            pos = next;
          }
          out.push(...d.push(all.subarray(pos)));
          expect(out.map((f) => interpretCjt188(f))).toMatchObject(
            replies.map((r) => ({
              kind: 'data',
              address: r.address,
              data: { currentFlow: { m3: r.m3 } },
            })),
          );
        },
      ),
    );
  });

  it('property: after any garbage, a valid reply is still found', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), arbReply, (garbage, reply) => {
        const frames = new Cjt188Decoder().push(Uint8Array.from([...garbage, ...reply.bytes]));
        const last = frames.at(-1);
        expect(last && interpretCjt188(last)).toMatchObject({
          kind: 'data',
          address: reply.address,
        });
      }),
    );
  });

  it('property: one mutated byte never yields a different reading; a lost reply is counted', () => {
    fc.assert(
      fc.property(arbReply, fc.nat(), fc.integer({ min: 1, max: 255 }), (reply, at, xor) => {
        const bytes = Uint8Array.from(reply.bytes);
        const i = at % bytes.length;
        bytes[i] = (bytes[i] ?? 0) ^ xor;
        const counter = new StatsCounter();
        const d = new Cjt188Decoder(counter);
        const out = d.push(bytes);
        d.flush();
        for (const f of out) {
          expect(interpretCjt188(f)).toMatchObject({
            address: reply.address,
            data: { currentFlow: { m3: reply.m3 } },
          });
        }
        if (out.length === 0) expect(counter.snapshot().decodeErrors).toBeGreaterThan(0);
      }),
    );
  });
});

describe('CJ/T 188 decoder on a shared bus', () => {
  it('skips a DL/T 645 request (implausible meter type) and decodes the reply right after it', () => {
    const counter = new StatsCounter();
    const d = new Cjt188Decoder(counter);
    const frames = d.push(
      parseHex(
        'FE FE FE FE 68 01 00 00 00 00 00 68 11 04 33 33 34 33 B3 16 FE FE 68 10 89 67 45 23 01 33 78 83 03 0A 81 A7 34 16',
      ),
    );
    expect(frames.map((f) => interpretCjt188(f))).toMatchObject([
      { kind: 'address', address: '78330123456789' },
    ]);
    expect(counter.snapshot().framesOk).toBe(1);
  });

  it('does not stall on a false start that claims a long frame', () => {
    const d = new Cjt188Decoder();
    const frames = d.push(
      parseHex(
        '68 10 00 00 00 00 00 00 00 81 60 FE 68 10 89 67 45 23 01 33 78 83 03 0A 81 A7 34 16',
      ),
    );
    expect(frames).toHaveLength(1);
  });
});
