/**
 * CJ/T 188-2004 tables for the water meter: control codes, data identifiers (DI), unit codes and
 * the status word (ST) with the bit numberings real meters use (frame layout in codec.ts).
 */
import { isAllFf } from '../common/bcd.js';
import { hexOf } from '../common/inspect.js';

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
