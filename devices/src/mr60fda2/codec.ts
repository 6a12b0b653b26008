/**
 * Seeed MR60FDA2 60 GHz fall-detection radar (the "mmWave for XIAO" fall kit): UART frame codec
 * (pure, no I/O). The module speaks the TinyFrame protocol of its Hi-Link radar chip.
 *
 * Sources (cited as [ESPHOME], [SEEED] and [HLK] below):
 * - [ESPHOME] esphome/esphome, esphome/components/seeed_mr60fda2/seeed_mr60fda2.{h,cpp}: frame
 *   parser (SOF, ID, LEN, TYPE, HEAD_CKSUM, DATA, DATA_CKSUM), XOR-and-invert checksum, the report
 *   types 0x0E02 (fall) and 0x0F09 (people exist), and the complete command frames it sends for
 *   install height, height threshold, sensitivity, get-parameters and reset.
 * - [SEEED] Seeed's Arduino mmWave library (SeeedmmWave.cpp `packetFrame`/`processFrame`,
 *   SEEED_MR60FDA2.h `TypeFallDetection`): the same layout, host frame ids from 0x8000, and the
 *   parameter reply 0x0E06 (height f32, threshold f32, sensitivity u32, rect XL/XR/ZF/ZB f32).
 * - [HLK] Hi-Link "TinyFrame Protocol Reference" V1.2 for HLK-LD6002B/LD6002C, §1.2 frame
 *   structure, §1.3 byte order (header big-endian, DATA little-endian), §2.1.6 target report
 *   0x0A04, §2.2 fall extension (0x0E02…0x0E0E, 0x2110). Some header checksums printed in that
 *   document are wrong; every frame used in our tests was re-checked against [ESPHOME].
 *
 * Frame: 01 | id (u16 BE) | len (u16 BE) | type (u16 BE) | head_cksum | data[len] | data_cksum
 * where head_cksum = ~(xor of the 7 bytes before it) and data_cksum = ~(xor of data) ([ESPHOME]
 * `calculate_checksum`). A frame with no data is sent without a data checksum ([ESPHOME]
 * get_radar_parameters: 8 bytes) or with FF, the checksum of nothing ([HLK] §2.2.9); both are read.
 */
import { toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import type { DecodeStats } from '../driver.js';

export const SOF = 0x01;
export const HEADER_LENGTH = 8;
/**
 * Longest data accepted. [SEEED] drops frames over 30 bytes and [ESPHOME] over 28; the target
 * report 0x0A04 grows by 20 bytes per target ([HLK] §2.1.6), so 256 leaves room for 12 targets.
 */
export const MAX_DATA_LENGTH = 256;

/** Message types ([ESPHOME] seeed_mr60fda2.h, [SEEED] TypeFallDetection, [HLK] §2). */
export const TYPE = {
  /** Radar → host: target report: count, then x, y, z (f32 m), dop_idx, cluster (i32) each. */
  TARGET_INFO: 0x0a04,
  /** Radar → host: 1 byte, 1 = fall. */
  FALL: 0x0e02,
  /** Host → radar: install height f32 (m); radar → host: 1 byte result. */
  INSTALL_HEIGHT: 0x0e04,
  /** Host → radar: no data; radar → host: the parameter block (28 bytes). */
  PARAMETERS: 0x0e06,
  /** Host → radar: fall height threshold f32 (m); radar → host: 1 byte result. */
  FALL_THRESHOLD: 0x0e08,
  /** Host → radar: sensitivity u32 (frames averaged, 3..30); radar → host: 1 byte result. */
  SENSITIVITY: 0x0e0a,
  /** Host → radar: alarm area XL, XR, ZF, ZB f32 (m); radar → host: 1 byte result. */
  ALARM_AREA: 0x0e0c,
  /** Radar → host: current target height, u32 ([HLK] §2.2.8). */
  HEIGHT_INFO: 0x0e0e,
  /** Radar → host: 1 byte, 1 = someone present ([ESPHOME] PEOPLE_EXIST_TYPE_BUFFER). */
  PEOPLE_EXIST: 0x0f09,
  /** Host → radar: restore factory parameters, no data. */
  RESET: 0x2110,
} as const;

export interface Mr60fda2Frame {
  id: number;
  type: number;
  data: Uint8Array;
}

export interface Mr60fda2Parameters {
  installHeightM: number;
  fallThresholdM: number;
  sensitivity: number;
  areaLeftM: number;
  areaRightM: number;
  areaFrontM: number;
  areaBackM: number;
}

export interface Mr60fda2Target {
  x: number;
  y: number;
  z: number;
  dopplerIndex: number;
  cluster: number;
}

export type Mr60fda2Report =
  | { kind: 'fall'; fallen: boolean }
  | { kind: 'presence'; present: boolean }
  | { kind: 'targets'; targets: Mr60fda2Target[] }
  | { kind: 'height'; value: number }
  | { kind: 'parameters'; parameters: Mr60fda2Parameters }
  | { kind: 'parameters_query' }
  | { kind: 'reset' }
  | { kind: 'set_result'; setting: SettingName; success: boolean }
  | { kind: 'set_request'; setting: SettingName; value: number | number[] }
  /** A frame with no data: the radar's acknowledgement of a command ([HLK] §1.3 note 1). */
  | { kind: 'ack'; type: number }
  | { kind: 'unknown'; type: number; data: string };

export type SettingName = 'install_height' | 'fall_threshold' | 'sensitivity' | 'alarm_area';

export type DecodeResult =
  { ok: true; report: Mr60fda2Report } | { ok: false; code: string; reason: string };

/** ~(xor of bytes[from..to)), the TinyFrame TF_CKSUM_XOR ([HLK] §3.4, [ESPHOME]). */
export function xorChecksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return ~x & 0xff;
}

