/**
 * Eastron SDM120 / SDM230 single-phase energy meters over Modbus RTU — pure codec.
 *
 * Register map: Eastron "SDM120 Modbus protocol" (input registers, function 04; each parameter is
 * an IEEE 754 float32 in two consecutive registers, high word first, big-endian bytes), e.g.
 * http://support.innon.com/PowerMeters/SDM120-MOD-MID/Manual/SDM120_PROTOCOL.pdf, cross-checked
 * with the SDM230 table (lamaplc.com "Eastron SDM230") and public drivers (merlokk/SmartHome
 * lib/eastron.h, from beireken/SDM220t SDM.h). Eastron's manuals also say that a parameter not
 * valid for the meter returns zero and that one request may carry only a limited number of
 * parameters (30 on the SDM72D-M, 40 on the larger meters) — the driver reads two small blocks.
 *
 * Modbus RTU framing (Modbus over Serial Line V1.02, 2.5.1): unit id, function, data, CRC-16 low
 * byte first; a reply to FC04 is id 04 N data(N) CRC; an exception is id 84 code CRC. The CRC is
 * modbus-serial's (see library.ts). A reply does not name its registers: the session identifies
 * it by its byte count (the two blocks differ), `inspect` needs `register` to name values.
 */
import { StatsCounter } from '../common/stats.js';
import { hexOf, type InspectResult } from '../common/inspect.js';
import { crc16 } from './library.js';

export interface SdmRegister {
  /** Protocol start address (the "3X" register number minus 30001). */
  address: number;
  name: string;
  unit: string;
  /** Canonical telemetry field when the gateway reports it. */
  field?: string;
  /** Significant digits kept (float32 holds ~7; rounding removes binary noise). */
  digits: number;
}

/** SDM120/SDM230 input registers (30001 + address). */
export const SDM_REGISTERS: readonly SdmRegister[] = [
  { address: 0x0000, name: 'voltage', unit: 'V', field: 'voltage_v', digits: 6 },
  { address: 0x0006, name: 'current', unit: 'A', field: 'current_a', digits: 6 },
  { address: 0x000c, name: 'active power', unit: 'W', field: 'power_w', digits: 6 },
  { address: 0x0012, name: 'apparent power', unit: 'VA', digits: 6 },
  { address: 0x0018, name: 'reactive power', unit: 'VAr', digits: 6 },
  { address: 0x001e, name: 'power factor', unit: '1', field: 'power_factor', digits: 4 },
  { address: 0x0024, name: 'phase angle', unit: '°', digits: 5 },
  { address: 0x0046, name: 'frequency', unit: 'Hz', field: 'frequency_hz', digits: 5 },
  { address: 0x0048, name: 'import active energy', unit: 'kWh', field: 'energy_kwh', digits: 7 },
  {
    address: 0x004a,
    name: 'export active energy',
    unit: 'kWh',
    field: 'energy_export_kwh',
    digits: 7,
  },
  { address: 0x004c, name: 'import reactive energy', unit: 'kvarh', digits: 7 },
  { address: 0x004e, name: 'export reactive energy', unit: 'kvarh', digits: 7 },
  { address: 0x0156, name: 'total active energy', unit: 'kWh', digits: 7 },
  { address: 0x0158, name: 'total reactive energy', unit: 'kvarh', digits: 7 },
];

export function findSdmRegister(address: number): SdmRegister | undefined {
  return SDM_REGISTERS.find((r) => r.address === address);
}

/**
 * The blocks the session reads each cycle. Their lengths differ on purpose, so that a reply (which
 * does not name its registers) is matched to its request by its byte count alone.
 */
export const SDM_POLL_BLOCKS: readonly { start: number; count: number }[] = [
  { start: 0x0000, count: 0x20 }, // voltage … power factor (16 parameters, 64 bytes)
  { start: 0x0046, count: 0x06 }, // frequency, import and export active energy (12 bytes)
];

/** Modbus exception codes (Modbus Application Protocol V1.1b3, 7). */
export const MODBUS_EXCEPTIONS: Readonly<Record<number, string>> = {
  1: 'illegal function',
  2: 'illegal data address',
  3: 'illegal data value',
  4: 'server device failure',
  5: 'acknowledge',
  6: 'server device busy',
  8: 'memory parity error',
  10: 'gateway path unavailable',
  11: 'gateway target device failed to respond',
};

/** Big-endian float32 values of a register payload (2 registers per value). */
export function decodeFloat32s(payload: Uint8Array): number[] {
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  const out: number[] = [];
  for (let i = 0; i + 4 <= payload.length; i += 4) out.push(view.getFloat32(i, false));
  return out;
}

export function encodeFloat32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setFloat32(0, value, false);
  return b;
}

/** Removes float32 noise: 230.10000610351562 → 230.1. */
export function roundFloat32(value: number, digits = 7): number {
  return Number.isFinite(value) ? Number(value.toPrecision(digits)) : value;
}

