/**
 * MR60FDA1 streaming decoder and one-frame inspection: framing by header, length, sum and tail
 * ([WIKI]; sources and frame layout in codec.ts).
 */
import { toHex } from '../common/hex.js';
import { StatsCounter } from '../common/stats.js';
import type { DecodeStats } from '../driver.js';
import { sumChecksum } from './frame.js';
import { decodeFrame } from './report.js';
import type { Mr60fda1Frame, Mr60fda1Message } from './tables.js';
import {
  HEADER_1,
  HEADER_2,
  MAX_DATA_LENGTH,
  MIN_FRAME_LENGTH,
  PREFIX_LENGTH,
  REJECT,
  TAIL_1,
  TAIL_2,
} from './tables.js';

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
      if (completeFrameWithin(buf, headerAt + 1, headerAt + check.length)) {
        // The sum is one byte, so a corrupted length field that happens to end on a later
        // frame's tail passes it about once in 256 times, and would swallow the good frames it
        // spans (a fall report among them). A real frame never carries a whole valid frame in its
        // data, so the candidate is the corrupt one: drop its header and read what it spans.
        this.counter.reject(REJECT.TRUNCATED);
        this.inGarbage = true;
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

/** Whether a complete, valid frame starts after `from` and ends by `end`. */
function completeFrameWithin(buf: Uint8Array, from: number, end: number): boolean {
  for (let at = findHeader(buf, from); at >= 0 && at < end; at = findHeader(buf, at + 1)) {
    if (checkFrameAt(buf, at, end).status === 'frame') return true;
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
