/**
 * Packed BCD helpers shared by the Chinese metering standards (DL/T 645-2007 Appendix A data
 * formats, CJ/T 188-2004 data formats): two decimal digits per byte, high digit in the high nibble,
 * multi-byte values sent low byte first. Pure; never throws on bad input (returns undefined).
 */

/** One BCD byte as 0..99, or undefined when a nibble is above 9. */
export function bcdByte(b: number): number | undefined {
  const hi = (b >> 4) & 0x0f;
  const lo = b & 0x0f;
  if (hi > 9 || lo > 9) return undefined;
  return hi * 10 + lo;
}

/** Encodes 0..99 as one BCD byte. */
export function toBcdByte(n: number): number {
  const v = Math.trunc(Math.abs(n)) % 100;
  return ((Math.trunc(v / 10) << 4) | (v % 10)) & 0xff;
}

/**
 * Decodes a little-endian BCD field (low byte first on the wire) as an unsigned integer of all its
 * digits, or undefined if any nibble is not a decimal digit.
 */
export function bcdLeToInteger(bytes: Uint8Array): number | undefined {
  let value = 0;
  for (let i = bytes.length - 1; i >= 0; i -= 1) {
    const d = bcdByte(bytes[i] ?? 0xff);
    if (d === undefined) return undefined;
    value = value * 100 + d;
  }
  return value;
}

/** Encodes a non-negative integer as a little-endian BCD field of `length` bytes (truncating). */
export function integerToBcdLe(value: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let v = Math.trunc(Math.abs(value));
  for (let i = 0; i < length; i += 1) {
    out[i] = toBcdByte(v % 100);
    v = Math.trunc(v / 100);
  }
  return out;
}

/** True when every byte is 0xFF: the "not supported / no data" filler of both standards. */
export function isAllFf(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes.every((b) => b === 0xff);
}

/**
 * A meter address as printed on its nameplate: the address bytes (low byte first on the wire)
 * reversed and written as hex, e.g. wire `01 00 00 00 00 00` → `000000000001`. Hex, not decimal, so
 * that wildcards (`AA`) and manufacturer codes that are not BCD survive a round trip.
 */
export function addressToString(wire: Uint8Array): string {
  let s = '';
  for (let i = wire.length - 1; i >= 0; i -= 1) {
    s += (wire[i] ?? 0).toString(16).padStart(2, '0').toUpperCase();
  }
  return s;
}

/** Inverse of addressToString; undefined if `text` is not exactly `length` bytes of hex. */
export function addressFromString(text: string, length: number): Uint8Array | undefined {
  const clean = text.replace(/\s/g, '');
  if (clean.length !== length * 2 || !/^[0-9a-fA-F]*$/.test(clean)) return undefined;
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) {
    const hi = length - 1 - i;
    out[i] = Number.parseInt(clean.slice(hi * 2, hi * 2 + 2), 16);
  }
  return out;
}

/** Arithmetic sum of bytes [start, end) modulo 256 (the CS of DL/T 645 and CJ/T 188 frames). */
export function sum8(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let s = 0;
  for (let i = start; i < end; i += 1) s = (s + (bytes[i] ?? 0)) & 0xff;
  return s;
}