/** Function 04 request (unit, 04, start, count, CRC) — for tables and the scanner's raw use. */
export function buildFc04Request(unitId: number, start: number, count: number): Uint8Array {
  const f = Uint8Array.of(unitId, 0x04, start >> 8, start & 0xff, count >> 8, count & 0xff, 0, 0);
  const crc = crc16(f, 0, 6);
  f[6] = crc & 0xff;
  f[7] = crc >> 8;
  return f;
}

function crcOk(buf: Uint8Array, total: number): boolean {
  const crc = crc16(buf, 0, total - 2);
  return buf[total - 2] === (crc & 0xff) && buf[total - 1] === crc >> 8;
}

export type ModbusReplyFrame =
  | { kind: 'reply'; unitId: number; function: number; payload: Uint8Array; raw: Uint8Array }
  | { kind: 'exception'; unitId: number; function: number; code: number; raw: Uint8Array };

/**
 * Stream decoder for the replies of one unit to FC 03/04 reads: finds `unit fc N`, frames by N,
 * checks the CRC, resynchronises byte by byte. The master's own request echoed back by an RS-485
 * adapter (8 bytes, valid CRC) is skipped without counting. Rejections: CRC, LENGTH (odd or too
 * long byte count), GARBAGE (bytes that start nothing), INCOMPLETE (cut off by `flush()`).
 */
export class ModbusReplyDecoder {
  private buf: Uint8Array = new Uint8Array(0);
  private quiet = 0;
  private garbageRun = false;

  constructor(
    private readonly unitId: number,
    readonly counter: StatsCounter = new StatsCounter(),
    private readonly functions: readonly number[] = [0x04],
  ) {}

  push(chunk: Uint8Array): ModbusReplyFrame[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    this.buf = joined;
    const out: ModbusReplyFrame[] = [];
    for (;;) {
      const start = this.findStart();
      if (start < 0) {
        // Keep a trailing unit id: it may start a frame in the next chunk.
        const keep = this.buf.length > 0 && this.buf[this.buf.length - 1] === this.unitId ? 1 : 0;
        this.skip(this.buf.length - keep);
        return out;
      }
      if (start > 0) this.skip(start);
      if (this.buf.length < 3) return out;
      const fn = this.buf[1] ?? 0;
      if ((fn & 0x80) !== 0) {
        if (this.buf.length < 5) return out;
        if (crcOk(this.buf, 5)) {
          out.push({
            kind: 'exception',
            unitId: this.unitId,
            function: fn & 0x7f,
            code: this.buf[2] ?? 0,
            raw: this.buf.slice(0, 5),
          });
          this.accept(5);
        } else {
          this.reject('CRC', 5);
        }
        continue;
      }
      const n = this.buf[2] ?? 0;
      const total = 5 + n;
      const replyPossible = n % 2 === 0 && n > 0 && n <= 250;
      if (replyPossible && this.buf.length >= total && crcOk(this.buf, total)) {
        out.push({
          kind: 'reply',
          unitId: this.unitId,
          function: fn,
          payload: this.buf.slice(3, 3 + n),
          raw: this.buf.slice(0, total),
        });
        this.accept(total);
        continue;
      }
      // Our own request echoed back: 8 bytes with a valid CRC.
      if (this.buf.length >= 8 && crcOk(this.buf, 8)) {
        this.buf = this.buf.subarray(8);
        this.quiet = Math.max(0, this.quiet - 8);
        continue;
      }
      const need = Math.max(replyPossible ? total : 0, 8);
      if (this.buf.length < need) {
        // A false start (our unit id and 04 inside other bytes) must not stall a quiet bus: a
        // complete, CRC-valid reply further on proves it false.
        const later = this.completeReplyAfter(1);
        if (later < 0) return out;
        this.reject('LENGTH', later);
        this.skip(later - 1);
        continue;
      }
      this.reject(replyPossible ? 'CRC' : 'LENGTH', replyPossible ? total : 3);
    }
  }

  flush(): void {
    if (this.quiet === 0 && this.buf.length > 0 && this.findStart() >= 0)
      this.counter.reject('INCOMPLETE');
    this.buf = new Uint8Array(0);
    this.quiet = 0;
    this.garbageRun = false;
  }

  /** Offset of the first complete, CRC-valid reply or exception at or after `from`, or -1. */
  private completeReplyAfter(from: number): number {
    for (let i = from; i + 5 <= this.buf.length; i += 1) {
      if (this.buf[i] !== this.unitId) continue;
      const fn = this.buf[i + 1] ?? 0;
      if (!this.functions.includes(fn & 0x7f)) continue;
      const candidate = this.buf.subarray(i);
      if ((fn & 0x80) !== 0) {
        if (crcOk(candidate, 5)) return i;
        continue;
      }
      const n = candidate[2] ?? 0;
      if (n > 0 && n % 2 === 0 && candidate.length >= 5 + n && crcOk(candidate, 5 + n)) return i;
    }
    return -1;
  }