/**
 * Builds a frame. `id` is the sender's frame counter ([SEEED] starts host frames at 0x8000);
 * with no data the frame is 8 bytes, as [ESPHOME] sends it.
 */
export function encodeFrame(type: number, data: Uint8Array | number[] = [], id = 0): Uint8Array {
  const payload = data instanceof Uint8Array ? data : Uint8Array.from(data);
  if (payload.length > 0xffff) throw new RangeError('MR60FDA2 data longer than 65535 bytes');
  const total = HEADER_LENGTH + payload.length + (payload.length > 0 ? 1 : 0);
  const frame = new Uint8Array(total);
  frame[0] = SOF;
  frame[1] = (id >> 8) & 0xff;
  frame[2] = id & 0xff;
  frame[3] = (payload.length >> 8) & 0xff;
  frame[4] = payload.length & 0xff;
  frame[5] = (type >> 8) & 0xff;
  frame[6] = type & 0xff;
  frame[7] = xorChecksum(frame, 0, 7);
  if (payload.length > 0) {
    frame.set(payload, HEADER_LENGTH);
    frame[total - 1] = xorChecksum(payload);
  }
  return frame;
}

function f32(value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value, 0);
  return [...b];
}

function u32(value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return [...b];
}

export class Mr60fda2ConfigError extends Error {
  readonly code = 'BAD_SETTING';
}

/** Host command: install height in metres, 1.0–5.0 ([HLK] §2.2.3; [ESPHOME] set_install_height). */
export function encodeSetInstallHeight(metres: number, id = 0): Uint8Array {
  if (!(metres >= 1 && metres <= 5))
    throw new Mr60fda2ConfigError(`install height ${metres} m is outside 1.0–5.0 m`);
  return encodeFrame(TYPE.INSTALL_HEIGHT, f32(metres), id);
}

/** Host command: fall height threshold in metres, 0.0–1.5 ([HLK] §2.2.5; [ESPHOME] offers 0.0–0.6). */
export function encodeSetFallThreshold(metres: number, id = 0): Uint8Array {
  if (!(metres >= 0 && metres <= 1.5))
    throw new Mr60fda2ConfigError(`fall threshold ${metres} m is outside 0.0–1.5 m`);
  return encodeFrame(TYPE.FALL_THRESHOLD, f32(metres), id);
}

/** Host command: sensitivity, frames averaged 3–30 ([HLK] §2.2.6; [ESPHOME] offers 3, 15, 30). */
export function encodeSetSensitivity(frames: number, id = 0): Uint8Array {
  if (!Number.isInteger(frames) || frames < 3 || frames > 30)
    throw new Mr60fda2ConfigError(`sensitivity ${frames} is not an integer in 3–30`);
  return encodeFrame(TYPE.SENSITIVITY, u32(frames), id);
}

/** Host command: alarm area edges in metres, each 0.3–1.5 ([HLK] §2.2.7). */
export function encodeSetAlarmArea(
  area: { left: number; right: number; front: number; back: number },
  id = 0,
): Uint8Array {
  const edges = [area.left, area.right, area.front, area.back];
  for (const e of edges)
    if (!(e >= 0.3 && e <= 1.5))
      throw new Mr60fda2ConfigError(`alarm area edge ${e} m is outside 0.3–1.5 m`);
  return encodeFrame(TYPE.ALARM_AREA, edges.flatMap(f32), id);
}

