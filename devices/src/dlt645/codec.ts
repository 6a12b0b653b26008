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
 * signed quantities (current, power, power factor). The items and blocks, with their Appendix A
 * tables, are in items.ts.
 */
import { StatsCounter } from '../common/stats.js';
import {
  describeFrame68Reject,
  hexOf,
  mainRejectCode,
  type InspectResult,
} from '../common/inspect.js';
import { Frame68Decoder, START, WAKE } from '../common/frame68.js';
import { addressFromString, addressToString, sum8 } from '../common/bcd.js';
import {
  decodeBlock,
  decodeItem,
  findDlt645Block,
  findDlt645Item,
  type Dlt645Block,
  type Dlt645Item,
  type Dlt645Value,
} from './items.js';

export * from './items.js';

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
      /** A known single item (then `value` is its value). */
      item?: Dlt645Item;
      /** Present when the item is known and its BCD is valid. */
      value?: number;
      /** A known data block (DI1 = FF). */
      block?: Dlt645Block;
      /** Every decoded value with its unit: one for an item, one per member for a block. */
      values?: Dlt645Value[];
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
    const reply: Dlt645Reply = {
      kind: 'data',
      address,
      di,
      raw: Buffer.from(payload).toString('hex').toUpperCase(),
      followUp: control === DLT645_CONTROL.readReplyFollowUp,
    };
    const item = findDlt645Item(di);
    const block = item ? undefined : findDlt645Block(di);
    const decoded = item
      ? decodeItem(item, payload)
      : block
        ? decodeBlock(block, payload)
        : undefined;
    // An unknown DI is still a well-formed reply: returned with its raw bytes, no values.
    if (!decoded) return reply;
    if (!decoded.ok)
      return { kind: 'invalid', address, code: decoded.code, reason: decoded.reason };
    if (item) {
      reply.item = item;
      reply.value = decoded.values[0]?.value;
    } else {
      reply.block = block;
    }
    reply.values = decoded.values;
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
    if (reply.kind === 'data' && reply.block && reply.values) {
      return {
        ...base,
        kind: reply.kind,
        di: reply.di,
        name: reply.block.name,
        values: reply.values.map(({ di, name, value, unit }) => ({ di, name, value, unit })),
        followUp: reply.followUp,
      };
    }
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
