/**
 * CJ/T 188-2004 "Data transmission technical conditions of household metering instruments" —
 * pure codec for the cold-water meter (meter type 10H).
 *
 * Frame (CJ/T 188-2004, frame format):
 *   [FE …] 68 T A0 A1 A2 A3 A4 A5 A6 C L DATA CS 16
 *   - FE: wake-up bytes before the frame, not part of it.
 *   - T: meter type (10H cold water; 10H–19H water, 20H–29H heat, 30H–39H gas); AAH wildcard.
 *   - A0..A6: 7-byte address, low byte first (A5 A6 are often the maker's code); AA…AA wildcard.
 *   - C: D7 direction (1 = reply), D6 abnormal reply, D5..D0 function (01H read data, 03H read
 *     address, …).
 *   - L: DATA length. DATA: DI0 DI1 SER … (no +33H offset, unlike DL/T 645).
 *   - CS: sum mod 256 from 68 to the byte before CS.
 * Read data 901FH reply DATA (L = 16H): DI(2) SER(1) current cumulative flow (4 BCD, XXXXXX.XX)
 * unit(1) | settlement-day cumulative flow (4 BCD) unit(1) | real time (7 BCD: ss mm hh DD MM YY
 * YY) | ST status (2).
 *
 * Real meters disagree (see descriptor options): some send the DI as 90 1F, others 1F 90 — both
 * are accepted on receive; the order sent is per device. Status bit numbering differs too. Fields
 * filled with FF mean "not supported" and are omitted, never read as a value.
 */
import { StatsCounter } from '../common/stats.js';
import { Frame68Decoder, START, WAKE } from '../common/frame68.js';
import {
  addressFromString,
  addressToString,
  bcdByte,
  bcdLeToInteger,
  integerToBcdLe,
  isAllFf,
  sum8,
} from '../common/bcd.js';
import {
  describeFrame68Reject,
  hexOf,
  mainRejectCode,
  type InspectResult,
} from '../common/inspect.js';

export const CJT188_WILDCARD_ADDRESS = 'AAAAAAAAAAAAAA';
export const CJT188_COLD_WATER = 0x10;
export const CJT188_WILDCARD_TYPE = 0xaa;
/** Longest DATA accepted; the longest reply defined for water meters is far shorter. */
export const CJT188_MAX_DATA_LENGTH = 100;

export const CJT188_CONTROL = {
  read: 0x01,
  readReply: 0x81,
  readAbnormal: 0xc1,
  readAddress: 0x03,
  readAddressReply: 0x83,
  readAddressAbnormal: 0xc3,
} as const;

/** Data identifiers, written DI0 DI1 as in the standard's tables. */
export const CJT188_DI = { meterData: 0x901f, address: 0x810a } as const;

/** Which order the two DI bytes go on the wire: "90 1F" (high-first) or "1F 90" (low-first). */
export type DiOrder = 'high-first' | 'low-first';

export function diBytes(di: number, order: DiOrder): Uint8Array {
  const hi = (di >> 8) & 0xff;
  const lo = di & 0xff;
  return order === 'high-first' ? Uint8Array.of(hi, lo) : Uint8Array.of(lo, hi);
}

/** Reads a DI from the wire in either order, given the DIs we know. */
export function readDi(b0: number, b1: number): { di: number; order: DiOrder } | undefined {
  const hiFirst = (b0 << 8) | b1;
  const loFirst = (b1 << 8) | b0;
  const known = Object.values(CJT188_DI) as number[];
  if (known.includes(hiFirst)) return { di: hiFirst, order: 'high-first' };
  if (known.includes(loFirst)) return { di: loFirst, order: 'low-first' };
  return undefined;
}

/** Unit codes (CJ/T 188-2004 unit code table). Only volume units make a water reading. */
export const CJT188_UNITS: Readonly<Record<number, { unit: string; toM3?: number }>> = {
  0x01: { unit: 'J' },
  0x02: { unit: 'Wh' },
  0x05: { unit: 'kWh' },
  0x08: { unit: 'MWh' },
  0x0a: { unit: 'MWh×100' },
  0x0b: { unit: 'kJ' },
  0x0e: { unit: 'MJ' },
  0x11: { unit: 'GJ' },
  0x13: { unit: 'GJ×100' },
  0x14: { unit: 'W' },
  0x17: { unit: 'kW' },
  0x1a: { unit: 'MW' },
  0x29: { unit: 'L', toM3: 0.001 },
  0x2c: { unit: 'm³', toM3: 1 },
  0x32: { unit: 'L/h' },
  0x35: { unit: 'm³/h' },
};

