import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex, toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import {
  DLT645_ITEMS,
  Dlt645Decoder,
  buildReadAddressRequest,
  buildReadRequest,
  decodeErrorWord,
  decodeItemValue,
  encodeDlt645,
  encodeItemValue,
  findDlt645Item,
  inspectDlt645,
  interpretDlt645,
} from './codec.js';

function decodeAll(hex: string) {
  const counter = new StatsCounter();
  const frames = new Dlt645Decoder(counter).push(parseHex(hex));
  return { frames, stats: counter.snapshot() };
}

/**
 * Frames published in public code and documents (all checksums re-verified here):
 *  [A] "68 AA AA AA AA AA AA 68 13 00 DF 16": the read-address broadcast used by many public
 *      DL/T 645 tools, e.g. emillaii/iotDevice code/production.lua and a Java CommUtil test.
 *  [B] a Go DL/T 645 client test (TestDlt comment): request [A] with FE×4, reply
 *      "68 01 00 00 00 00 00 68 93 06 34 33 33 33 33 33 9D 16", "address 000000000001".
 *  [C] a C charger firmware (SearchMeterData comment) and a Go codec test (TestChecksum):
 *      "68 01 00 00 00 00 00 68 11 04 33 33 34 33 B3 16" reads 00 01 00 00 from meter 1.
 *  [D] Java DLT645FrameUtils (cn.edu.xust) comments: request
 *      "68 37 03 00 92 81 39 68 11 04 33 33 34 33 38 16" and reply
 *      "68 37 03 00 92 81 39 68 91 08 33 33 34 33 37 33 33 33 8C 16" = "000000.04 kWh".
 *  [E] a Python reading script: "68 16 00 00 00 15 20 68 11 04 33 33 34 33 FD 16" (total energy)
 *      and its frequency request "… 35 33 B3 35 85 16", whose CS is wrong (sum is 80).
 */
describe('DL/T 645-2007 frames from public sources', () => {
  it('[A] builds the wildcard read-address request byte for byte', () => {
    expect(toHex(buildReadAddressRequest({ wakeUp: 0 }))).toBe(
      '68 AA AA AA AA AA AA 68 13 00 DF 16',
    );
    expect(toHex(buildReadAddressRequest())).toBe(
      'FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16',
    );
    expect(inspectDlt645(parseHex('68 AA AA AA AA AA AA 68 13 00 DF 16'))).toEqual({
      ok: true,
      frame: {
        kind: 'request',
        protocol: 'dlt645',
        address: 'AAAAAAAAAAAA',
        control: '13H',
        direction: 'master→meter',
        data: '',
      },
    });
  });

  it('[B] decodes the read-address reply to address 000000000001', () => {
    const { frames, stats } = decodeAll('68 01 00 00 00 00 00 68 93 06 34 33 33 33 33 33 9D 16');
    expect(frames).toHaveLength(1);
    expect(interpretDlt645(frames[0]!)).toEqual({ kind: 'address', address: '000000000001' });
    expect(stats).toEqual({ framesOk: 1, decodeErrors: 0, rejectReasons: {} });
  });

  it('[C] builds the read request for forward active energy of meter 000000000001', () => {
    expect(toHex(buildReadRequest('000000000001', '00010000', { wakeUp: 0 }))).toBe(
      '68 01 00 00 00 00 00 68 11 04 33 33 34 33 B3 16',
    );
  });

  it('[D] builds the request and decodes the 0.04 kWh reply of meter 398192000337', () => {
    expect(toHex(buildReadRequest('398192000337', '00010000', { wakeUp: 0 }))).toBe(
      '68 37 03 00 92 81 39 68 11 04 33 33 34 33 38 16',
    );
    const { frames } = decodeAll('68 37 03 00 92 81 39 68 91 08 33 33 34 33 37 33 33 33 8C 16');
    const reply = interpretDlt645(frames[0]!);
    expect(reply).toMatchObject({
      kind: 'data',
      address: '398192000337',
      di: '00010000',
      value: 0.04,
      followUp: false,
    });
  });

  it('[E] builds the request of meter 201500000016 and rejects the frame with a wrong CS', () => {
    expect(toHex(buildReadRequest('201500000016', '00010000', { wakeUp: 0 }))).toBe(
      '68 16 00 00 00 15 20 68 11 04 33 33 34 33 FD 16',
    );
    const { frames, stats } = decodeAll('68 16 00 00 00 15 20 68 11 04 35 33 B3 35 85 16');
    expect(frames).toHaveLength(0);
    expect(stats.rejectReasons).toEqual({ CHECKSUM: 1 });
    expect(
      inspectDlt645(parseHex('68 16 00 00 00 15 20 68 11 04 35 33 B3 35 85 16')),
    ).toMatchObject({
      ok: false,
      code: 'CHECKSUM',
    });
  });
});

