/** Hex helpers for captures typed by installers ("53 59 80 01 …") and for test tables. */

export class HexParseError extends Error {
  readonly code = 'BAD_HEX';
}

/** Parses hex with optional spaces, colons, commas or 0x prefixes. Throws HexParseError. */
export function parseHex(text: string): Uint8Array {
  const cleaned = text.replace(/0x/gi, '').replace(/[\s:,-]/g, '');
  if (cleaned.length % 2 !== 0)
    throw new HexParseError(`odd number of hex digits (${cleaned.length})`);
  if (!/^[0-9a-fA-F]*$/.test(cleaned)) throw new HexParseError('not hexadecimal');
  return Uint8Array.from(Buffer.from(cleaned, 'hex'));
}

/** Formats bytes as spaced upper-case hex: `53 59 80 01`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes)
    .toString('hex')
    .toUpperCase()
    .replace(/(..)(?!$)/g, '$1 ');
}