/**
 * Where the status bits sit in ST. CJ/T 188-2004 numbers ST byte 1 as D0 valve (with D1: 00 open,
 * 01 closed, 11 abnormal), D2 battery (1 = low); some makers number from the MSB instead.
 */
export interface StatusLayout {
  /** Which ST byte holds the bits (0 = first on the wire). */
  byte: 0 | 1;
  /** Bit positions (0 = LSB) of valve D0 and D1. */
  valveBits: readonly [number, number];
  batteryBit: number;
}

export const STATUS_LAYOUTS: Readonly<Record<'standard' | 'msb-first', StatusLayout>> = {
  standard: { byte: 0, valveBits: [0, 1], batteryBit: 2 },
  'msb-first': { byte: 0, valveBits: [7, 6], batteryBit: 5 },
};

export type ValveState = 'open' | 'closed' | 'abnormal' | 'unknown';

export interface MeterStatus {
  raw: string;
  valve: ValveState;
  batteryLow: boolean;
}

export function decodeStatus(st: Uint8Array, layout: StatusLayout): MeterStatus | undefined {
  if (st.length !== 2 || isAllFf(st)) return undefined;
  const b = st[layout.byte] ?? 0;
  const d0 = (b >> layout.valveBits[0]) & 1;
  const d1 = (b >> layout.valveBits[1]) & 1;
  const code = (d1 << 1) | d0;
  const valve: ValveState =
    code === 0 ? 'open' : code === 1 ? 'closed' : code === 3 ? 'abnormal' : 'unknown';
  return { raw: hexOf(st), valve, batteryLow: ((b >> layout.batteryBit) & 1) === 1 };
}

export function encodeStatus(
  s: { valve: ValveState; batteryLow: boolean },
  layout: StatusLayout,
): Uint8Array {
  const code = s.valve === 'open' ? 0 : s.valve === 'closed' ? 1 : s.valve === 'abnormal' ? 3 : 2;
  let b = 0;
  if (code & 1) b |= 1 << layout.valveBits[0];
  if (code & 2) b |= 1 << layout.valveBits[1];
  if (s.batteryLow) b |= 1 << layout.batteryBit;
  const st = new Uint8Array(2);
  st[layout.byte] = b;
  return st;
}

/** A checksum-valid frame. */
export interface Cjt188Frame {
  meterType: number;
  /** 14 hex digits, most significant first (as printed on the meter). */
  address: string;
  control: number;
  data: Uint8Array;
}

export function encodeCjt188(frame: Cjt188Frame, options: { wakeUp?: number } = {}): Uint8Array {
  const addr = addressFromString(frame.address, 7);
  if (!addr) throw new RangeError(`CJ/T 188 address must be 14 hex digits: ${frame.address}`);
  if (frame.data.length > 255) throw new RangeError('CJ/T 188 DATA longer than 255 bytes');
  const wake = options.wakeUp ?? 2;
  const body = new Uint8Array(13 + frame.data.length);
  body[0] = START;
  body[1] = frame.meterType;
  body.set(addr, 2);
  body[9] = frame.control;
  body[10] = frame.data.length;
  body.set(frame.data, 11);
  body[11 + frame.data.length] = sum8(body, 0, 11 + frame.data.length);
  body[12 + frame.data.length] = 0x16;
  const out = new Uint8Array(wake + body.length);
  out.fill(WAKE, 0, wake);
  out.set(body, wake);
  return out;
}

export interface RequestOptions {
  diOrder?: DiOrder;
  wakeUp?: number;
  meterType?: number;
  ser?: number;
}

/** Read data 901FH (current cumulative flow, time, status). */
export function buildReadDataRequest(address: string, options: RequestOptions = {}): Uint8Array {
  const data = new Uint8Array(3);
  data.set(diBytes(CJT188_DI.meterData, options.diOrder ?? 'high-first'), 0);
  data[2] = options.ser ?? 0;
  return encodeCjt188(
    {
      meterType: options.meterType ?? CJT188_COLD_WATER,
      address,
      control: CJT188_CONTROL.read,
      data,
    },
    options,
  );
}

/** Read address 810AH to the wildcard address (only one meter may be on the bus). */
export function buildReadAddressRequest(options: RequestOptions = {}): Uint8Array {
  const data = new Uint8Array(3);
  data.set(diBytes(CJT188_DI.address, options.diOrder ?? 'high-first'), 0);
  data[2] = options.ser ?? 0;
  return encodeCjt188(
    {
      meterType: options.meterType ?? CJT188_COLD_WATER,
      address: CJT188_WILDCARD_ADDRESS,
      control: CJT188_CONTROL.readAddress,
      data,
    },
    options,
  );
}

