/** Shared pieces of the `inspect()` each serial driver offers to `anxin decode`. */

export type InspectResult =
  { ok: true; frame: unknown } | { ok: false; reason: string; code: string };

/** Most specific first: a checksum failure says more to an installer than "garbage". */
const PRIORITY = ['CHECKSUM', 'CRC', 'NO_END', 'LENGTH', 'HEADER', 'INCOMPLETE', 'GARBAGE'];

/** The rejection code to show for a capture that yielded no frame. */
export function mainRejectCode(reasons: Record<string, number>, empty: boolean): string {
  if (empty) return 'EMPTY';
  for (const code of PRIORITY) if ((reasons[code] ?? 0) > 0) return code;
  return Object.keys(reasons)[0] ?? 'NO_FRAME';
}

/** Plain-language reasons for the framing rejections of 68…16 protocols. */
export function describeFrame68Reject(code: string, maxLength: number): string {
  switch (code) {
    case 'CHECKSUM':
      return 'checksum (CS) does not match the sum of the bytes from the first 68';
    case 'NO_END':
      return 'frame does not end with 16 where its length byte says it should';
    case 'HEADER':
      return 'a 68 start byte is not followed by a valid header';
    case 'LENGTH':
      return `length byte is above the maximum of ${maxLength}`;
    case 'GARBAGE':
    case 'NO_FRAME':
      return 'no frame start (68) found';
    case 'EMPTY':
      return 'no bytes given';
    case 'INCOMPLETE':
      return 'frame is cut off before its end (16)';
    default:
      return code;
  }
}

export function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}
