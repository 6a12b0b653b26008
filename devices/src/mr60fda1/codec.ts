/**
 * Seeed MR60FDA1 60 GHz fall-detection radar: UART frame codec (pure, no I/O).
 *
 * Sources (cited as [WIKI] and [LIB] in the comments below):
 * - [WIKI] Seeed Studio wiki "60GHz mmWave Sensor - Fall Detection Module Pro (MR60FDA1)",
 *   Seeed-Studio/wiki-documents docs/Sensor/mmWave_radar_sensor/Radar_MR60FDA1.md: sections
 *   "Default Variables" (control/command words), "Demo4: Send data to Sensor" (the checksum rule
 *   and the device-id query frame), "Demo5" (reset frame) and "Update firmware via UART" (the
 *   firmware-version query frame). The wiki points to the "MR60FDA1 user manual V1.3" and the
 *   "Universal Protocol" PDF for the full tables.
 * - [LIB] Seeed's Arduino library limengdu/Seeed-Studio-MR60FDA1-Sersor, 60ghzfalldetection.h/.cpp:
 *   the data byte of each report is at frame offset 6 (Msg[4] after the two header bytes).
 * - The heartbeat 01/01 is the 60 GHz family's system heartbeat; a capture of it
 *   (`53 59 01 01 00 01 0F BE 54 43`) is published in DuncanIdahoCT/espresence-mr60bha1-mmwave-sensor
 *   static/project.md ("heartbeat messages from the radar module").
 *
 * Frame layout ([WIKI] "Demo4", checksum tip):
 *   53 59 | control | command | length (16-bit big-endian) | data[length] | sum | 54 43
 * where `sum` is the low byte of the sum of every byte before it (header included).
 */
import { toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import type { DecodeStats } from '../driver.js';

export const HEADER_1 = 0x53; // 'S'
export const HEADER_2 = 0x59; // 'Y'
export const TAIL_1 = 0x54; // 'T'
export const TAIL_2 = 0x43; // 'C'
/** Header 2 + control 1 + command 1 + length 2. */
export const PREFIX_LENGTH = 6;
/** Checksum 1 + tail 2. */
export const SUFFIX_LENGTH = 3;
export const MIN_FRAME_LENGTH = PREFIX_LENGTH + SUFFIX_LENGTH;
/**
 * Longest data field we accept. The MR60FDA1 reports single bytes and short product strings
 * (the firmware version `G60FD1SYv010104` is 15 bytes, [WIKI] "Update firmware via UART"); it has
 * no point cloud ([WIKI] "This radar does not currently support range, speed, or point clouds").
 * A small bound means a corrupted length field delays resynchronisation by at most ~70 bytes.
 */
export const MAX_DATA_LENGTH = 64;

/** Control words ([WIKI] "Default Variables"; 0x01/0x02 from the reset and query frames). */
export const CONTROL = {
  SYSTEM: 0x01,
  PRODUCT_INFO: 0x02,
  HUMAN_PRESENCE: 0x80,
  FALL_DETECTION: 0x83,
} as const;

/** Command words within each control word. */
export const COMMAND = {
  /** control 0x01: heartbeat, data 0x0F (family capture, see header). */
  HEARTBEAT: 0x01,
  /** control 0x01: module reset, `53 59 01 02 00 01 0F BF 54 43` ([WIKI] "Default Variables"). */
  RESET: 0x02,
  /** control 0x02: device id query ([WIKI] "Demo4"). */
  DEVICE_ID: 0xa1,
  PRODUCT_MODEL: 0xa2,
  PRODUCT_ID: 0xa3,
  /** control 0x02: firmware version query ([WIKI] "Update firmware via UART"). */
  FIRMWARE_VERSION: 0xa4,
  /** control 0x80: PRESENCE_INF, 0 = no one, 1 = someone here. */
  PRESENCE: 0x01,
  /** control 0x80: MOVE_INF, 0 = none, 1 = stationary, 2 = moving. */
  MOTION: 0x02,
  /** control 0x80: BODY_SIG, body movement parameter 0..100, reported once a second. */
  BODY_MOVEMENT: 0x03,
  /** control 0x83: FALL_STATE, 0 = no fall, 1 = fall detected (reported on change). */
  FALL_STATE: 0x01,
  /** control 0x83: RESIDENT_STATE, 0 = no stationary residency, 1 = stationary residency. */
  RESIDENCY: 0x05,
} as const;

export interface Mr60fda1Frame {
  control: number;
  command: number;
  data: Uint8Array;
}

export type MotionState = 'none' | 'stationary' | 'active';

/** What a frame means. */
export type Mr60fda1Report =
  | { kind: 'heartbeat' }
  | { kind: 'reset' }
  | { kind: 'product_info'; field: ProductInfoField; text: string }
  | { kind: 'presence'; present: boolean }
  | { kind: 'motion'; state: MotionState }
  | { kind: 'body_movement'; level: number }
  | { kind: 'fall'; fallen: boolean }
  | { kind: 'residency'; resident: boolean }
  | { kind: 'unknown'; control: number; command: number; data: string };

export type ProductInfoField = 'device_id' | 'product_model' | 'product_id' | 'firmware_version';

export type DecodeResult =
  { ok: true; report: Mr60fda1Report } | { ok: false; code: string; reason: string };

/** Low byte of the sum of `bytes[0..end)` ([WIKI] "Demo4", checksum tip). */
export function sumChecksum(bytes: Uint8Array, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

/** Builds a complete frame: header, control, command, BE length, data, sum, tail. */
export function encodeFrame(
  control: number,
  command: number,
  data: Uint8Array | number[] = [],
): Uint8Array {
  const payload = data instanceof Uint8Array ? data : Uint8Array.from(data);
  if (payload.length > 0xffff) throw new RangeError('MR60FDA1 data longer than 65535 bytes');
  const frame = new Uint8Array(MIN_FRAME_LENGTH + payload.length);
  frame[0] = HEADER_1;
  frame[1] = HEADER_2;
  frame[2] = control & 0xff;
  frame[3] = command & 0xff;
  frame[4] = (payload.length >> 8) & 0xff;
  frame[5] = payload.length & 0xff;
  frame.set(payload, PREFIX_LENGTH);
  const sumAt = PREFIX_LENGTH + payload.length;
  frame[sumAt] = sumChecksum(frame, sumAt);
  frame[sumAt + 1] = TAIL_1;
  frame[sumAt + 2] = TAIL_2;
  return frame;
}

const PRODUCT_FIELDS: Record<number, ProductInfoField> = {
  [COMMAND.DEVICE_ID]: 'device_id',
  [COMMAND.PRODUCT_MODEL]: 'product_model',
  [COMMAND.PRODUCT_ID]: 'product_id',
  [COMMAND.FIRMWARE_VERSION]: 'firmware_version',
};

function singleByte(frame: Mr60fda1Frame): number | undefined {
  return frame.data.length === 1 ? frame.data[0] : undefined;
}

function bad(code: string, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

/** Gives a framed (checksum-verified) frame its meaning. Never throws. */
export function decodeFrame(frame: Mr60fda1Frame): DecodeResult {
  const { control, command } = frame;
  const value = singleByte(frame);
  const where = `control 0x${control.toString(16)} command 0x${command.toString(16)}`;
  const needOneByte = (): DecodeResult =>
    bad('BAD_DATA', `${where} carries ${frame.data.length} data bytes, expected 1`);
  const outOfRange = (v: number): DecodeResult =>
    bad('BAD_VALUE', `${where} value 0x${v.toString(16)} is not defined`);

  if (control === CONTROL.SYSTEM) {
    if (command === COMMAND.HEARTBEAT) return { ok: true, report: { kind: 'heartbeat' } };
    if (command === COMMAND.RESET) return { ok: true, report: { kind: 'reset' } };
  }
  if (control === CONTROL.PRODUCT_INFO) {
    const field = PRODUCT_FIELDS[command];
    if (field) {
      // Replies carry an ASCII string; the queries carry the 0x0F placeholder byte.
      const text = Buffer.from(frame.data)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '');
      return { ok: true, report: { kind: 'product_info', field, text } };
    }
  }
  if (control === CONTROL.HUMAN_PRESENCE) {
    if (command === COMMAND.PRESENCE) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'presence', present: value === 1 } };
    }
    if (command === COMMAND.MOTION) {
      if (value === undefined) return needOneByte();
      const state: MotionState | undefined =
        value === 0 ? 'none' : value === 1 ? 'stationary' : value === 2 ? 'active' : undefined;
      if (!state) return outOfRange(value);
      return { ok: true, report: { kind: 'motion', state } };
    }
    if (command === COMMAND.BODY_MOVEMENT) {
      if (value === undefined) return needOneByte();
      if (value > 100) return outOfRange(value);
      return { ok: true, report: { kind: 'body_movement', level: value } };
    }
  }
  if (control === CONTROL.FALL_DETECTION) {
    if (command === COMMAND.FALL_STATE) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'fall', fallen: value === 1 } };
    }
    if (command === COMMAND.RESIDENCY) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'residency', resident: value === 1 } };
    }
  }
  return {
    ok: true,
    report: { kind: 'unknown', control, command, data: toHex(frame.data) },
  };
}

