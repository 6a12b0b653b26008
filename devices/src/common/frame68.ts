/**
 * Stream framing shared by DL/T 645-2007 and CJ/T 188-2004. Both frame as
 *   [FE…] 68 <header> L DATA(L) CS 16
 * with CS = sum mod 256 of every byte from the first 68 up to (not including) CS, and optional
 * FE wake-up bytes in front (DL/T 645-2007 7.1 / 4.2 "前导字节"; CJ/T 188-2004 "唤醒"). The
 * protocol supplies where its length byte sits and any extra header check (DL/T 645's second 68).
 *
 * The decoder works on any chunking, never throws, keeps at most one maximal frame buffered and
 * counts each rejection once:
 *   CHECKSUM     complete frame whose CS does not match
 *   NO_END       complete frame whose last byte is not 16
 *   LENGTH       length byte above the protocol's maximum
 *   HEADER       a 68 that is not followed by the protocol's header (e.g. no second 68)
 *   GARBAGE      a run of bytes that are neither FE wake-up bytes nor part of a frame
 *   INCOMPLETE   a started frame cut off by `flush()` (the master's reply timeout)
 * Bytes skipped while resynchronising after a counted rejection are not counted again.
 */
import type { StatsCounter } from './stats.js';
import { sum8 } from './bcd.js';

export const START = 0x68;
export const END = 0x16;
export const WAKE = 0xfe;

export interface Frame68Spec {
  /** Offset of the length byte L from the first 68 (DL/T 645: 9; CJ/T 188: 10). */
  lengthOffset: number;
  /** Largest L the standard allows (longer claims are rejected as LENGTH). */
  maxDataLength: number;
  /** Extra header check on the bytes up to L; returns a rejection reason or undefined. */
  checkHeader?(frame: Uint8Array): string | undefined;
}

export class Frame68Decoder {
  private buf: Uint8Array = new Uint8Array(0);
  /** Bytes ahead that belong to a frame already rejected and counted: not counted again. */
  private quiet = 0;
  /** A run of garbage has been counted; the rest of the run is not counted again. */
  private garbageRun = false;

  constructor(
    private readonly spec: Frame68Spec,
    private readonly counter: StatsCounter,
  ) {}

  /** Feeds bytes; returns every complete, checksum-valid raw frame (68 … 16, no FE). */
  push(chunk: Uint8Array): Uint8Array[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const out: Uint8Array[] = [];
    // Bounded: every iteration either consumes at least one byte or returns.
    for (;;) {
      const start = this.buf.indexOf(START);
      if (start < 0) {
        this.skip(this.buf.length);
        return out;
      }
      if (start > 0) this.skip(start);
      const headerEnd = this.spec.lengthOffset + 1;
      if (this.buf.length < headerEnd) return out;
      const headerReason = this.spec.checkHeader?.(this.buf.subarray(0, headerEnd));
      if (headerReason !== undefined) {
        this.rejectHeader(headerReason);
        continue;
      }
      const dataLength = this.buf[this.spec.lengthOffset] ?? 0;
      if (dataLength > this.spec.maxDataLength) {
        this.rejectHeader('LENGTH');
        continue;
      }
      const total = headerEnd + dataLength + 2;
      if (this.buf.length < total) {
        // A false 68 (inside another protocol's frame, or noise) may claim a long frame and stall
        // the decoder while the bus stays quiet. A complete, checksum-valid frame further on
        // proves it false: give it up and take that one.
        const later = this.completeFrameAfter(1);
        if (later < 0) return out;
        this.rejectHeader('HEADER');
        this.skip(later - 1);
        continue;
      }
      if (this.buf[total - 1] !== END) {
        this.rejectFrame('NO_END', total);
        continue;
      }
      if (sum8(this.buf, 0, total - 2) !== this.buf[total - 2]) {
        this.rejectFrame('CHECKSUM', total);
        continue;
      }
      out.push(this.buf.slice(0, total));
      this.counter.ok();
      this.consume(total);
      this.garbageRun = false;
    }
  }

  /** Offset of the first complete, valid frame starting at or after `from`, or -1. */
  private completeFrameAfter(from: number): number {
    const headerEnd = this.spec.lengthOffset + 1;
    for (let i = this.buf.indexOf(START, from); i >= 0; i = this.buf.indexOf(START, i + 1)) {
      if (this.buf.length < i + headerEnd) return -1;
      const candidate = this.buf.subarray(i);
      if (this.spec.checkHeader?.(candidate.subarray(0, headerEnd)) !== undefined) continue;
      const dataLength = candidate[this.spec.lengthOffset] ?? 0;
      const total = headerEnd + dataLength + 2;
      if (dataLength > this.spec.maxDataLength || candidate.length < total) continue;
      if (candidate[total - 1] === END && sum8(candidate, 0, total - 2) === candidate[total - 2]) {
        return i;
      }
    }
    return -1;
  }

  /** Drops a partial frame (e.g. when the master's reply timeout fires). */
  flush(): void {
    if (this.quiet === 0 && this.buf.includes(START)) this.counter.reject('INCOMPLETE');
    this.buf = new Uint8Array(0);
    this.quiet = 0;
    this.garbageRun = false;
  }

  /** Bytes waiting for the rest of a frame (for tests and health). */
  get pending(): number {
    return this.buf.length;
  }

  private consume(n: number): void {
    this.buf = this.buf.subarray(n);
    this.quiet = Math.max(0, this.quiet - n);
  }

  private skip(n: number): void {
    const beyondQuiet = this.buf.subarray(Math.min(this.quiet, n), n);
    if (!this.garbageRun && beyondQuiet.some((b) => b !== WAKE)) {
      this.counter.reject('GARBAGE');
      this.garbageRun = true;
    }
    this.consume(n);
  }

  /** A 68 that does not start a plausible header: part of garbage unless already counted. */
  private rejectHeader(reason: string): void {
    if (this.quiet === 0 && !this.garbageRun) {
      this.counter.reject(reason);
      this.garbageRun = true;
    }
    // Drop only the 68 we tried: a real frame may start inside the rejected bytes.
    this.consume(1);
  }

  /** A complete candidate frame that fails its end byte or checksum. */
  private rejectFrame(reason: string, total: number): void {
    const counted = this.quiet === 0;
    if (counted) this.counter.reject(reason);
    this.consume(1);
    if (counted) {
      this.quiet = total - 1;
      this.garbageRun = false;
    }
  }
}
