/**
 * MR60FDA2 frame building: the TinyFrame checksum and the host commands ([HLK] §1.2, §2.2;
 * [ESPHOME]; [SEEED]; see codec.ts for the sources and the frame layout).
 */
import { HEADER_LENGTH, SOF, TYPE } from './tables.js';

/** ~(xor of bytes[from..to)), the TinyFrame TF_CKSUM_XOR ([HLK] §3.4, [ESPHOME]). */
export function xorChecksum(bytes: Uint8Array, from = 0, to = bytes.length): number {
  let x = 0;
  for (let i = from; i < to; i++) x ^= bytes[i] ?? 0;
  return ~x & 0xff;
}

/**
 * Builds a frame. `id` is the sender's frame counter ([SEEED] starts host frames at 0x8000);
 * with no data the frame is 8 bytes, as [ESPHOME] sends it.
 */
export function encodeFrame(type: number, data: Uint8Array | number[] = [], id = 0): Uint8Array {
  const payload = data instanceof Uint8Array ? data : Uint8Array.from(data);
  if (payload.length > 0xffff) throw new RangeError('MR60FDA2 data longer than 65535 bytes');
  const total = HEADER_LENGTH + payload.length + (payload.length > 0 ? 1 : 0);
  const frame = new Uint8Array(total);
  frame[0] = SOF;
  frame[1] = (id >> 8) & 0xff;
  frame[2] = id & 0xff;
  frame[3] = (payload.length >> 8) & 0xff;
  frame[4] = payload.length & 0xff;
  frame[5] = (type >> 8) & 0xff;
  frame[6] = type & 0xff;
  frame[7] = xorChecksum(frame, 0, 7);
  if (payload.length > 0) {
    frame.set(payload, HEADER_LENGTH);
    frame[total - 1] = xorChecksum(payload);
  }
  return frame;
}

function f32(value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeFloatLE(value, 0);
  return [...b];
}

function u32(value: number): number[] {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value >>> 0, 0);
  return [...b];
}

export class Mr60fda2ConfigError extends Error {
  readonly code = 'BAD_SETTING';
}

/** Host command: install height in metres, 1.0–5.0 ([HLK] §2.2.3; [ESPHOME] set_install_height). */
export function encodeSetInstallHeight(metres: number, id = 0): Uint8Array {
  if (!(metres >= 1 && metres <= 5))
    throw new Mr60fda2ConfigError(`install height ${metres} m is outside 1.0–5.0 m`);
  return encodeFrame(TYPE.INSTALL_HEIGHT, f32(metres), id);
}

/** Host command: fall height threshold in metres, 0.0–1.5 ([HLK] §2.2.5; [ESPHOME] offers 0.0–0.6). */
export function encodeSetFallThreshold(metres: number, id = 0): Uint8Array {
  if (!(metres >= 0 && metres <= 1.5))
    throw new Mr60fda2ConfigError(`fall threshold ${metres} m is outside 0.0–1.5 m`);
  return encodeFrame(TYPE.FALL_THRESHOLD, f32(metres), id);
}

/** Host command: sensitivity, frames averaged 3–30 ([HLK] §2.2.6; [ESPHOME] offers 3, 15, 30). */
export function encodeSetSensitivity(frames: number, id = 0): Uint8Array {
  if (!Number.isInteger(frames) || frames < 3 || frames > 30)
    throw new Mr60fda2ConfigError(`sensitivity ${frames} is not an integer in 3–30`);
  return encodeFrame(TYPE.SENSITIVITY, u32(frames), id);
}

/** Host command: alarm area edges in metres, each 0.3–1.5 ([HLK] §2.2.7). */
export function encodeSetAlarmArea(
  area: { left: number; right: number; front: number; back: number },
  id = 0,
): Uint8Array {
  const edges = [area.left, area.right, area.front, area.back];
  for (const e of edges)
    if (!(e >= 0.3 && e <= 1.5))
      throw new Mr60fda2ConfigError(`alarm area edge ${e} m is outside 0.3–1.5 m`);
  return encodeFrame(TYPE.ALARM_AREA, edges.flatMap(f32), id);
}

/** Host query: the parameter block ([ESPHOME] get_radar_parameters: `01 00 00 00 00 0E 06 F6`). */
export function encodeGetParameters(id = 0): Uint8Array {
  return encodeFrame(TYPE.PARAMETERS, [], id);
}

/** Host command: factory parameters ([ESPHOME] reset_radar: `01 00 00 00 00 21 10 CF`). */
export function encodeReset(id = 0): Uint8Array {
  return encodeFrame(TYPE.RESET, [], id);
}