export interface Mr60fda1Message {
  frame: Mr60fda1Frame;
  report: Mr60fda1Report;
}

/** Rejection reason codes (stable; reported in gateway health). */
export const REJECT = {
  /** Bytes skipped while looking for a header (counted once per run of garbage). */
  RESYNC: 'RESYNC',
  BAD_LENGTH: 'BAD_LENGTH',
  CHECKSUM: 'CHECKSUM',
  BAD_TAIL: 'BAD_TAIL',
  /** A frame whose length points past a later complete frame (corrupted length field). */
  TRUNCATED: 'TRUNCATED',
  BAD_DATA: 'BAD_DATA',
  BAD_VALUE: 'BAD_VALUE',
  UNKNOWN: 'UNKNOWN',
} as const;

type FrameCheck =
  | { status: 'need_more' }
  | { status: 'frame'; frame: Mr60fda1Frame; length: number }
  | { status: 'reject'; code: string; reason: string };

/** Checks for a frame starting at `at` (where the header is). Pure. */
function checkFrameAt(buf: Uint8Array, at: number, end: number): FrameCheck {
  if (end - at < PREFIX_LENGTH) return { status: 'need_more' };
  const dataLength = ((buf[at + 4] ?? 0) << 8) | (buf[at + 5] ?? 0);
  if (dataLength > MAX_DATA_LENGTH)
    return {
      status: 'reject',
      code: REJECT.BAD_LENGTH,
      reason: `length ${dataLength} exceeds ${MAX_DATA_LENGTH}`,
    };
  const total = MIN_FRAME_LENGTH + dataLength;
  if (end - at < total) return { status: 'need_more' };
  const frameBytes = buf.subarray(at, at + total);
  const sumAt = PREFIX_LENGTH + dataLength;
  const expected = sumChecksum(frameBytes, sumAt);
  const actual = frameBytes[sumAt] ?? -1;
  if (expected !== actual)
    return {
      status: 'reject',
      code: REJECT.CHECKSUM,
      reason: `checksum 0x${actual.toString(16)} != computed 0x${expected.toString(16)}`,
    };
  if (frameBytes[sumAt + 1] !== TAIL_1 || frameBytes[sumAt + 2] !== TAIL_2)
    return { status: 'reject', code: REJECT.BAD_TAIL, reason: 'tail is not 54 43' };
  return {
    status: 'frame',
    length: total,
    frame: {
      control: frameBytes[2] ?? 0,
      command: frameBytes[3] ?? 0,
      data: Uint8Array.from(frameBytes.subarray(PREFIX_LENGTH, sumAt)),
    },
  };
}

/**
 * Streaming decoder: feed bytes in any chunking, get decoded messages. It looks for `53 59`,
 * frames by the length field, verifies sum and tail, and after any rejection restarts the search
 * one byte after the rejected header, so a good frame hidden behind a corrupted one is still found.
 * Every rejection is counted by reason. Never throws; memory is bounded by one maximal frame.
 */
export class Mr60fda1Decoder {
  private buffer = new Uint8Array(0);
  private inGarbage = false;

  constructor(private readonly counter: StatsCounter = new StatsCounter()) {}