export function parseCjt188Frame(raw: Uint8Array): Cjt188Frame {
  const length = raw[10] ?? 0;
  return {
    meterType: raw[1] ?? 0,
    address: addressToString(raw.subarray(2, 9)),
    control: raw[9] ?? 0,
    data: raw.slice(11, 11 + length),
  };
}

export interface FlowValue {
  value: number;
  unitCode: number;
  unit: string;
  /** The value in m³, when the unit is a volume. */
  m3?: number;
}

export interface MeterData {
  di: number;
  diOrder: DiOrder;
  ser: number;
  /** Omitted when FF-filled (not supported) or not BCD. */
  currentFlow?: FlowValue;
  settlementFlow?: FlowValue;
  /** Meter clock as local time "YYYY-MM-DDTHH:MM:SS", omitted when FF-filled or invalid. */
  meterTime?: string;
  status?: MeterStatus;
  /** Fields present but unreadable (not BCD, unknown unit): named, never turned into values. */
  invalidFields: string[];
}

export type Cjt188Reply =
  | { kind: 'data'; meterType: number; address: string; data: MeterData }
  | { kind: 'address'; meterType: number; address: string; diOrder: DiOrder }
  | { kind: 'abnormal'; meterType: number; address: string; control: number; status?: MeterStatus }
  | { kind: 'request'; meterType: number; address: string; control: number; di?: number }
  | { kind: 'invalid'; meterType: number; address: string; code: string; reason: string };

function decodeFlow(bytes: Uint8Array, unitCode: number): FlowValue | 'absent' | 'invalid' {
  if (isAllFf(bytes)) return 'absent';
  const int = bcdLeToInteger(bytes);
  const unit = CJT188_UNITS[unitCode];
  if (int === undefined || !unit) return 'invalid';
  const value = int / 100;
  const out: FlowValue = { value, unitCode, unit: unit.unit };
  if (unit.toM3 !== undefined) out.m3 = Number((value * unit.toM3).toFixed(5));
  return out;
}

function decodeTime(t: Uint8Array): { iso: string } | 'absent' | 'invalid' {
  // FF-filled = not supported; some meters without a clock send zeros instead.
  if (isAllFf(t) || t.every((b) => b === 0)) return 'absent';
  const d = [...t].map(bcdByte);
  if (d.some((x) => x === undefined)) return 'invalid';
  const [ss, mm, hh, dd, mo, yl, yh] = d as number[];
  if (
    ss === undefined ||
    mm === undefined ||
    hh === undefined ||
    dd === undefined ||
    mo === undefined ||
    yl === undefined ||
    yh === undefined ||
    ss > 59 ||
    mm > 59 ||
    hh > 23 ||
    dd < 1 ||
    dd > 31 ||
    mo < 1 ||
    mo > 12
  ) {
    return 'invalid';
  }
  const p = (n: number) => String(n).padStart(2, '0');
  return { iso: `${yh * 100 + yl}-${p(mo)}-${p(dd)}T${p(hh)}:${p(mm)}:${p(ss)}` };
}

export function encodeTime(date: Date): Uint8Array {
  const y = date.getUTCFullYear();
  return Uint8Array.from(
    [
      date.getUTCSeconds(),
      date.getUTCMinutes(),
      date.getUTCHours(),
      date.getUTCDate(),
      date.getUTCMonth() + 1,
      y % 100,
      Math.floor(y / 100),
    ].map((n) => integerToBcdLe(n, 1)[0] ?? 0),
  );
}