  private findStart(): number {
    for (let i = 0; i < this.buf.length; i += 1) {
      if (this.buf[i] !== this.unitId) continue;
      if (i + 1 >= this.buf.length) return i;
      const fn = this.buf[i + 1] ?? 0;
      if (this.functions.includes(fn & 0x7f)) return i;
    }
    return -1;
  }

  private accept(n: number): void {
    this.counter.ok();
    this.buf = this.buf.subarray(n);
    this.quiet = Math.max(0, this.quiet - n);
    this.garbageRun = false;
  }

  private skip(n: number): void {
    if (n <= 0) return;
    if (!this.garbageRun && n > this.quiet) {
      this.counter.reject('GARBAGE');
      this.garbageRun = true;
    }
    this.buf = this.buf.subarray(n);
    this.quiet = Math.max(0, this.quiet - n);
  }

  private reject(reason: string, span: number): void {
    if (this.quiet === 0) {
      this.counter.reject(reason);
      this.quiet = span;
      this.garbageRun = false;
    }
    this.buf = this.buf.subarray(1);
    this.quiet = Math.max(0, this.quiet - 1);
  }
}

/** Names the float32 values of a reply whose first register is `register`. */
export function nameValues(register: number, values: number[]) {
  return values.map((v, i) => {
    const address = register + i * 2;
    const reg = findSdmRegister(address);
    const hex = `0x${address.toString(16).toUpperCase().padStart(4, '0')}`;
    return reg
      ? { register: hex, name: reg.name, value: roundFloat32(v, reg.digits), unit: reg.unit }
      : { register: hex, name: 'not in the SDM map', value: roundFloat32(v) };
  });
}

/**
 * For `anxin decode modbus-sdm HEX… [--register ADDR]`: a request (names the registers it asks
 * for), a reply (named values with `register`, raw float32 values without), or an exception.
 */
export function inspectModbusSdm(
  bytes: Uint8Array,
  options: { register?: number } = {},
): InspectResult {
  if (bytes.length === 0) return { ok: false, code: 'EMPTY', reason: 'no bytes given' };
  if (bytes.length < 5)
    return {
      ok: false,
      code: 'INCOMPLETE',
      reason: `${bytes.length} bytes: a Modbus RTU frame has at least 5`,
    };
  const unitId = bytes[0] ?? 0;
  const fn = bytes[1] ?? 0;
  const crc = crc16(bytes, 0, bytes.length - 2);
  if (bytes[bytes.length - 2] !== (crc & 0xff) || bytes[bytes.length - 1] !== crc >> 8) {
    const expected = ((crc & 0xff) << 8) | (crc >> 8);
    return {
      ok: false,
      code: 'CRC',
      reason: `CRC of the whole capture does not match (expected ${expected.toString(16).toUpperCase().padStart(4, '0')} at the end); check that it is exactly one frame`,
    };
  }
  if ((fn & 0x80) !== 0) {
    if (bytes.length !== 5)
      return { ok: false, code: 'LENGTH', reason: 'an exception frame has 5 bytes' };
    const code = bytes[2] ?? 0;
    return {
      ok: true,
      frame: {
        protocol: 'modbus-sdm',
        kind: 'exception',
        unitId,
        function: fn & 0x7f,
        code,
        text: MODBUS_EXCEPTIONS[code] ?? 'unknown exception',
      },
    };
  }
  if (fn !== 0x03 && fn !== 0x04) {
    return {
      ok: false,
      code: 'UNSUPPORTED_FUNCTION',
      reason: `function ${fn} is not a register read (03/04)`,
    };
  }
  const n = bytes[2] ?? 0;
  if (bytes.length === 5 + n && n % 2 === 0) {
    const payload = bytes.subarray(3, 3 + n);
    const values = decodeFloat32s(payload);
    const base = {
      protocol: 'modbus-sdm',
      kind: 'reply',
      unitId,
      function: fn,
      byteCount: n,
      data: hexOf(payload),
    };
    if (n % 4 !== 0)
      return {
        ok: true,
        frame: { ...base, note: 'byte count is not a whole number of float32 values' },
      };
    return {
      ok: true,
      frame:
        options.register === undefined
          ? {
              ...base,
              float32: values.map((v) => roundFloat32(v)),
              note: 'pass --register ADDR to name the values',
            }
          : {
              ...base,
              startRegister: options.register,
              values: nameValues(options.register, values),
            },
    };
  }
  if (bytes.length === 8) {
    const start = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
    const count = ((bytes[4] ?? 0) << 8) | (bytes[5] ?? 0);
    const names = SDM_REGISTERS.filter(
      (r) => r.address >= start && r.address + 2 <= start + count,
    ).map((r) => r.name);
    return {
      ok: true,
      frame: {
        protocol: 'modbus-sdm',
        kind: 'request',
        unitId,
        function: fn,
        startRegister: start,
        count,
        registers: names,
      },
    };
  }
  return {
    ok: false,
    code: 'LENGTH',
    reason: `byte count ${n} does not match the frame length ${bytes.length}`,
  };
}