describe('DL/T 645-2007 Appendix A data formats', () => {
  const item = (di: string) => findDlt645Item(di)!;
  it.each([
    ['00010000', '78 56 34 12', 123456.78],
    ['02010100', '34 22', 223.4],
    ['02020100', '00 50 00', 5],
    ['02020100', '50 12 80', -1.25],
    ['02030000', '00 15 00', 0.15],
    ['02030000', '34 12 81', -1.1234],
    ['02060000', '80 09', 0.98],
    ['02060000', '00 90', -1],
    ['02800002', '01 50', 50.01],
  ])('DI %s bytes %s → %d', (di, hex, value) => {
    expect(decodeItemValue(item(di), parseHex(hex))).toBeCloseTo(value, 6);
    expect(toHex(encodeItemValue(item(di), value))).toBe(hex);
  });

  it('refuses non-BCD digits and wrong lengths', () => {
    expect(decodeItemValue(item('00010000'), parseHex('7A 56 34 12'))).toBeUndefined();
    expect(decodeItemValue(item('02010100'), parseHex('34 22 00'))).toBeUndefined();
  });

  it('decodes the error word of an abnormal reply (D1H)', () => {
    expect(decodeErrorWord(0x02).map((e) => e.code)).toEqual(['NO_DATA']);
    expect(decodeErrorWord(0x05).map((e) => e.code)).toEqual(['OTHER', 'PASSWORD']);
    const frame = encodeDlt645({
      address: '000000000001',
      control: 0xd1,
      data: Uint8Array.of(0x02),
    });
    const { frames } = decodeAll(toHex(frame));
    expect(interpretDlt645(frames[0]!)).toMatchObject({
      kind: 'abnormal',
      errorWord: 2,
      errors: [{ code: 'NO_DATA' }],
    });
  });

  it('marks a reply with follow-up frames (B1H)', () => {
    const data = Uint8Array.of(0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00);
    const frame = encodeDlt645({ address: '000000000001', control: 0xb1, data });
    const { frames } = decodeAll(toHex(frame));
    expect(interpretDlt645(frames[0]!)).toMatchObject({ kind: 'data', value: 100, followUp: true });
  });

  it('reports a known DI with the wrong number of bytes as invalid, not as a value', () => {
    // [B2] from the same Go test comment: DI 02 01 01 00 (voltage) with 4 value bytes.
    const { frames } = decodeAll(
      'FE FE FE FE 68 01 00 00 00 00 00 68 91 08 33 34 34 35 77 66 55 44 B0 16',
    );
    expect(interpretDlt645(frames[0]!)).toMatchObject({ kind: 'invalid', code: 'ITEM_LENGTH' });
  });
});

