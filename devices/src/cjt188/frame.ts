/**
 * CJ/T 188-2004 frames: encoding (with FE wake-up bytes), the read requests 901FH and 810AH, and
 * parsing a checksum-valid frame (CJ/T 188-2004, frame format; layout in codec.ts).
 */
import { START, WAKE } from '../common/frame68.js';
import { addressFromString, addressToString, sum8 } from '../common/bcd.js';
import type { DiOrder } from './tables.js';
import {
  CJT188_COLD_WATER,
  CJT188_CONTROL,
  CJT188_DI,
  CJT188_WILDCARD_ADDRESS,
  diBytes,
} from './tables.js';

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
