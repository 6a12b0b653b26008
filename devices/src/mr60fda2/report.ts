/**
 * MR60FDA2 frame meaning: what a checksum-verified frame reports ([HLK] §2.1.6, §2.2; [ESPHOME]
 * seeed_mr60fda2.cpp; [SEEED] TypeFallDetection; sources in codec.ts).
 */
import { toHex } from '../common/hex.js';
import type { DecodeResult, Mr60fda2Frame, Mr60fda2Target, SettingName } from './tables.js';
import { TYPE } from './tables.js';

const SETTING_OF_TYPE: Record<number, SettingName> = {
  [TYPE.INSTALL_HEIGHT]: 'install_height',
  [TYPE.FALL_THRESHOLD]: 'fall_threshold',
  [TYPE.SENSITIVITY]: 'sensitivity',
  [TYPE.ALARM_AREA]: 'alarm_area',
};

function round(n: number): number {
  return Math.round(n * 1e4) / 1e4;
}

/** Gives a checksum-verified frame its meaning. Never throws. */
export function decodeFrame(frame: Mr60fda2Frame): DecodeResult {
  const { type, data } = frame;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const where = `type 0x${type.toString(16).padStart(4, '0')}`;
  const badLength = (expected: string): DecodeResult => ({
    ok: false,
    code: 'BAD_DATA',
    reason: `${where} carries ${data.length} data bytes, expected ${expected}`,
  });
  const flag = (): boolean | DecodeResult => {
    if (data.length !== 1) return badLength('1');
    const v = data[0] ?? 0;
    if (v > 1)
      return {
        ok: false,
        code: 'BAD_VALUE',
        reason: `${where} value 0x${v.toString(16)} is not 0 or 1`,
      };
    return v === 1;
  };

  if (data.length === 0) {
    if (type === TYPE.PARAMETERS) return { ok: true, report: { kind: 'parameters_query' } };
    if (type === TYPE.RESET) return { ok: true, report: { kind: 'reset' } };
    return { ok: true, report: { kind: 'ack', type } };
  }
  switch (type) {
    case TYPE.FALL: {
      const v = flag();
      return typeof v === 'boolean' ? { ok: true, report: { kind: 'fall', fallen: v } } : v;
    }
    case TYPE.PEOPLE_EXIST: {
      const v = flag();
      return typeof v === 'boolean' ? { ok: true, report: { kind: 'presence', present: v } } : v;
    }
    case TYPE.HEIGHT_INFO:
      if (data.length !== 4) return badLength('4');
      return { ok: true, report: { kind: 'height', value: view.getUint32(0, true) } };
    case TYPE.TARGET_INFO: {
      if (data.length < 4) return badLength('4 + 20 per target');
      const count = view.getInt32(0, true);
      if (count < 0 || data.length !== 4 + 20 * count)
        return badLength(`4 + 20 × ${count} targets`);
      const targets: Mr60fda2Target[] = [];
      for (let i = 0; i < count; i++) {
        const o = 4 + 20 * i;
        targets.push({
          x: round(view.getFloat32(o, true)),
          y: round(view.getFloat32(o + 4, true)),
          z: round(view.getFloat32(o + 8, true)),
          dopplerIndex: view.getInt32(o + 12, true),
          cluster: view.getInt32(o + 16, true),
        });
      }
      return { ok: true, report: { kind: 'targets', targets } };
    }
    case TYPE.PARAMETERS:
      if (data.length !== 28) return badLength('28');
      return {
        ok: true,
        report: {
          kind: 'parameters',
          parameters: {
            installHeightM: round(view.getFloat32(0, true)),
            fallThresholdM: round(view.getFloat32(4, true)),
            sensitivity: view.getUint32(8, true),
            areaLeftM: round(view.getFloat32(12, true)),
            areaRightM: round(view.getFloat32(16, true)),
            areaFrontM: round(view.getFloat32(20, true)),
            areaBackM: round(view.getFloat32(24, true)),
          },
        },
      };
  }
  const setting = SETTING_OF_TYPE[type];
  if (setting) {
    if (data.length === 1) {
      const v = flag();
      return typeof v === 'boolean'
        ? { ok: true, report: { kind: 'set_result', setting, success: v } }
        : v;
    }
    // The host's own command, e.g. in a capture an installer pastes.
    if (setting === 'alarm_area' && data.length === 16)
      return {
        ok: true,
        report: {
          kind: 'set_request',
          setting,
          value: [0, 4, 8, 12].map((o) => round(view.getFloat32(o, true))),
        },
      };
    if (setting !== 'alarm_area' && data.length === 4)
      return {
        ok: true,
        report: {
          kind: 'set_request',
          setting,
          value:
            setting === 'sensitivity' ? view.getUint32(0, true) : round(view.getFloat32(0, true)),
        },
      };
    return badLength(setting === 'alarm_area' ? '1 or 16' : '1 or 4');
  }
  return { ok: true, report: { kind: 'unknown', type, data: toHex(data) } };
}