describe('DL/T 645 stream decoding', () => {
  const reply = encodeDlt645({
    address: '000000000001',
    control: 0x91,
    data: Uint8Array.of(0x00, 0x00, 0x01, 0x00, 0x78, 0x56, 0x34, 0x12),
  });

  it('resynchronises after garbage, a false 68 and a bad checksum, counting each once', () => {
    const bad = Uint8Array.from(reply.subarray(4));
    bad[bad.length - 2] = (bad[bad.length - 2] ?? 0) ^ 0x01;
    const input = new Uint8Array([0x01, 0x68, 0x02, 0x03, ...bad, ...reply]);
    const counter = new StatsCounter();
    const frames = new Dlt645Decoder(counter).push(input);
    expect(frames).toHaveLength(1);
    expect(interpretDlt645(frames[0]!)).toMatchObject({ value: 123456.78 });
    expect(counter.snapshot().rejectReasons).toEqual({ GARBAGE: 1, CHECKSUM: 1 });
  });

  it('counts a frame cut off by the reply timeout as INCOMPLETE', () => {
    const counter = new StatsCounter();
    const d = new Dlt645Decoder(counter);
    expect(d.push(reply.subarray(0, 10))).toEqual([]);
    d.flush();
    expect(counter.snapshot().rejectReasons).toEqual({ INCOMPLETE: 1 });
    expect(d.push(reply)).toHaveLength(1);
  });

  it('rejects an end byte that is not 16', () => {
    const bad = Uint8Array.from(reply);
    bad[bad.length - 1] = 0x17;
    expect(inspectDlt645(bad)).toMatchObject({ ok: false, code: 'NO_END' });
  });

  it('inspect explains a reply with its value and unit', () => {
    expect(inspectDlt645(reply)).toEqual({
      ok: true,
      frame: {
        protocol: 'dlt645',
        address: '000000000001',
        control: '91H',
        direction: 'meter→master',
        data: '0000010078563412',
        kind: 'data',
        di: '00010000',
        name: 'forward active energy (total)',
        value: 123456.78,
        unit: 'kWh',
        followUp: false,
      },
    });
    expect(inspectDlt645(new Uint8Array(0))).toMatchObject({ ok: false, code: 'EMPTY' });
    expect(inspectDlt645(parseHex('FE FE'))).toMatchObject({ ok: false, code: 'NO_FRAME' });
  });

  const arbFrame = fc
    .record({
      address: fc.stringMatching(/^[0-9]{12}$/),
      item: fc.constantFrom(...DLT645_ITEMS),
      int: fc.nat(),
      negative: fc.boolean(),
      wakeUp: fc.integer({ min: 0, max: 4 }),
    })
    .map(({ address, item, int, negative, wakeUp }) => {
      const max = (item.signed ? 8 : 10) * 10 ** (item.bytes * 2 - 1) - 1;
      const value = ((int % max) / 10 ** item.decimals) * (item.signed && negative ? -1 : 1);
      const di = [...parseHex(item.di)].reverse();
      const data = Uint8Array.from([...di, ...encodeItemValue(item, value)]);
      return {
        bytes: encodeDlt645({ address, control: 0x91, data }, { wakeUp }),
        address,
        item,
        value,
      };
    });

  it('property: random bytes never throw and never yield a frame with a bad checksum', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const frames = new Dlt645Decoder().push(bytes);
        // Every frame it returns is literally in the input, checksum and all.
        for (const f of frames)
          expect(toHex(bytes)).toContain(toHex(encodeDlt645(f, { wakeUp: 0 })));
        expect(inspectDlt645(bytes)).toHaveProperty('ok');
      }),
    );
  });

  it('property: any chunking of valid frames decodes them all, in order, with their values', () => {
    fc.assert(
      fc.property(
        fc.array(arbFrame, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(30)),
        (frames, cuts) => {
          const all = Uint8Array.from(frames.flatMap((f) => [...f.bytes]));
          const d = new Dlt645Decoder();
          const out = [];
          let pos = 0;
          for (const c of cuts) {
            out.push(...d.push(all.subarray(pos, Math.min(all.length, pos + c))));
            pos = Math.min(all.length, pos + c);
          }
          out.push(...d.push(all.subarray(pos)));
          expect(out).toHaveLength(frames.length);
          out.forEach((f, i) => {
            const r = interpretDlt645(f);
            expect(r).toMatchObject({ kind: 'data', address: frames[i]!.address });
            if (r.kind === 'data') expect(r.value).toBeCloseTo(frames[i]!.value, 6);
          });
        },
      ),
    );
  });

  it('property: after any garbage, a valid frame is still found', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), arbFrame, (garbage, frame) => {
        const frames = new Dlt645Decoder().push(Uint8Array.from([...garbage, ...frame.bytes]));
        const last = frames.at(-1);
        expect(last && interpretDlt645(last)).toMatchObject({
          kind: 'data',
          address: frame.address,
        });
      }),
    );
  });

  it('property: a single mutated byte never yields a different value, and a lost frame is counted', () => {
    fc.assert(
      fc.property(arbFrame, fc.nat(), fc.integer({ min: 1, max: 255 }), (frame, at, xor) => {
        const bytes = Uint8Array.from(frame.bytes);
        const i = at % bytes.length;
        bytes[i] = (bytes[i] ?? 0) ^ xor;
        const counter = new StatsCounter();
        const d = new Dlt645Decoder(counter);
        const out = d.push(bytes);
        d.flush();
        for (const f of out) {
          const r = interpretDlt645(f);
          expect(r).toMatchObject({ kind: 'data', address: frame.address, di: frame.item.di });
          if (r.kind === 'data') expect(r.value).toBeCloseTo(frame.value, 6);
        }
        if (out.length === 0) expect(counter.snapshot().decodeErrors).toBeGreaterThan(0);
      }),
    );
  });
});

describe('DL/T 645 decoder on a quiet bus after a false start', () => {
  it('does not wait for a long frame a false 68 claims when a valid frame follows', () => {
    const counter = new StatsCounter();
    const d = new Dlt645Decoder(counter);
    // A false header claiming 200 data bytes, then a complete reply, then silence.
    const frames = d.push(
      parseHex(
        '68 00 00 00 00 00 00 68 91 C8 68 01 00 00 00 00 00 68 93 06 34 33 33 33 33 33 9D 16',
      ),
    );
    expect(frames.map(interpretDlt645)).toEqual([{ kind: 'address', address: '000000000001' }]);
    expect(counter.snapshot().rejectReasons).toEqual({ HEADER: 1 });
  });
});
