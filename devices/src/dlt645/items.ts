/**
 * DL/T 645-2007 data identifiers (DI) this driver understands, their Appendix A data formats, and
 * the data blocks (DI1 = FF) that answer several of them in one reply. Pure.
 *
 * A DI is DI3 DI2 DI1 DI0 (7.2), written here as 8 hex digits most significant first, as the
 * standard's tables write it (e.g. 02 01 02 00 → '02010200'). Tables cited:
 *   表 A.1 电能量数据标识编码表 (energy): DI3 = 00, DI2 = kind (01 forward active, 02 reverse
 *          active), DI1 = 00 total, 01…3F tariff 1…63, FF the block "total and every tariff",
 *          DI0 = 00 current (当前), 01…0C settlement day 1…12 before.
 *   表 A.3 变量数据标识编码表 (instantaneous variables): DI3 = 02, DI2 = quantity (01 voltage,
 *          02 current, 03 active power, 06 power factor, 80 extended), DI1 = phase (01 A, 02 B,
 *          03 C; 00 total where one exists), FF the block of all phases.
 * Formats (Appendix A): BCD, low byte first; signed quantities carry the sign in the top bit of the
 * most significant byte ("最高位表示方向").
 */
import { bcdLeToInteger, integerToBcdLe, isAllFf } from '../common/bcd.js';

/** An Appendix A data format: byte count, decimals (XXX.X → 1), sign bit, unit. */
export interface Dlt645Format {
  bytes: number;
  decimals: number;
  signed: boolean;
  unit: string;
}

/** A data item the driver knows: its DI, Appendix A format and the canonical telemetry field. */
export interface Dlt645Item extends Dlt645Format {
  /** DI3 DI2 DI1 DI0 as 8 hex digits, most significant first (as the standard's tables write it). */
  di: string;
  name: string;
  /** Canonical telemetry field and the factor from the meter's unit to the field's unit. */
  field: string;
  factor: number;
}

/** XXXXXX.XX kWh (表 A.1 energy registers). */
const ENERGY: Dlt645Format = { bytes: 4, decimals: 2, signed: false, unit: 'kWh' };
/** XXX.X V (表 A.3 电压). */
const VOLTAGE: Dlt645Format = { bytes: 2, decimals: 1, signed: false, unit: 'V' };
/** XXX.XXX A, sign bit (表 A.3 电流). */
const CURRENT: Dlt645Format = { bytes: 3, decimals: 3, signed: true, unit: 'A' };

const item = (
  di: string,
  name: string,
  format: Dlt645Format,
  field: string,
  factor = 1,
): Dlt645Item => ({ di, name, ...format, field, factor });

/** Tariff registers 1…4 of an energy kind (表 A.1, DI1 = 01…04), mapped to `<prefix>_tN_kwh`. */
const tariffs = (kind: '01' | '02', name: string, prefix: string): Dlt645Item[] =>
  [1, 2, 3, 4].map((n) =>
    item(`00${kind}0${n}00`, `${name} (tariff ${n})`, ENERGY, `${prefix}_t${n}_kwh`),
  );

/** Every single item the driver decodes to a canonical field. */
export const DLT645_ITEMS: readonly Dlt645Item[] = [
  // 表 A.1: 00 01 00 00 (当前)正向有功总电能; 00 02 00 00 (当前)反向有功总电能
  item('00010000', 'forward active energy (total)', ENERGY, 'energy_kwh'),
  item('00020000', 'reverse active energy (total)', ENERGY, 'energy_export_kwh'),
  // 表 A.3: 02 01 01 00 A相电压, 02 01 02 00 B相电压, 02 01 03 00 C相电压 (XXX.X V)
  item('02010100', 'phase A voltage', VOLTAGE, 'voltage_v'),
  item('02010200', 'phase B voltage', VOLTAGE, 'voltage_b_v'),
  item('02010300', 'phase C voltage', VOLTAGE, 'voltage_c_v'),
  // 表 A.3: 02 02 01 00 A相电流, 02 02 02 00 B相电流, 02 02 03 00 C相电流 (XXX.XXX A, signed)
  item('02020100', 'phase A current', CURRENT, 'current_a'),
  item('02020200', 'phase B current', CURRENT, 'current_b_a'),
  item('02020300', 'phase C current', CURRENT, 'current_c_a'),
  // 表 A.3: 02 03 00 00 瞬时总有功功率, XX.XXXX kW, signed
  item(
    '02030000',
    'total active power',
    { bytes: 3, decimals: 4, signed: true, unit: 'kW' },
    'power_w',
    1000,
  ),
  // 表 A.3: 02 06 00 00 总功率因数, X.XXX, signed
  item(
    '02060000',
    'total power factor',
    { bytes: 2, decimals: 3, signed: true, unit: '1' },
    'power_factor',
  ),
  // 表 A.3: 02 80 00 02 电网频率, XX.XX Hz
  item(
    '02800002',
    'grid frequency',
    { bytes: 2, decimals: 2, signed: false, unit: 'Hz' },
    'frequency_hz',
  ),
  // 表 A.1: 00 01 01 00 … 00 01 04 00 (当前)正向有功费率1…4电能; 00 02 0N 00 反向
  ...tariffs('01', 'forward active energy', 'energy'),
  ...tariffs('02', 'reverse active energy', 'energy_export'),
];

