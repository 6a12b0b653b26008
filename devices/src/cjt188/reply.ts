/**
 * CJ/T 188-2004 replies: what a read-data (901FH) or read-address (810AH) frame says; fields
 * filled with FF are "not supported" and omitted (layout and sources in codec.ts).
 */
import { bcdByte, bcdLeToInteger, integerToBcdLe, isAllFf } from '../common/bcd.js';
import { hexOf } from '../common/inspect.js';
import type { Cjt188Frame } from './frame.js';
import type { DiOrder, MeterStatus, StatusLayout } from './tables.js';
import {
  CJT188_CONTROL,
  CJT188_DI,
  CJT188_UNITS,
  CJT188_WILDCARD_TYPE,
  decodeStatus,
  readDi,
  STATUS_LAYOUTS,
} from './tables.js';

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
