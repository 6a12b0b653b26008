/**
 * MR60FDA2 streaming decoder and one-frame inspection: framing by SOF, header checksum, length and
 * data checksum ([HLK] §1.2, [ESPHOME] parser; sources in codec.ts).
 */
import { toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import type { DecodeStats } from '../driver.js';
import { xorChecksum } from './frame.js';
import { decodeFrame } from './report.js';
import type { Mr60fda2Frame, Mr60fda2Message } from './tables.js';
import { HEADER_LENGTH, MAX_DATA_LENGTH, REJECT, SOF } from './tables.js';

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