export function findDlt645Item(di: string): Dlt645Item | undefined {
  return DLT645_ITEMS.find((i) => i.di === di.toUpperCase());
}

/**
 * A data block (DI1 = FF): the reply carries its members back to back in DI1 order, each in the
 * members' format, after the block's DI.
 */
export interface Dlt645Block {
  di: string;
  name: string;
  format: Dlt645Format;
  /** DI1 of the first member: 00 (total, then tariff 1…n — 表 A.1) or 01 (phase A, B, C — 表 A.3). */
  firstIndex: 0 | 1;
  /**
   * How many members a reply may carry. Energy blocks: the total and as many tariffs as the meter
   * is set up for (费率数, 04 00 02 04; 4 on most Chinese time-of-use meters, up to 63). Phase
   * blocks: A, B, C (a single-phase meter fills B and C with FF; some may send phase A alone).
   */
  minMembers: number;
  maxMembers: number;
  /** Name of member DI1 = `index` when the item table does not know it (e.g. tariff 9). */
  memberName: (index: number) => string;
}

export const DLT645_BLOCKS: readonly Dlt645Block[] = [
  // 表 A.1: 00 01 FF 00 (当前)正向有功电能数据块 — total, tariff 1 … tariff n
  {
    di: '0001FF00',
    name: 'forward active energy block (total, tariffs)',
    format: ENERGY,
    firstIndex: 0,
    minMembers: 1,
    maxMembers: 64,
    memberName: (n) => `forward active energy (tariff ${n})`,
  },
  // 表 A.1: 00 02 FF 00 (当前)反向有功电能数据块
  {
    di: '0002FF00',
    name: 'reverse active energy block (total, tariffs)',
    format: ENERGY,
    firstIndex: 0,
    minMembers: 1,
    maxMembers: 64,
    memberName: (n) => `reverse active energy (tariff ${n})`,
  },
  // 表 A.3: 02 01 FF 00 电压数据块 — phase A, B, C voltage
  {
    di: '0201FF00',
    name: 'voltage block (phases A, B, C)',
    format: VOLTAGE,
    firstIndex: 1,
    minMembers: 1,
    maxMembers: 3,
    memberName: (n) => `phase ${'ABC'.charAt(n - 1)} voltage`,
  },
  // 表 A.3: 02 02 FF 00 电流数据块 — phase A, B, C current
  {
    di: '0202FF00',
    name: 'current block (phases A, B, C)',
    format: CURRENT,
    firstIndex: 1,
    minMembers: 1,
    maxMembers: 3,
    memberName: (n) => `phase ${'ABC'.charAt(n - 1)} current`,
  },
];

export function findDlt645Block(di: string): Dlt645Block | undefined {
  return DLT645_BLOCKS.find((b) => b.di === di.toUpperCase());
}

/** The DI of member `index` (0-based) of a block: DI1 = firstIndex + index. */
export function blockMemberDi(block: Dlt645Block, index: number): string {
  const di1 = (block.firstIndex + index).toString(16).toUpperCase().padStart(2, '0');
  return `${block.di.slice(0, 4)}${di1}${block.di.slice(6)}`;
}

/** One decoded value, in the meter's unit; `field` when it maps to a canonical telemetry field. */
export interface Dlt645Value {
  di: string;
  name: string;
  value: number;
  unit: string;
  decimals: number;
  field?: string;
  factor: number;
}

