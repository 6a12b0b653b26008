/**
 * DL/T 645-2007 "Multi-function watt-hour meter communication protocol" — pure codec.
 *
 * Frame (DL/T 645-2007 7.1 frame format):
 *   [FE FE FE FE] 68 A0 A1 A2 A3 A4 A5 68 C L DATA CS 16
 *   - FE: optional wake-up bytes sent before a frame (7.1, 前导字节), not part of it.
 *   - A0..A5: 6-byte BCD address, low byte first; AA…AA is the wildcard accepted by the
 *     read-address command (control 13H), 99…99 the broadcast address.
 *   - C: control code — D7 direction (1 = reply from the meter), D6 abnormal reply, D5 follow-up
 *     frame exists, D4..D0 function (11H read data, 13H read address).
 *   - L: length of DATA (≤ 200 for reads).
 *   - DATA: every byte is sent +33H and taken −33H on receive (7.1, "发送方按字节进行加33H处理").
 *   - CS: sum mod 256 of all bytes from the first 68 to the byte before CS.
 * Data identifiers DI3 DI2 DI1 DI0 (7.2) are sent DI0 first. Data formats follow Appendix A
 * (数据编码表): BCD, low byte first, with the sign in the top bit of the most significant byte for
 * signed quantities (current, power, power factor).
 */
import { StatsCounter } from '../common/stats.js';
import {
  describeFrame68Reject,
  hexOf,
  mainRejectCode,
  type InspectResult,
} from '../common/inspect.js';
import { Frame68Decoder, START, WAKE } from '../common/frame68.js';
import {
  addressFromString,
  addressToString,
  bcdLeToInteger,
  integerToBcdLe,
  sum8,
} from '../common/bcd.js';

export const DLT645_WILDCARD_ADDRESS = 'AAAAAAAAAAAA';
export const DLT645_MAX_DATA_LENGTH = 200;
const OFFSET = 0x33;

/** Control codes used here (7.1 control code C, and 7.3 command table). */
export const DLT645_CONTROL = {
  read: 0x11,
  readReply: 0x91,
  readReplyFollowUp: 0xb1,
  readAbnormal: 0xd1,
  readAddress: 0x13,
  readAddressReply: 0x93,
} as const;

/** A data item the driver knows: its DI, Appendix A format and the canonical telemetry field. */
export interface Dlt645Item {
  /** DI3 DI2 DI1 DI0 as 8 hex digits, most significant first (as the standard's tables write it). */
  di: string;
  name: string;
  /** Bytes in the reply after the DI. */
  bytes: number;
  /** Decimal places of the Appendix A format, e.g. XXXXXX.XX → 2. */
  decimals: number;
  /** Top bit of the most significant byte is the sign (Appendix A, "最高位表示方向"). */
  signed: boolean;
  unit: string;
  /** Canonical telemetry field and the factor from the meter's unit to the field's unit. */
  field: string;
  factor: number;
}

/** The items polled by default (DL/T 645-2007 Appendix A, 表 A.1 energy and 表 A.3 variables). */
export const DLT645_ITEMS: readonly Dlt645Item[] = [
  // 00 01 00 00 (当前)正向有功总电能, XXXXXX.XX kWh
  {
    di: '00010000',
    name: 'forward active energy (total)',
    bytes: 4,
    decimals: 2,
    signed: false,
    unit: 'kWh',
    field: 'energy_kwh',
    factor: 1,
  },
  // 00 02 00 00 (当前)反向有功总电能, XXXXXX.XX kWh
  {
    di: '00020000',
    name: 'reverse active energy (total)',
    bytes: 4,
    decimals: 2,
    signed: false,
    unit: 'kWh',
    field: 'energy_export_kwh',
    factor: 1,
  },
  // 02 01 01 00 A相电压, XXX.X V
  {
    di: '02010100',
    name: 'phase A voltage',
    bytes: 2,
    decimals: 1,
    signed: false,
    unit: 'V',
    field: 'voltage_v',
    factor: 1,
  },
  // 02 02 01 00 A相电流, XXX.XXX A, sign bit
  {
    di: '02020100',
    name: 'phase A current',
    bytes: 3,
    decimals: 3,
    signed: true,
    unit: 'A',
    field: 'current_a',
    factor: 1,
  },
  // 02 03 00 00 瞬时总有功功率, XX.XXXX kW, sign bit
  {
    di: '02030000',
    name: 'total active power',
    bytes: 3,
    decimals: 4,
    signed: true,
    unit: 'kW',
    field: 'power_w',
    factor: 1000,
  },
  // 02 06 00 00 总功率因数, X.XXX, sign bit
  {
    di: '02060000',
    name: 'total power factor',
    bytes: 2,
    decimals: 3,
    signed: true,
    unit: '1',
    field: 'power_factor',
    factor: 1,
  },
  // 02 80 00 02 电网频率, XX.XX Hz
  {
    di: '02800002',
    name: 'grid frequency',
    bytes: 2,
    decimals: 2,
    signed: false,
    unit: 'Hz',
    field: 'frequency_hz',
    factor: 1,
  },
];

