/**
 * MR60FDA1 frame meaning: what a framed, checksum-verified frame reports ([WIKI] "Default
 * Variables"; sources in codec.ts).
 */
import { toHex } from '../common/hex.js';
import type { DecodeResult, MotionState, Mr60fda1Frame, ProductInfoField } from './tables.js';
import { COMMAND, CONTROL } from './tables.js';

const PRODUCT_FIELDS: Record<number, ProductInfoField> = {
  [COMMAND.DEVICE_ID]: 'device_id',
  [COMMAND.PRODUCT_MODEL]: 'product_model',
  [COMMAND.PRODUCT_ID]: 'product_id',
  [COMMAND.FIRMWARE_VERSION]: 'firmware_version',
};

function singleByte(frame: Mr60fda1Frame): number | undefined {
  return frame.data.length === 1 ? frame.data[0] : undefined;
}

function bad(code: string, reason: string): DecodeResult {
  return { ok: false, code, reason };
}

/** Gives a framed (checksum-verified) frame its meaning. Never throws. */
export function decodeFrame(frame: Mr60fda1Frame): DecodeResult {
  const { control, command } = frame;
  const value = singleByte(frame);
  const where = `control 0x${control.toString(16)} command 0x${command.toString(16)}`;
  const needOneByte = (): DecodeResult =>
    bad('BAD_DATA', `${where} carries ${frame.data.length} data bytes, expected 1`);
  const outOfRange = (v: number): DecodeResult =>
    bad('BAD_VALUE', `${where} value 0x${v.toString(16)} is not defined`);

  if (control === CONTROL.SYSTEM) {
    if (command === COMMAND.HEARTBEAT) return { ok: true, report: { kind: 'heartbeat' } };
    if (command === COMMAND.RESET) return { ok: true, report: { kind: 'reset' } };
  }
  if (control === CONTROL.PRODUCT_INFO) {
    const field = PRODUCT_FIELDS[command];
    if (field) {
      // Replies carry an ASCII string; the queries carry the 0x0F placeholder byte.
      const text = Buffer.from(frame.data)
        .toString('latin1')
        .replace(/[^\x20-\x7e]/g, '');
      return { ok: true, report: { kind: 'product_info', field, text } };
    }
  }
  if (control === CONTROL.HUMAN_PRESENCE) {
    if (command === COMMAND.PRESENCE) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'presence', present: value === 1 } };
    }
    if (command === COMMAND.MOTION) {
      if (value === undefined) return needOneByte();
      const state: MotionState | undefined =
        value === 0 ? 'none' : value === 1 ? 'stationary' : value === 2 ? 'active' : undefined;
      if (!state) return outOfRange(value);
      return { ok: true, report: { kind: 'motion', state } };
    }
    if (command === COMMAND.BODY_MOVEMENT) {
      if (value === undefined) return needOneByte();
      if (value > 100) return outOfRange(value);
      return { ok: true, report: { kind: 'body_movement', level: value } };
    }
  }
  if (control === CONTROL.FALL_DETECTION) {
    if (command === COMMAND.FALL_STATE) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'fall', fallen: value === 1 } };
    }
    if (command === COMMAND.RESIDENCY) {
      if (value === undefined) return needOneByte();
      if (value > 1) return outOfRange(value);
      return { ok: true, report: { kind: 'residency', resident: value === 1 } };
    }
  }
  return {
    ok: true,
    report: { kind: 'unknown', control, command, data: toHex(frame.data) },
  };
}