/** Host query: the parameter block ([ESPHOME] get_radar_parameters: `01 00 00 00 00 0E 06 F6`). */
export function encodeGetParameters(id = 0): Uint8Array {
  return encodeFrame(TYPE.PARAMETERS, [], id);
}

/** Host command: factory parameters ([ESPHOME] reset_radar: `01 00 00 00 00 21 10 CF`). */
export function encodeReset(id = 0): Uint8Array {
  return encodeFrame(TYPE.RESET, [], id);
}

const SETTING_OF_TYPE: Record<number, SettingName> = {
  [TYPE.INSTALL_HEIGHT]: 'install_height',
  [TYPE.FALL_THRESHOLD]: 'fall_threshold',
  [TYPE.SENSITIVITY]: 'sensitivity',
  [TYPE.ALARM_AREA]: 'alarm_area',
};

function round(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

/** Gives a checksum-verified frame its meaning. Never throws. */
export function decodeFrame(frame: Mr60fda2Frame): DecodeResult {
  const { type, data } = frame;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const where = `type 0x${type.toString(16).padStart(4, '0')}`;
  const badLength = (expected: string): DecodeResult => ({
    ok: false,
    code: 'BAD_DATA',
    reason: `${where} carries ${data.length} data bytes, expected ${expected}`,
  });
  const flag = (): boolean | DecodeResult => {
    if (data.length !== 1) return badLength('1');
    const v = data[0] ?? 0;
    if (v > 1)
      return {
        ok: false,
        code: 'BAD_VALUE',
        reason: `${where} value 0x${v.toString(16)} is not 0 or 1`,
      };
    return v === 1;
  };

  if (data.length === 0) {
    if (type === TYPE.PARAMETERS) return { ok: true, report: { kind: 'parameters_query' } };
    if (type === TYPE.RESET) return { ok: true, report: { kind: 'reset' } };
    return { ok: true, report: { kind: 'ack', type } };
  }
  switch (type) {
    case TYPE.FALL: {
      const v = flag();
      return typeof v === 'boolean' ? { ok: true, report: { kind: 'fall', fallen: v } } : v;
    }
    case TYPE.PEOPLE_EXIST: {
      const v = flag();
      return typeof v === 'boolean' ? { ok: true, report: { kind: 'presence', present: v } } : v;
    }
    case TYPE.HEIGHT_INFO:
      if (data.length !== 4) return badLength('4');
      return { ok: true, report: { kind: 'height', value: view.getUint32(0, true) } };
    case TYPE.TARGET_INFO: {
      if (data.length < 4) return badLength('4 + 20 per target');
      const count = view.getInt32(0, true);
      if (count < 0 || data.length !== 4 + 20 * count)
        return badLength(`4 + 20 × ${count} targets`);
      const targets: Mr60fda2Target[] = [];
      for (let i = 0; i < count; i++) {
        const o = 4 + 20 * i;
        targets.push({
          x: round(view.getFloat32(o, true)),
          y: round(view.getFloat32(o + 4, true)),
          z: round(view.getFloat32(o + 8, true)),
          dopplerIndex: view.getInt32(o + 12, true),
          cluster: view.getInt32(o + 16, true),
        });
      }
      return { ok: true, report: { kind: 'targets', targets } };
    }
    case TYPE.PARAMETERS:
      if (data.length !== 28) return badLength('28');
      return {
        ok: true,
        report: {
          kind: 'parameters',
          parameters: {
            installHeightM: round(view.getFloat32(0, true)),
            fallThresholdM: round(view.getFloat32(4, true)),
            sensitivity: view.getUint32(8, true),
            areaLeftM: round(view.getFloat32(12, true)),
            areaRightM: round(view.getFloat32(16, true)),
            areaFrontM: round(view.getFloat32(20, true)),
            areaBackM: round(view.getFloat32(24, true)),
          },
        },
      };
  }
  const setting = SETTING_OF_TYPE[type];
  if (setting) {
    if (data.length === 1) {
      const v = flag();
      return typeof v === 'boolean'
        ? { ok: true, report: { kind: 'set_result', setting, success: v } }
        : v;
    }
    // The host's own command, e.g. in a capture an installer pastes.
    if (setting === 'alarm_area' && data.length === 16)
      return {
        ok: true,
        report: {
          kind: 'set_request',
          setting,
          value: [0, 4, 8, 12].map((o) => round(view.getFloat32(o, true))),
        },
      };
    if (setting !== 'alarm_area' && data.length === 4)
      return {
        ok: true,
        report: {
          kind: 'set_request',
          setting,
          value:
            setting === 'sensitivity' ? view.getUint32(0, true) : round(view.getFloat32(0, true)),
        },
      };
    return badLength(setting === 'alarm_area' ? '1 or 16' : '1 or 4');
  }
  return { ok: true, report: { kind: 'unknown', type, data: toHex(data) } };
}

export interface Mr60fda2Message {
  frame: Mr60fda2Frame;
  report: Mr60fda2Report;
}

export const REJECT = {
  RESYNC: 'RESYNC',
  BAD_LENGTH: 'BAD_LENGTH',
  HEAD_CHECKSUM: 'HEAD_CHECKSUM',
  DATA_CHECKSUM: 'DATA_CHECKSUM',
  TRUNCATED: 'TRUNCATED',
  BAD_DATA: 'BAD_DATA',
  BAD_VALUE: 'BAD_VALUE',
  UNKNOWN: 'UNKNOWN',
} as const;

type FrameCheck =
  | { status: 'need_more' }
  | { status: 'frame'; frame: Mr60fda2Frame; length: number }
  | { status: 'reject'; code: string; reason: string };

function checkFrameAt(buf: Uint8Array, at: number, end: number): FrameCheck {
  if (end - at < HEADER_LENGTH) return { status: 'need_more' };
  const head = xorChecksum(buf, at, at + 7);
  const headActual = buf[at + 7] ?? -1;
  // The header checksum is checked first, so a corrupted length field is caught before we wait
  // for (or skip) the bytes it announces ([HLK] §1.1: "rejection of frames with malformed headers").
  if (head !== headActual)
    return {
      status: 'reject',
      code: REJECT.HEAD_CHECKSUM,
      reason: `header checksum 0x${hex2(headActual)} != computed 0x${hex2(head)}`,
    };
  const dataLength = ((buf[at + 3] ?? 0) << 8) | (buf[at + 4] ?? 0);
  if (dataLength > MAX_DATA_LENGTH)
    return {
      status: 'reject',
      code: REJECT.BAD_LENGTH,
      reason: `length ${dataLength} exceeds ${MAX_DATA_LENGTH}`,
    };
  const frameHeader = {
    id: ((buf[at + 1] ?? 0) << 8) | (buf[at + 2] ?? 0),
    type: ((buf[at + 5] ?? 0) << 8) | (buf[at + 6] ?? 0),
  };
  if (dataLength === 0)
    return {
      status: 'frame',
      length: HEADER_LENGTH,
      frame: { ...frameHeader, data: new Uint8Array(0) },
    };
  const total = HEADER_LENGTH + dataLength + 1;
  if (end - at < total) return { status: 'need_more' };
  const dataStart = at + HEADER_LENGTH;
  const expected = xorChecksum(buf, dataStart, dataStart + dataLength);
  const actual = buf[dataStart + dataLength] ?? -1;
  if (expected !== actual)
    return {
      status: 'reject',
      code: REJECT.DATA_CHECKSUM,
      reason: `data checksum 0x${hex2(actual)} != computed 0x${hex2(expected)}`,
    };
  return {
    status: 'frame',
    length: total,
    frame: {
      ...frameHeader,
      data: Uint8Array.from(buf.subarray(dataStart, dataStart + dataLength)),
    },
  };
}

/**
 * Streaming decoder: finds 01, checks the header checksum, frames by the length, checks the data
 * checksum; after a rejection it resumes one byte after the rejected start. Rejections are
 * counted by reason. Never throws; memory bounded by one maximal frame plus a chunk.
 */
export class Mr60fda2Decoder {
  private buffer = new Uint8Array(0);
  private inGarbage = false;
  /** After a frame without data, one FF (the checksum of no data, [HLK] §2.2.9) is skipped. */
  private maySkipEmptyChecksum = false;

  constructor(private readonly counter: StatsCounter = new StatsCounter()) {}

  push(chunk: Uint8Array): Mr60fda2Message[] {
    const out: Mr60fda2Message[] = [];
    const buf = concat(this.buffer, chunk);
    let pos = 0;
    while (pos < buf.length) {
      if (this.maySkipEmptyChecksum) {
        this.maySkipEmptyChecksum = false;
        if (buf[pos] === 0xff) {
          pos += 1;
          continue;
        }
      }
      const start = buf.indexOf(SOF, pos);
      if (start < 0) {
        this.garbage();
        pos = buf.length;
        break;
      }
      if (start > pos) this.garbage();
      const check = checkFrameAt(buf, start, buf.length);
      if (check.status === 'need_more') {
        if (completeFrameAfter(buf, start + 1)) {
          this.counter.reject(REJECT.TRUNCATED);
          this.inGarbage = true;
          pos = start + 1;
          continue;
        }
        pos = start;
        break;
      }
      if (check.status === 'reject') {
        this.counter.reject(check.code);
        this.inGarbage = true;
        pos = start + 1;
        continue;
      }
      if (this.inGarbage && check.frame.data.length === 0) {
        // While resynchronising, a data-less frame is only protected by its 1-byte header
        // checksum: one random 01 in 256 would pass and could swallow the start of the next good
        // frame. Such frames are only command acknowledgements, so skip the 01 instead.
        pos = start + 1;
        continue;
      }
      this.inGarbage = false;
      pos = start + check.length;
      if (check.frame.data.length === 0) this.maySkipEmptyChecksum = true;
      const decoded = decodeFrame(check.frame);
      if (!decoded.ok) {
        this.counter.reject(decoded.code);
        continue;
      }
      if (decoded.report.kind === 'unknown') this.counter.reject(REJECT.UNKNOWN);
      else this.counter.ok();
      out.push({ frame: check.frame, report: decoded.report });
    }
    this.buffer = Uint8Array.from(buf.subarray(pos));
    return out;
  }

  stats(): DecodeStats {
    return this.counter.snapshot();
  }

  /**
   * Bytes held back for a frame not yet complete: never more than a maximal frame less one byte
   * (HEADER_LENGTH + MAX_DATA_LENGTH), whatever arrives, since a longer length field is rejected at once.
   */
  buffered(): number {
    return this.buffer.length;
  }

  private garbage(): void {
    if (!this.inGarbage) this.counter.reject(REJECT.RESYNC);
    this.inGarbage = true;
  }
}

function completeFrameAfter(buf: Uint8Array, from: number): boolean {
  for (let at = buf.indexOf(SOF, from); at >= 0; at = buf.indexOf(SOF, at + 1)) {
    const c = checkFrameAt(buf, at, buf.length);
    // A header-only frame is too easy to fake by chance to justify dropping the candidate.
    if (c.status === 'frame' && c.frame.data.length > 0) return true;
  }
  return false;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).toUpperCase().padStart(2, '0');
}

