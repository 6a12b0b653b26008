import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseHex } from '../common/hex.js';
import {
  HEADER_LENGTH,
  MAX_DATA_LENGTH,
  Mr60fda2ConfigError,
  Mr60fda2Decoder,
  TYPE,
  encodeFrame,
  encodeGetParameters,
  encodeReset,
  encodeSetAlarmArea,
  encodeSetFallThreshold,
  encodeSetInstallHeight,
  encodeSetSensitivity,
  inspectFrame,
  type Mr60fda2Report,
} from './codec.js';
import { createMr60fda2Session } from './descriptor.js';

// ESPHOME = esphome/esphome esphome/components/seeed_mr60fda2/seeed_mr60fda2.cpp (frames it sends)
// HLK     = Hi-Link "TinyFrame Protocol Reference" V1.2 (LD6002C), section given per frame. Only
//           frames whose printed checksums we re-computed correctly are used; HLK's 0x0E01,
//           0x0E0A-header and 0x0E0E examples carry wrong checksums and are left out.
const PUBLISHED: { hex: string; source: string; report: Mr60fda2Report }[] = [
  {
    hex: '01 00 00 00 00 0E 06 F6',
    source: 'ESPHOME get_radar_parameters',
    report: { kind: 'parameters_query' },
  },
  { hex: '01 00 00 00 00 21 10 CF', source: 'ESPHOME reset_radar', report: { kind: 'reset' } },
  {
    hex: '01 00 00 00 01 0E 02 F3 01 FE',
    source: 'HLK §2.2.2 report fall status',
    report: { kind: 'fall', fallen: true },
  },
  {
    hex: '01 00 00 00 04 0E 04 F0 00 00 20 40 9F',
    source: 'HLK §2.2.3 set installation height 2.5 m (header as ESPHOME set_install_height)',
    report: { kind: 'set_request', setting: 'install_height', value: 2.5 },
  },
  {
    hex: '01 00 00 00 01 0E 04 F5 01 FE',
    source: 'HLK §2.2.3 response: success',
    report: { kind: 'set_result', setting: 'install_height', success: true },
  },
  {
    hex: '01 00 00 00 04 0E 08 FC 9A 99 19 3F DA',
    source: 'HLK §2.2.5 set fall threshold 0.6 m (header as ESPHOME set_height_threshold)',
    report: { kind: 'set_request', setting: 'fall_threshold', value: 0.6 },
  },
  {
    hex: '01 00 00 00 04 0E 0A FE 03 00 00 00 FC',
    source: 'ESPHOME set_sensitivity header + HLK §2.2.6 data (sensitivity 3)',
    report: { kind: 'set_request', setting: 'sensitivity', value: 3 },
  },
];

// Built from the type table with checksums computed by hand (~xor).
const FROM_TABLE: { hex: string; report: Mr60fda2Report }[] = [
  { hex: '01 00 00 00 01 0F 09 F9 01 FE', report: { kind: 'presence', present: true } },
  { hex: '01 00 00 00 01 0F 09 F9 00 FF', report: { kind: 'presence', present: false } },
  { hex: '01 00 00 00 01 0E 02 F3 00 FF', report: { kind: 'fall', fallen: false } },
];

function decodeAll(bytes: Uint8Array): Mr60fda2Report[] {
  return new Mr60fda2Decoder().push(bytes).map((m) => m.report);
}

