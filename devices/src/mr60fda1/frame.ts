/**
 * MR60FDA1 frame building: header, control, command, length, data, sum, tail ([WIKI] "Demo4";
 * sources and frame layout in codec.ts).
 */
import { HEADER_1, HEADER_2, MIN_FRAME_LENGTH, PREFIX_LENGTH, TAIL_1, TAIL_2 } from './tables.js';

/** Low byte of the sum of `bytes[0..end)` ([WIKI] "Demo4", checksum tip). */
export function sumChecksum(bytes: Uint8Array, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += bytes[i] ?? 0;
  return sum & 0xff;
}

/** Builds a complete frame: header, control, command, BE length, data, sum, tail. */
export function encodeFrame(
  control: number,
  command: number,
  data: Uint8Array | number[] = [],
): Uint8Array {
  const payload = data instanceof Uint8Array ? data : Uint8Array.from(data);
  if (payload.length > 0xffff) throw new RangeError('MR60FDA1 data longer than 65535 bytes');
  const frame = new Uint8Array(MIN_FRAME_LENGTH + payload.length);
  frame[0] = HEADER_1;
  frame[1] = HEADER_2;
  frame[2] = control & 0xff;
  frame[3] = command & 0xff;
  frame[4] = (payload.length >> 8) & 0xff;
  frame[5] = payload.length & 0xff;
  frame.set(payload, PREFIX_LENGTH);
  const sumAt = PREFIX_LENGTH + payload.length;
  frame[sumAt] = sumChecksum(frame, sumAt);
  frame[sumAt + 1] = TAIL_1;
  frame[sumAt + 2] = TAIL_2;
  return frame;
}