export type InspectResult =
  { ok: true; frame: unknown } | { ok: false; reason: string; code: string };

/** Explains exactly one frame for `anxin decode mr60fda2 HEX…`. */
export function inspectFrame(bytes: Uint8Array): InspectResult {
  if (bytes.length < HEADER_LENGTH)
    return {
      ok: false,
      code: 'TOO_SHORT',
      reason: `${bytes.length} bytes; a frame has at least ${HEADER_LENGTH}`,
    };
  if (bytes[0] !== SOF)
    return { ok: false, code: 'BAD_HEADER', reason: 'frame does not start with 01' };
  const check = checkFrameAt(bytes, 0, bytes.length);
  if (check.status === 'need_more') {
    const dataLength = ((bytes[3] ?? 0) << 8) | (bytes[4] ?? 0);
    return {
      ok: false,
      code: 'TRUNCATED',
      reason: `length field says ${dataLength} data bytes (${HEADER_LENGTH + dataLength + 1} in all), got ${bytes.length}`,
    };
  }
  if (check.status === 'reject') return { ok: false, code: check.code, reason: check.reason };
  let length = check.length;
  if (
    check.frame.data.length === 0 &&
    bytes.length === HEADER_LENGTH + 1 &&
    bytes[HEADER_LENGTH] === 0xff
  )
    length += 1;
  if (length !== bytes.length)
    return {
      ok: false,
      code: 'TRAILING_BYTES',
      reason: `${bytes.length - length} bytes after the frame`,
    };
  const decoded = decodeFrame(check.frame);
  if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason };
  return {
    ok: true,
    frame: {
      protocol: 'mr60fda2',
      id: `0x${check.frame.id.toString(16).toUpperCase().padStart(4, '0')}`,
      type: `0x${check.frame.type.toString(16).toUpperCase().padStart(4, '0')}`,
      length: check.frame.data.length,
      headChecksum: `0x${hex2(bytes[7] ?? 0)}`,
      data: toHex(check.frame.data),
      report: decoded.report,
    },
  };
}