  push(chunk: Uint8Array): Mr60fda1Message[] {
    const out: Mr60fda1Message[] = [];
    const buf = concat(this.buffer, chunk);
    let pos = 0;
    while (pos < buf.length) {
      const headerAt = findHeader(buf, pos);
      if (headerAt < 0) {
        // Keep a trailing 0x53: it may be the first header byte of the next chunk.
        const keepFrom = buf[buf.length - 1] === HEADER_1 ? buf.length - 1 : buf.length;
        if (keepFrom > pos) this.garbage();
        pos = keepFrom;
        break;
      }
      if (headerAt > pos) this.garbage();
      const check = checkFrameAt(buf, headerAt, buf.length);
      if (check.status === 'need_more') {
        // A corrupted length field would make us wait for bytes that belong to later frames. If a
        // complete, valid frame already starts inside the awaited span, the candidate is corrupt:
        // drop it now rather than delay (say) a fall report behind it.
        if (completeFrameAfter(buf, headerAt + 1)) {
          this.counter.reject(REJECT.TRUNCATED);
          this.inGarbage = true;
          pos = headerAt + 1;
          continue;
        }
        pos = headerAt;
        break;
      }
      if (check.status === 'reject') {
        this.counter.reject(check.code);
        this.inGarbage = true; // the bytes that follow a rejected header are not a new run
        pos = headerAt + 1;
        continue;
      }
      this.inGarbage = false;
      pos = headerAt + check.length;
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
   * (MIN_FRAME_LENGTH + MAX_DATA_LENGTH − 1), whatever arrives, since a longer length field is rejected at once.
   */
  buffered(): number {
    return this.buffer.length;
  }

  private garbage(): void {
    if (!this.inGarbage) this.counter.reject(REJECT.RESYNC);
    this.inGarbage = true;
  }
}

/** Whether a complete, checksum- and tail-valid frame starts at some header at or after `from`. */
function completeFrameAfter(buf: Uint8Array, from: number): boolean {
  for (let at = findHeader(buf, from); at >= 0; at = findHeader(buf, at + 1)) {
    if (checkFrameAt(buf, at, buf.length).status === 'frame') return true;
  }
  return false;
}

function findHeader(buf: Uint8Array, from: number): number {
  for (let i = from; i + 1 < buf.length; i++) {
    if (buf[i] === HEADER_1 && buf[i + 1] === HEADER_2) return i;
  }
  return -1;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

export type InspectResult =
  { ok: true; frame: unknown } | { ok: false; reason: string; code: string };

/**
 * Explains exactly one frame, for `anxin decode mr60fda1 HEX…`: every field, or the exact reason
 * it is invalid.
 */
export function inspectFrame(bytes: Uint8Array): InspectResult {
  if (bytes.length < MIN_FRAME_LENGTH)
    return {
      ok: false,
      code: 'TOO_SHORT',
      reason: `${bytes.length} bytes; a frame has at least ${MIN_FRAME_LENGTH}`,
    };
  if (bytes[0] !== HEADER_1 || bytes[1] !== HEADER_2)
    return { ok: false, code: 'BAD_HEADER', reason: 'frame does not start with 53 59' };
  const check = checkFrameAt(bytes, 0, bytes.length);
  if (check.status === 'need_more') {
    const dataLength = ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0);
    return {
      ok: false,
      code: 'TRUNCATED',
      reason: `length field says ${dataLength} data bytes (${MIN_FRAME_LENGTH + dataLength} in all), got ${bytes.length}`,
    };
  }
  if (check.status === 'reject') return { ok: false, code: check.code, reason: check.reason };
  if (check.length !== bytes.length)
    return {
      ok: false,
      code: 'TRAILING_BYTES',
      reason: `${bytes.length - check.length} bytes after the tail`,
    };
  const decoded = decodeFrame(check.frame);
  if (!decoded.ok) return { ok: false, code: decoded.code, reason: decoded.reason };
  const sumAt = PREFIX_LENGTH + check.frame.data.length;
  return {
    ok: true,
    frame: {
      protocol: 'mr60fda1',
      control: `0x${hex2(check.frame.control)}`,
      command: `0x${hex2(check.frame.command)}`,
      length: check.frame.data.length,
      data: toHex(check.frame.data),
      checksum: `0x${hex2(bytes[sumAt] ?? 0)}`,
      report: decoded.report,
    },
  };
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}