/** Interprets a frame; `layout` says how this device numbers its status bits. */
export function interpretCjt188(
  frame: Cjt188Frame,
  layout: StatusLayout = STATUS_LAYOUTS.standard,
): Cjt188Reply {
  const { meterType, address, control, data } = frame;
  const di = data.length >= 2 ? readDi(data[0] ?? 0, data[1] ?? 0) : undefined;
  if ((control & 0x80) === 0) {
    return di
      ? { kind: 'request', meterType, address, control, di: di.di }
      : { kind: 'request', meterType, address, control };
  }
  if ((control & 0x40) !== 0) {
    // Abnormal reply: SER ST(2) (CJ/T 188-2004, 异常应答).
    const st = data.length >= 3 ? data.subarray(data.length - 2) : undefined;
    const status = st ? decodeStatus(st, layout) : undefined;
    return status
      ? { kind: 'abnormal', meterType, address, control, status }
      : { kind: 'abnormal', meterType, address, control };
  }
  const fn = control & 0x3f;
  if (!di) {
    return {
      kind: 'invalid',
      meterType,
      address,
      code: 'UNKNOWN_DI',
      reason: `reply carries unknown DI ${hexOf(data.subarray(0, 2))}`,
    };
  }
  if (fn === CJT188_CONTROL.readAddress && di.di === CJT188_DI.address) {
    return { kind: 'address', meterType, address, diOrder: di.order };
  }
  if (fn === CJT188_CONTROL.read && di.di === CJT188_DI.meterData) {
    if (data.length < 22) {
      return {
        kind: 'invalid',
        meterType,
        address,
        code: 'SHORT_DATA',
        reason: `901F reply has ${data.length} data bytes, needs 22`,
      };
    }
    const md: MeterData = { di: di.di, diOrder: di.order, ser: data[2] ?? 0, invalidFields: [] };
    const cur = decodeFlow(data.subarray(3, 7), data[7] ?? 0xff);
    if (typeof cur === 'object') md.currentFlow = cur;
    else if (cur === 'invalid') md.invalidFields.push('currentFlow');
    const set = decodeFlow(data.subarray(8, 12), data[12] ?? 0xff);
    if (typeof set === 'object') md.settlementFlow = set;
    else if (set === 'invalid') md.invalidFields.push('settlementFlow');
    const time = decodeTime(data.subarray(13, 20));
    if (time === 'invalid') md.invalidFields.push('meterTime');
    else if (time !== 'absent') md.meterTime = time.iso;
    const status = decodeStatus(data.subarray(20, 22), layout);
    if (status) md.status = status;
    return { kind: 'data', meterType, address, data: md };
  }
  return {
    kind: 'invalid',
    meterType,
    address,
    code: 'UNSUPPORTED_CONTROL',
    reason: `control ${control.toString(16).toUpperCase().padStart(2, '0')}H with DI ${di.di.toString(16).toUpperCase()} is not handled`,
  };
}

/** Meter types of CJ/T 188-2004: 10H–19H water, 20H–29H heat, 30H–39H gas, 40H–49H others; AAH wildcard. */
export function isMeterType(t: number): boolean {
  return (t >= 0x10 && t <= 0x49 && (t & 0x0f) <= 9) || t === CJT188_WILDCARD_TYPE;
}

export class Cjt188Decoder {
  private readonly framer: Frame68Decoder;

  constructor(readonly counter: StatsCounter = new StatsCounter()) {
    // No second 68 in CJ/T 188: the meter type must be plausible (10H–49H families, or the AAH
    // wildcard), then the length byte at offset 10 and the end/CS checks do the framing.
    this.framer = new Frame68Decoder(
      {
        lengthOffset: 10,
        maxDataLength: CJT188_MAX_DATA_LENGTH,
        checkHeader: (h) => (isMeterType(h[1] ?? 0) ? undefined : 'HEADER'),
      },
      counter,
    );
  }

  push(chunk: Uint8Array): Cjt188Frame[] {
    return this.framer.push(chunk).map(parseCjt188Frame);
  }

  flush(): void {
    this.framer.flush();
  }
}

/** For `anxin decode cjt188 HEX…`. */
export function inspectCjt188(
  bytes: Uint8Array,
  layout: StatusLayout = STATUS_LAYOUTS.standard,
): InspectResult {
  const counter = new StatsCounter();
  const decoder = new Cjt188Decoder(counter);
  const frames = decoder.push(bytes);
  decoder.flush();
  if (frames.length === 0) {
    const code = mainRejectCode(counter.snapshot().rejectReasons, bytes.length === 0);
    return { ok: false, code, reason: describeFrame68Reject(code, CJT188_MAX_DATA_LENGTH) };
  }
  const decoded = frames.map((f) => ({
    // The frame's own fields (type and control as hex) win over the reply's numeric copies.
    ...presentable(interpretCjt188(f, layout)),
    protocol: 'cjt188',
    meterType: `${f.meterType.toString(16).toUpperCase().padStart(2, '0')}H`,
    address: f.address,
    control: `${f.control.toString(16).toUpperCase().padStart(2, '0')}H`,
    direction: (f.control & 0x80) !== 0 ? 'meter→master' : 'master→meter',
    raw: hexOf(f.data),
  }));
  return { ok: true, frame: decoded.length === 1 ? decoded[0] : decoded };
}

/** DIs as the hex an installer reads in the standard ("901F"), not as numbers. */
function presentable(reply: Cjt188Reply): Record<string, unknown> {
  if (reply.kind === 'data') {
    return { ...reply, data: { ...reply.data, di: reply.data.di.toString(16).toUpperCase() } };
  }
  if (reply.kind === 'request' && reply.di !== undefined) {
    return { ...reply, di: reply.di.toString(16).toUpperCase() };
  }
  return { ...reply };
}