export function findDlt645Item(di: string): Dlt645Item | undefined {
  return DLT645_ITEMS.find((i) => i.di === di.toUpperCase());
}

/**
 * Bits of the error information word ERR of an abnormal reply (DL/T 645-2007, 错误信息字 table):
 * bit0 other error, bit1 no data requested, bit2 password error / unauthorised, bit3 baud rate
 * cannot be changed, bit4 too many year time zones, bit5 too many daily time periods, bit6 too many
 * tariffs, bit7 reserved.
 */
export const DLT645_ERROR_BITS: readonly { bit: number; code: string; text: string }[] = [
  { bit: 0, code: 'OTHER', text: 'other error' },
  { bit: 1, code: 'NO_DATA', text: 'no data requested (unknown data identifier)' },
  { bit: 2, code: 'PASSWORD', text: 'password error / unauthorised' },
  { bit: 3, code: 'BAUD_RATE', text: 'baud rate cannot be changed' },
  { bit: 4, code: 'YEAR_ZONES', text: 'number of year time zones exceeded' },
  { bit: 5, code: 'DAY_PERIODS', text: 'number of daily time periods exceeded' },
  { bit: 6, code: 'TARIFFS', text: 'number of tariffs exceeded' },
  { bit: 7, code: 'RESERVED', text: 'reserved bit set' },
];

export function decodeErrorWord(err: number): { code: string; text: string }[] {
  return DLT645_ERROR_BITS.filter((b) => (err >> b.bit) & 1).map(({ code, text }) => ({
    code,
    text,
  }));
}

/** A checksum-valid frame with DATA already taken −33H. */
export interface Dlt645Frame {
  /** Address as on the nameplate (12 hex digits, most significant first). */
  address: string;
  control: number;
  data: Uint8Array;
}

export interface EncodeOptions {
  /** Number of FE wake-up bytes sent first (default 4, as most masters do). */
  wakeUp?: number;
}

/** Builds a frame: address as 12 hex digits, DATA given plain (the +33H is applied here). */
export function encodeDlt645(frame: Dlt645Frame, options: EncodeOptions = {}): Uint8Array {
  const addr = addressFromString(frame.address, 6);
  if (!addr) throw new RangeError(`DL/T 645 address must be 12 hex digits: ${frame.address}`);
  if (frame.data.length > 255) throw new RangeError('DL/T 645 DATA longer than 255 bytes');
  const wake = options.wakeUp ?? 4;
  const body = new Uint8Array(12 + frame.data.length);
  body[0] = START;
  body.set(addr, 1);
  body[7] = START;
  body[8] = frame.control;
  body[9] = frame.data.length;
  frame.data.forEach((b, i) => (body[10 + i] = (b + OFFSET) & 0xff));
  body[10 + frame.data.length] = sum8(body, 0, 10 + frame.data.length);
  body[11 + frame.data.length] = 0x16;
  const out = new Uint8Array(wake + body.length);
  out.fill(WAKE, 0, wake);
  out.set(body, wake);
  return out;
}

