/**
 * MR60FDA1 constants and shapes: frame limits, control and command words, reports and rejection
 * codes ([WIKI] "Default Variables"; sources cited in codec.ts).
 */

export const HEADER_1 = 0x53; // 'S'
export const HEADER_2 = 0x59; // 'Y'
export const TAIL_1 = 0x54; // 'T'
export const TAIL_2 = 0x43; // 'C'
/** Header 2 + control 1 + command 1 + length 2. */
export const PREFIX_LENGTH = 6;
/** Checksum 1 + tail 2. */
export const SUFFIX_LENGTH = 3;
export const MIN_FRAME_LENGTH = PREFIX_LENGTH + SUFFIX_LENGTH;
/**
 * Longest data field we accept. The MR60FDA1 reports single bytes and short product strings
 * (the firmware version `G60FD1SYv010104` is 15 bytes, [WIKI] "Update firmware via UART"); it has
 * no point cloud ([WIKI] "This radar does not currently support range, speed, or point clouds").
 * A small bound means a corrupted length field delays resynchronisation by at most ~70 bytes.
 */
export const MAX_DATA_LENGTH = 64;

/** Control words ([WIKI] "Default Variables"; 0x01/0x02 from the reset and query frames). */
export const CONTROL = {
  SYSTEM: 0x01,
  PRODUCT_INFO: 0x02,
  HUMAN_PRESENCE: 0x80,
  FALL_DETECTION: 0x83,
} as const;

/** Command words within each control word. */
export const COMMAND = {
  /** control 0x01: heartbeat, data 0x0F (family capture, see header). */
  HEARTBEAT: 0x01,
  /** control 0x01: module reset, `53 59 01 02 00 01 0F BF 54 43` ([WIKI] "Default Variables"). */
  RESET: 0x02,
  /** control 0x02: device id query ([WIKI] "Demo4"). */
  DEVICE_ID: 0xa1,
  PRODUCT_MODEL: 0xa2,
  PRODUCT_ID: 0xa3,
  /** control 0x02: firmware version query ([WIKI] "Update firmware via UART"). */
  FIRMWARE_VERSION: 0xa4,
  /** control 0x80: PRESENCE_INF, 0 = no one, 1 = someone here. */
  PRESENCE: 0x01,
  /** control 0x80: MOVE_INF, 0 = none, 1 = stationary, 2 = moving. */
  MOTION: 0x02,
  /** control 0x80: BODY_SIG, body movement parameter 0..100, reported once a second. */
  BODY_MOVEMENT: 0x03,
  /** control 0x83: FALL_STATE, 0 = no fall, 1 = fall detected (reported on change). */
  FALL_STATE: 0x01,
  /** control 0x83: RESIDENT_STATE, 0 = no stationary residency, 1 = stationary residency. */
  RESIDENCY: 0x05,
} as const;

export interface Mr60fda1Frame {
  control: number;
  command: number;
  data: Uint8Array;
}

export type MotionState = 'none' | 'stationary' | 'active';

/** What a frame means. */
export type Mr60fda1Report =
  | { kind: 'heartbeat' }
  | { kind: 'reset' }
  | { kind: 'product_info'; field: ProductInfoField; text: string }
  | { kind: 'presence'; present: boolean }
  | { kind: 'motion'; state: MotionState }
  | { kind: 'body_movement'; level: number }
  | { kind: 'fall'; fallen: boolean }
  | { kind: 'residency'; resident: boolean }
  | { kind: 'unknown'; control: number; command: number; data: string };

export type ProductInfoField = 'device_id' | 'product_model' | 'product_id' | 'firmware_version';

export type DecodeResult =
  { ok: true; report: Mr60fda1Report } | { ok: false; code: string; reason: string };
export interface Mr60fda1Message {
  frame: Mr60fda1Frame;
  report: Mr60fda1Report;
}

/** Rejection reason codes (stable; reported in gateway health). */
export const REJECT = {
  /** Bytes skipped while looking for a header (counted once per run of garbage). */
  RESYNC: 'RESYNC',
  BAD_LENGTH: 'BAD_LENGTH',
  CHECKSUM: 'CHECKSUM',
  BAD_TAIL: 'BAD_TAIL',
  /** A frame whose length spans or points past a later complete frame (corrupted length field). */
  TRUNCATED: 'TRUNCATED',
  BAD_DATA: 'BAD_DATA',
  BAD_VALUE: 'BAD_VALUE',
  UNKNOWN: 'UNKNOWN',
} as const;