describe('MR60FDA2 codec: published frames', () => {
  it.each(PUBLISHED)('$source', ({ hex, report }) => {
    expect(decodeAll(parseHex(hex))).toEqual([report]);
    expect(inspectFrame(parseHex(hex))).toMatchObject({ ok: true, frame: { report } });
  });

  it.each(FROM_TABLE)('$hex', ({ hex, report }) => {
    expect(decodeAll(parseHex(hex))).toEqual([report]);
  });

  it('the command encoders produce the published frames byte for byte', () => {
    expect(encodeGetParameters()).toEqual(parseHex('01 00 00 00 00 0E 06 F6'));
    expect(encodeReset()).toEqual(parseHex('01 00 00 00 00 21 10 CF'));
    expect(encodeSetInstallHeight(2.5)).toEqual(parseHex('01 00 00 00 04 0E 04 F0 00 00 20 40 9F'));
    expect(encodeSetFallThreshold(0.6)).toEqual(parseHex('01 00 00 00 04 0E 08 FC 9A 99 19 3F DA'));
    expect(encodeSetSensitivity(3)).toEqual(parseHex('01 00 00 00 04 0E 0A FE 03 00 00 00 FC'));
    for (const { hex } of FROM_TABLE) {
      const b = parseHex(hex);
      expect(encodeFrame((b[5]! << 8) | b[6]!, b.subarray(8, b.length - 1))).toEqual(b);
    }
  });

  it('reads the reset frame with the FF checksum of no data (HLK §2.2.9) and skips that FF in a stream', () => {
    expect(inspectFrame(parseHex('01 00 00 00 00 21 10 CF FF'))).toMatchObject({ ok: true });
    const d = new Mr60fda2Decoder();
    expect(
      d
        .push(parseHex('01 00 00 00 00 21 10 CF FF 01 00 00 00 01 0E 02 F3 01 FE'))
        .map((m) => m.report),
    ).toEqual([{ kind: 'reset' }, { kind: 'fall', fallen: true }]);
    expect(d.stats().decodeErrors).toBe(0);
  });

  it('refuses out-of-range settings', () => {
    expect(() => encodeSetInstallHeight(0.5)).toThrow(Mr60fda2ConfigError);
    expect(() => encodeSetInstallHeight(Number.NaN)).toThrow(Mr60fda2ConfigError);
    expect(() => encodeSetSensitivity(2)).toThrow(Mr60fda2ConfigError);
    expect(() => encodeSetSensitivity(3.5)).toThrow(Mr60fda2ConfigError);
    expect(() => encodeSetFallThreshold(2)).toThrow(Mr60fda2ConfigError);
    expect(() => encodeSetAlarmArea({ left: 0.1, right: 0.5, front: 0.5, back: 0.5 })).toThrow(
      Mr60fda2ConfigError,
    );
  });

  it('round-trips the parameter block and the alarm area', () => {
    const block = Buffer.alloc(28);
    [2.2, 0.5].forEach((v, i) => block.writeFloatLE(v, 4 * i));
    block.writeUInt32LE(10, 8);
    [0.5, 0.6, 0.7, 0.8].forEach((v, i) => block.writeFloatLE(v, 12 + 4 * i));
    expect(decodeAll(encodeFrame(TYPE.PARAMETERS, block, 5))).toEqual([
      {
        kind: 'parameters',
        parameters: {
          installHeightM: 2.2,
          fallThresholdM: 0.5,
          sensitivity: 10,
          areaLeftM: 0.5,
          areaRightM: 0.6,
          areaFrontM: 0.7,
          areaBackM: 0.8,
        },
      },
    ]);
    expect(decodeAll(encodeSetAlarmArea({ left: 0.5, right: 0.5, front: 1, back: 1.5 }))).toEqual([
      { kind: 'set_request', setting: 'alarm_area', value: [0.5, 0.5, 1, 1.5] },
    ]);
  });

  it('decodes target reports (HLK §2.1.6) into motion', () => {
    const data = Buffer.alloc(44);
    data.writeInt32LE(2, 0);
    data.writeFloatLE(0.5, 4);
    data.writeInt32LE(0, 16);
    data.writeFloatLE(-0.25, 24);
    data.writeInt32LE(-3, 36);
    data.writeInt32LE(1, 40);
    const s = createMr60fda2Session();
    expect(s.push(encodeFrame(TYPE.TARGET_INFO, data))).toEqual([
      { type: 'telemetry', fields: { motion: true } },
    ]);
    expect(decodeAll(encodeFrame(TYPE.TARGET_INFO, [0, 0, 0, 0]))).toEqual([
      { kind: 'targets', targets: [] },
    ]);
  });
});

describe('MR60FDA2 rejections and inspect', () => {
  it.each([
    ['01 00 00', 'TOO_SHORT'],
    ['02 00 00 00 01 0E 02 F3 01 FE', 'BAD_HEADER'],
    ['01 00 00 00 01 0E 02 F4 01 FE', 'HEAD_CHECKSUM'],
    ['01 00 00 00 01 0E 02 F3 01 FF', 'DATA_CHECKSUM'],
    ['01 00 00 00 02 0E 02 F0 01', 'TRUNCATED'],
    ['01 00 00 00 01 0E 02 F3 01 FE 00', 'TRAILING_BYTES'],
    ['01 00 00 00 02 0E 02 F0 01 01 FF', 'BAD_DATA'],
    ['01 00 00 00 01 0E 02 F3 05 FA', 'BAD_VALUE'],
    ['01 00 00 10 00 0E 02 E2', 'BAD_LENGTH'],
  ])('%s → %s', (hex, code) => {
    expect(inspectFrame(parseHex(hex))).toMatchObject({ ok: false, code });
  });

  it('counts rejections by reason and resynchronises', () => {
    const d = new Mr60fda2Decoder();
    const out = d.push(
      parseHex(
        'AA BB 01 00 00 00 01 0E 02 F3 01 FF 01 00 00 00 01 0E 02 F4 01 FE 01 00 00 00 01 0F 09 F9 01 FE',
      ),
    );
    expect(out.map((m) => m.report)).toEqual([{ kind: 'presence', present: true }]);
    const s = d.stats();
    expect(s.rejectReasons.RESYNC).toBe(1);
    expect(s.rejectReasons.DATA_CHECKSUM).toBe(1);
    expect(s.rejectReasons.HEAD_CHECKSUM).toBeGreaterThanOrEqual(1);
    expect(s.framesOk).toBe(1);
  });

  it('counts unknown types', () => {
    const d = new Mr60fda2Decoder();
    d.push(encodeFrame(0x0a0d, [5, 0, 0, 0]));
    expect(d.stats().rejectReasons.UNKNOWN).toBe(1);
  });
});