/** DI as 8 hex digits → the 4 plain bytes DI0..DI3 (low byte first, before +33H). */
export function diToBytes(di: string): Uint8Array {
  const addr = addressFromString(di, 4);
  if (!addr) throw new RangeError(`DI must be 8 hex digits: ${di}`);
  return addr;
}

/** Read data (7.3.1 read data, control 11H) for one DI. */
export function buildReadRequest(address: string, di: string, options?: EncodeOptions): Uint8Array {
  return encodeDlt645({ address, control: DLT645_CONTROL.read, data: diToBytes(di) }, options);
}

/** Read communication address (control 13H) with the AA…AA wildcard: only one meter may be on the bus. */
export function buildReadAddressRequest(options?: EncodeOptions): Uint8Array {
  return encodeDlt645(
    {
      address: DLT645_WILDCARD_ADDRESS,
      control: DLT645_CONTROL.readAddress,
      data: new Uint8Array(0),
    },
    options,
  );
}

/** Parses one raw frame (68 … 16, checksum already verified by the decoder). */
export function parseDlt645Frame(raw: Uint8Array): Dlt645Frame {
  const length = raw[9] ?? 0;
  const data = raw.slice(10, 10 + length).map((b) => (b - OFFSET) & 0xff);
  return { address: addressToString(raw.subarray(1, 7)), control: raw[8] ?? 0, data };
}

/** What a reply means. `value` is in the meter's unit (see `item.unit`). */
export type Dlt645Reply =
  | {
      kind: 'data';
      address: string;
      di: string;
      item?: Dlt645Item;
      /** Present when the item is known and its BCD is valid. */
      value?: number;
      /** Raw data bytes after the DI (plain, −33H), hex. */
      raw: string;
      followUp: boolean;
    }
  | {
      kind: 'abnormal';
      address: string;
      errorWord: number;
      errors: { code: string; text: string }[];
    }
  | { kind: 'address'; address: string }
  | { kind: 'request'; address: string; control: number; di?: string }
  | { kind: 'invalid'; address: string; reason: string; code: string };

/** Decodes a value of an Appendix A BCD format; undefined when a digit is not BCD. */
export function decodeItemValue(item: Dlt645Item, bytes: Uint8Array): number | undefined {
  if (bytes.length !== item.bytes) return undefined;
  const b = Uint8Array.from(bytes);
  let negative = false;
  if (item.signed) {
    const top = b.length - 1;
    negative = ((b[top] ?? 0) & 0x80) !== 0;
    b[top] = (b[top] ?? 0) & 0x7f;
  }
  const int = bcdLeToInteger(b);
  if (int === undefined) return undefined;
  const v = int / 10 ** item.decimals;
  return negative ? -v : v;
}

/** Encodes a value in an Appendix A BCD format (for the simulator and tests). */
export function encodeItemValue(item: Dlt645Item, value: number): Uint8Array {
  const int = Math.round(Math.abs(value) * 10 ** item.decimals);
  // With a sign bit the top digit can only reach 7 (its nibble's top bit is the sign).
  const max = (item.signed ? 8 : 10) * 10 ** (item.bytes * 2 - 1) - 1;
  const b = integerToBcdLe(Math.min(int, max), item.bytes);
  if (item.signed && value < 0 && int > 0) {
    const top = b.length - 1;
    b[top] = (b[top] ?? 0) | 0x80;
  }
  return b;
}

