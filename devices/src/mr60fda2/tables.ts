/**
 * MR60FDA2 constants and shapes: frame limits, message types, reports and rejection codes
 * (sources cited in codec.ts as [ESPHOME], [SEEED] and [HLK]).
 */

export const SOF = 0x01;
export const HEADER_LENGTH = 8;
/**
 * Longest data accepted. [SEEED] drops frames over 30 bytes and [ESPHOME] over 28; the target
 * report 0x0A04 grows by 20 bytes per target ([HLK] §2.1.6), so 256 leaves room for 12 targets.
 */
export const MAX_DATA_LENGTH = 256;

/** Message types ([ESPHOME] seeed_mr60fda2.h, [SEEED] TypeFallDetection, [HLK] §2). */
export const TYPE = {
  /** Radar → host: target report: count, then x, y, z (f32 m), dop_idx, cluster (i32) each. */
  TARGET_INFO: 0x0a04,
  /** Radar → host: 1 byte, 1 = fall. */
  FALL: 0x0e02,
  /** Host → radar: install height f32 (m); radar → host: 1 byte result. */
  INSTALL_HEIGHT: 0x0e04,
  /** Host → radar: no data; radar → host: the parameter block (28 bytes). */
  PARAMETERS: 0x0e06,
  /** Host → radar: fall height threshold f32 (m); radar → host: 1 byte result. */
  FALL_THRESHOLD: 0x0e08,
  /** Host → radar: sensitivity u32 (frames averaged, 3..30); radar → host: 1 byte result. */
  SENSITIVITY: 0x0e0a,
  /** Host → radar: alarm area XL, XR, ZF, ZB f32 (m); radar → host: 1 byte result. */
  ALARM_AREA: 0x0e0c,
  /** Radar → host: current target height, u32 ([HLK] §2.2.8). */
  HEIGHT_INFO: 0x0e0e,
  /** Radar → host: 1 byte, 1 = someone present ([ESPHOME] PEOPLE_EXIST_TYPE_BUFFER). */
  PEOPLE_EXIST: 0x0f09,
  /** Host → radar: restore factory parameters, no data. */
  RESET: 0x2110,
} as const;

export interface Mr60fda2Frame {
  id: number;
  type: number;
  data: Uint8Array;
}

export interface Mr60fda2Parameters {
  installHeightM: number;
  fallThresholdM: number;
  sensitivity: number;
  areaLeftM: number;
  areaRightM: number;
  areaFrontM: number;
  areaBackM: number;
}

export interface Mr60fda2Target {
  x: number;
  y: number;
  z: number;
  dopplerIndex: number;
  cluster: number;
}

export type Mr60fda2Report =
  | { kind: 'fall'; fallen: boolean }
  | { kind: 'presence'; present: boolean }
  | { kind: 'targets'; targets: Mr60fda2Target[] }
  | { kind: 'height'; value: number }
  | { kind: 'parameters'; parameters: Mr60fda2Parameters }
  | { kind: 'parameters_query' }
  | { kind: 'reset' }
  | { kind: 'set_result'; setting: SettingName; success: boolean }
  | { kind: 'set_request'; setting: SettingName; value: number | number[] }
  /** A frame with no data: the radar's acknowledgement of a command ([HLK] §1.3 note 1). */
  | { kind: 'ack'; type: number }
  | { kind: 'unknown'; type: number; data: string };

export type SettingName = 'install_height' | 'fall_threshold' | 'sensitivity' | 'alarm_area';

export type DecodeResult =
  { ok: true; report: Mr60fda2Report } | { ok: false; code: string; reason: string };
export interface Mr60fda2Message {
  frame: Mr60fda2Frame;
  report: Mr60fda2Report;
}

export const REJECT = {
  RESYNC: 'RESYNC',
  BAD_LENGTH: 'BAD_LENGTH',
  HEAD_CHECKSUM: 'HEAD_CHECKSUM',
  DATA_CHECKSUM: 'DATA_CHECKSUM',
  TRUNCATED: 'TRUNCATED',
  BAD_DATA: 'BAD_DATA',
  BAD_VALUE: 'BAD_VALUE',
  UNKNOWN: 'UNKNOWN',
} as const;