describe('MR60FDA2 session', () => {
  it('maps fall and presence', () => {
    const s = createMr60fda2Session();
    expect(
      s.push(
        parseHex(
          '01 00 00 00 01 0F 09 F9 01 FE 01 00 00 00 01 0E 02 F3 01 FE 01 00 00 00 01 0E 02 F3 00 FF',
        ),
      ),
    ).toEqual([
      { type: 'telemetry', fields: { presence: true } },
      { type: 'alarm', kind: 'fall', action: 'raise' },
      { type: 'alarm', kind: 'fall', action: 'clear' },
    ]);
  });
});

const knownFrame = fc.oneof(
  fc.boolean().map((b) => encodeFrame(TYPE.FALL, [b ? 1 : 0])),
  fc.boolean().map((b) => encodeFrame(TYPE.PEOPLE_EXIST, [b ? 1 : 0])),
  fc.integer({ min: -5, max: 5 }).map((dop) => {
    const d = Buffer.alloc(24);
    d.writeInt32LE(1, 0);
    d.writeInt32LE(dop, 16);
    return encodeFrame(TYPE.TARGET_INFO, d);
  }),
);
const id = fc.integer({ min: 0, max: 0x7fff });
const framed = fc.tuple(knownFrame, id).map(([f, i]) => {
  const c = Uint8Array.from(f);
  c[1] = (i >> 8) & 0xff;
  c[2] = i & 0xff;
  c[7] = 0;
  let x = 0;
  for (let k = 0; k < 7; k++) x ^= c[k]!;
  c[7] = ~x & 0xff;
  return c;
});

const cat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

describe('MR60FDA2 decoder: properties', () => {
  it('never throws on random bytes and stays bounded', () => {
    // Random bytes, and cut-off frames of the longest length: what fills the buffer most.
    const longest = encodeFrame(TYPE.FALL, new Array<number>(MAX_DATA_LENGTH).fill(0));
    const chunk = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      fc.nat(longest.length - 1).map((n) => longest.subarray(0, n)),
    );
    fc.assert(
      fc.property(fc.array(chunk, { maxLength: 10 }), (chunks) => {
        const session = createMr60fda2Session();
        const d = new Mr60fda2Decoder();
        let total = 0;
        for (const c of chunks) {
          session.push(c);
          d.push(c);
          total += c.length;
          // Memory: a frame is 8 header bytes, ≤ MAX_DATA_LENGTH data and a data checksum; at
          // most that less one byte is ever held back.
          expect(d.buffered()).toBeLessThanOrEqual(HEADER_LENGTH + MAX_DATA_LENGTH);
          expect(d.buffered()).toBeLessThanOrEqual(total);
        }
        // Counting: a frame takes at least its header, a rejection at least one byte.
        const s = d.stats();
        expect(s.framesOk * HEADER_LENGTH + s.decodeErrors).toBeLessThanOrEqual(total);
        expect(session.stats()).toEqual(s);
      }),
      { numRuns: 300 },
    );
  });

  it('decodes the same whatever the chunking', () => {
    fc.assert(
      fc.property(
        fc.array(framed, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (frames, cuts) => {
          const stream = cat(frames);
          const whole = decodeAll(stream);
          expect(whole).toHaveLength(frames.length);
          const points = [...new Set(cuts.map((c) => c % (stream.length + 1)))].sort(
            (a, b) => a - b,
          );
          const d = new Mr60fda2Decoder();
          const got: Mr60fda2Report[] = [];
          let prev = 0;
          for (const p of [...points, stream.length]) {
            got.push(...d.push(stream.subarray(prev, p)).map((m) => m.report));
            prev = p;
          }
          expect(got).toEqual(whole);
          expect(d.stats().decodeErrors).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a mutated frame yields no reading and the frames after it are still read', () => {
    fc.assert(
      fc.property(
        framed,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        fc.array(framed, { minLength: 1, maxLength: 4 }),
        (frame, index, xor, after) => {
          const mutated = Uint8Array.from(frame);
          const at = index % mutated.length;
          mutated[at] = mutated[at]! ^ xor;
          const s = createMr60fda2Session();
          expect(s.push(cat([mutated, ...after]))).toEqual(
            createMr60fda2Session().push(cat(after)),
          );
          expect(s.stats().decodeErrors).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('garbage without 01 between frames never hides a frame', () => {
    const garbage = fc
      .uint8Array({ maxLength: 20 })
      .map((g) => g.map((b) => (b === 0x01 ? 0x02 : b)));
    fc.assert(
      fc.property(fc.array(fc.tuple(garbage, framed), { minLength: 1, maxLength: 6 }), (pairs) => {
        const got = decodeAll(cat(pairs.flatMap(([g, f]) => [g, f])));
        expect(got).toEqual(pairs.map(([, f]) => decodeAll(f)[0]));
      }),
      { numRuns: 300 },
    );
  });
});