/** Decodes a value of an Appendix A BCD format; undefined when a digit is not BCD. */
export function decodeItemValue(format: Dlt645Format, bytes: Uint8Array): number | undefined {
  if (bytes.length !== format.bytes) return undefined;
  const b = Uint8Array.from(bytes);
  let negative = false;
  if (format.signed) {
    const top = b.length - 1;
    negative = ((b[top] ?? 0) & 0x80) !== 0;
    b[top] = (b[top] ?? 0) & 0x7f;
  }
  const int = bcdLeToInteger(b);
  if (int === undefined) return undefined;
  const v = int / 10 ** format.decimals;
  return negative ? -v : v;
}

/** Encodes a value in an Appendix A BCD format (for the simulator and tests). */
export function encodeItemValue(format: Dlt645Format, value: number): Uint8Array {
  const int = Math.round(Math.abs(value) * 10 ** format.decimals);
  // With a sign bit the top digit can only reach 7 (its nibble's top bit is the sign).
  const max = (format.signed ? 8 : 10) * 10 ** (format.bytes * 2 - 1) - 1;
  const b = integerToBcdLe(Math.min(int, max), format.bytes);
  if (format.signed && value < 0 && int > 0) {
    const top = b.length - 1;
    b[top] = (b[top] ?? 0) | 0x80;
  }
  return b;
}

export type Dlt645Decoded =
  | { ok: true; values: Dlt645Value[] }
  | { ok: false; code: 'ITEM_LENGTH' | 'BLOCK_LENGTH' | 'BAD_BCD'; reason: string };

function valueOf(it: Dlt645Item, value: number): Dlt645Value {
  const { di, name, unit, decimals, field, factor } = it;
  return { di, name, value, unit, decimals, field, factor };
}

/** The data bytes after a single item's DI → its value. */
export function decodeItem(it: Dlt645Item, payload: Uint8Array): Dlt645Decoded {
  if (payload.length !== it.bytes) {
    return {
      ok: false,
      code: 'ITEM_LENGTH',
      reason: `DI ${it.di} carries ${payload.length} bytes, format needs ${it.bytes}`,
    };
  }
  const value = decodeItemValue(it, payload);
  if (value === undefined) {
    return { ok: false, code: 'BAD_BCD', reason: `DI ${it.di} value is not BCD` };
  }
  return { ok: true, values: [valueOf(it, value)] };
}

/** The data bytes after a block's DI → one value per member, in DI1 order. */
export function decodeBlock(block: Dlt645Block, payload: Uint8Array): Dlt645Decoded {
  const size = block.format.bytes;
  const count = payload.length / size;
  if (!Number.isInteger(count) || count < block.minMembers || count > block.maxMembers) {
    return {
      ok: false,
      code: 'BLOCK_LENGTH',
      reason:
        `DI ${block.di} carries ${payload.length} bytes, not ${block.minMembers}` +
        `–${block.maxMembers} values of ${size} bytes`,
    };
  }
  const values: Dlt645Value[] = [];
  for (let i = 0; i < count; i += 1) {
    const di = blockMemberDi(block, i);
    const bytes = payload.subarray(i * size, (i + 1) * size);
    // All FF is the "no such data" filler: a single-phase meter answers the phase blocks with
    // phase A and FF for B and C (public frame [G] in three-phase.test.ts). Not a value, no error.
    if (isAllFf(bytes)) continue;
    const value = decodeItemValue(block.format, bytes);
    if (value === undefined) {
      return { ok: false, code: 'BAD_BCD', reason: `DI ${block.di} member ${di} is not BCD` };
    }
    const known = findDlt645Item(di);
    // A member without a canonical field (tariff 5 and up) is still decoded, for `anxin decode`.
    const v: Dlt645Value = known
      ? valueOf(known, value)
      : {
          di,
          name: block.memberName(block.firstIndex + i),
          value,
          unit: block.format.unit,
          decimals: block.format.decimals,
          factor: 1,
        };
    values.push(v);
  }
  return { ok: true, values };
}

/** Encodes block members' values back to back, undefined as the FF filler (simulator, tests). */
export function encodeBlock(
  block: Dlt645Block,
  values: readonly (number | undefined)[],
): Uint8Array {
  const size = block.format.bytes;
  const out = new Uint8Array(values.length * size).fill(0xff);
  values.forEach((v, i) => {
    if (v !== undefined) out.set(encodeItemValue(block.format, v), i * size);
  });
  return out;
}