export function interpretDlt645(frame: Dlt645Frame): Dlt645Reply {
  const { address, control, data } = frame;
  if ((control & 0x80) === 0) {
    const di = data.length >= 4 ? addressToString(data.subarray(0, 4)) : undefined;
    return di === undefined
      ? { kind: 'request', address, control }
      : { kind: 'request', address, control, di };
  }
  if (control === DLT645_CONTROL.readReply || control === DLT645_CONTROL.readReplyFollowUp) {
    if (data.length < 4) {
      return {
        kind: 'invalid',
        address,
        code: 'SHORT_DATA',
        reason: `read reply with ${data.length} data bytes, no DI`,
      };
    }
    const di = addressToString(data.subarray(0, 4));
    const payload = data.subarray(4);
    const item = findDlt645Item(di);
    const reply: Dlt645Reply = {
      kind: 'data',
      address,
      di,
      raw: Buffer.from(payload).toString('hex').toUpperCase(),
      followUp: control === DLT645_CONTROL.readReplyFollowUp,
    };
    if (item) {
      reply.item = item;
      if (payload.length !== item.bytes) {
        return {
          kind: 'invalid',
          address,
          code: 'ITEM_LENGTH',
          reason: `DI ${di} carries ${payload.length} bytes, format needs ${item.bytes}`,
        };
      }
      const value = decodeItemValue(item, payload);
      if (value === undefined) {
        return { kind: 'invalid', address, code: 'BAD_BCD', reason: `DI ${di} value is not BCD` };
      }
      reply.value = value;
    }
    return reply;
  }
  if (control === DLT645_CONTROL.readAbnormal) {
    if (data.length !== 1) {
      return {
        kind: 'invalid',
        address,
        code: 'SHORT_DATA',
        reason: 'abnormal reply must carry one ERR byte',
      };
    }
    const errorWord = data[0] ?? 0;
    return { kind: 'abnormal', address, errorWord, errors: decodeErrorWord(errorWord) };
  }
  if (control === DLT645_CONTROL.readAddressReply) {
    if (data.length !== 6) {
      return {
        kind: 'invalid',
        address,
        code: 'SHORT_DATA',
        reason: 'read-address reply must carry 6 address bytes',
      };
    }
    return { kind: 'address', address: addressToString(data) };
  }
  return {
    kind: 'invalid',
    address,
    code: 'UNSUPPORTED_CONTROL',
    reason: `control code ${control.toString(16).toUpperCase().padStart(2, '0')}H is not handled by this driver`,
  };
}

/** Stream decoder: bytes in any chunking → checksum-valid frames. Counts rejections in `counter`. */
export class Dlt645Decoder {
  private readonly framer: Frame68Decoder;

  constructor(readonly counter: StatsCounter = new StatsCounter()) {
    this.framer = new Frame68Decoder(
      {
        lengthOffset: 9,
        maxDataLength: DLT645_MAX_DATA_LENGTH,
        // The second 68 sits after the 6 address bytes (7.1).
        checkHeader: (h) => (h[7] === START ? undefined : 'HEADER'),
      },
      counter,
    );
  }

  push(chunk: Uint8Array): Dlt645Frame[] {
    return this.framer.push(chunk).map(parseDlt645Frame);
  }

  flush(): void {
    this.framer.flush();
  }
}

/** For `anxin decode dlt645 HEX…`: what the bytes mean, or exactly why they are not a frame. */
export function inspectDlt645(bytes: Uint8Array): InspectResult {
  const counter = new StatsCounter();
  const decoder = new Dlt645Decoder(counter);
  const frames = decoder.push(bytes);
  decoder.flush();
  if (frames.length === 0) {
    const code = mainRejectCode(counter.snapshot().rejectReasons, bytes.length === 0);
    const reason = describeFrame68Reject(code, DLT645_MAX_DATA_LENGTH);
    return {
      ok: false,
      code,
      reason: code === 'HEADER' ? `${reason} (second 68 after the 6 address bytes)` : reason,
    };
  }
  const decoded = frames.map((f) => {
    const reply = interpretDlt645(f);
    const base = {
      protocol: 'dlt645',
      address: f.address,
      control: `${f.control.toString(16).toUpperCase().padStart(2, '0')}H`,
      direction: (f.control & 0x80) !== 0 ? 'meter→master' : 'master→meter',
      data: hexOf(f.data),
    };
    if (reply.kind === 'data' && reply.item && reply.value !== undefined) {
      return {
        ...base,
        kind: reply.kind,
        di: reply.di,
        name: reply.item.name,
        value: reply.value,
        unit: reply.item.unit,
        followUp: reply.followUp,
      };
    }
    if (reply.kind === 'invalid') {
      return { ...base, kind: reply.kind, code: reply.code, reason: reply.reason };
    }
    // The frame's own fields (control as hex) win over the reply's numeric copies.
    return { ...reply, ...base };
  });
  return { ok: true, frame: decoded.length === 1 ? decoded[0] : decoded };
}
