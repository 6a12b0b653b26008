/**
 * Zigbee2MQTT messages → the shared contract (pure, no I/O).
 *
 * Topic layout (zigbee2mqtt.io "MQTT Topics and Messages"):
 * - `BASE/FRIENDLY_NAME` device state as a JSON object (friendly names may contain `/`);
 * - `BASE/FRIENDLY_NAME/availability`: `{"state":"online"}` since Zigbee2MQTT 1.30.x/2.0, plain
 *   `online`/`offline` with the legacy availability payload (`advanced.legacy_availability_payload`);
 * - `BASE/FRIENDLY_NAME/set|get[/attribute]`: commands to devices (ignored here);
 * - `BASE/bridge/devices` (retained): array of devices with ieee_address, friendly_name, type,
 *   definition {model, vendor, description, exposes}, interview_completed, supported;
 * - `BASE/bridge/event`: {type: device_joined | device_leave | device_interview | device_announce,
 *   data: {friendly_name, ieee_address, status?, definition?}};
 * - `BASE/bridge/state` (retained, with a last will): the bridge itself online/offline, in the
 *   same two forms as availability;
 * - `bridge/info`, `bridge/logging`, `bridge/request|response/...`: ignored.
 *
 * Property names and meanings are those of the generic exposes (zigbee2mqtt.io device pages,
 * "Exposes" sections): water_leak, smoke, gas, tamper, battery_low (binary, true = ON);
 * contact (binary, true = closed: "If value equals false contact is ON"); occupancy, presence
 * (binary); battery (numeric %, 0–100); linkquality (numeric lqi, 0–255); temperature (°C);
 * humidity (%); action (enum; Zigbee2MQTT may follow an action with an empty `action: ""`).
 */
import type { DeviceAlarmKind } from '@anxin/protocol';
import type { DeviceReading } from '../driver.js';
import { GENERIC_SOS_ACTIONS, MODEL_PROFILES } from './models.js';

export type TopicKind =
  | { kind: 'bridge_devices' }
  | { kind: 'bridge_event' }
  | { kind: 'bridge_state' }
  | { kind: 'bridge_other' }
  | { kind: 'availability'; friendlyName: string }
  | { kind: 'state'; friendlyName: string }
  | { kind: 'command'; friendlyName: string }
  | { kind: 'foreign' };

/** Classifies a topic under `base` (e.g. `zigbee2mqtt`). */
export function classifyTopic(base: string, topic: string): TopicKind {
  const prefix = `${base}/`;
  if (!topic.startsWith(prefix)) return { kind: 'foreign' };
  const rest = topic.slice(prefix.length);
  if (rest === 'bridge/devices') return { kind: 'bridge_devices' };
  if (rest === 'bridge/event') return { kind: 'bridge_event' };
  if (rest === 'bridge/state') return { kind: 'bridge_state' };
  if (rest === 'bridge' || rest.startsWith('bridge/')) return { kind: 'bridge_other' };
  if (rest.length === 0) return { kind: 'foreign' };
  if (rest.endsWith('/availability')) {
    const name = rest.slice(0, -'/availability'.length);
    return name ? { kind: 'availability', friendlyName: name } : { kind: 'foreign' };
  }
  const command = /^(.+)\/(set|get)(\/[^/]+)?$/.exec(rest);
  if (command?.[1]) return { kind: 'command', friendlyName: command[1] };
  return { kind: 'state', friendlyName: rest };
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: string; reason: string };

function parseJson(text: string): Parsed<unknown> {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return {
      ok: false,
      code: 'BAD_JSON',
      reason: err instanceof Error ? err.message : 'invalid JSON',
    };
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Both availability forms: plain `online`/`offline` and `{"state":"online"}`. */
export function parseAvailability(text: string): Parsed<'online' | 'offline'> {
  const plain = text.trim();
  if (plain === 'online' || plain === 'offline') return { ok: true, value: plain };
  const json = parseJson(plain);
  if (!json.ok) return json;
  if (isRecord(json.value) && (json.value.state === 'online' || json.value.state === 'offline'))
    return { ok: true, value: json.value.state };
  return {
    ok: false,
    code: 'BAD_PAYLOAD',
    reason: 'availability is neither online/offline nor {"state":…}',
  };
}

export interface Z2mDevice {
  ieeeAddress: string;
  friendlyName: string;
  type: string;
  model: string | null;
  vendor: string | null;
  description: string | null;
  interviewCompleted: boolean;
  supported: boolean;
}

/** `bridge/devices`: the coordinator is left out; entries without names are skipped. */
export function parseBridgeDevices(text: string): Parsed<Z2mDevice[]> {
  const json = parseJson(text);
  if (!json.ok) return json;
  if (!Array.isArray(json.value))
    return { ok: false, code: 'BAD_PAYLOAD', reason: 'bridge/devices is not an array' };
  const devices: Z2mDevice[] = [];
  for (const entry of json.value) {
    if (!isRecord(entry)) continue;
    const { ieee_address: ieee, friendly_name: name, type } = entry;
    if (typeof ieee !== 'string' || typeof name !== 'string' || type === 'Coordinator') continue;
    const def = isRecord(entry.definition) ? entry.definition : undefined;
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    devices.push({
      ieeeAddress: ieee,
      friendlyName: name,
      type: typeof type === 'string' ? type : 'Unknown',
      model: str(def?.model),
      vendor: str(def?.vendor),
      description: str(def?.description),
      interviewCompleted: entry.interview_completed === true,
      supported: entry.supported === true,
    });
  }
  return { ok: true, value: devices };
}

export type Z2mBridgeEvent =
  | { type: 'joined'; friendlyName: string; ieeeAddress: string }
  | { type: 'left'; friendlyName: string; ieeeAddress: string }
  | { type: 'announce'; friendlyName: string; ieeeAddress: string }
  | {
      type: 'interview';
      friendlyName: string;
      ieeeAddress: string;
      status: 'started' | 'successful' | 'failed';
      model: string | null;
    };

const EVENT_TYPES: Record<string, Z2mBridgeEvent['type']> = {
  device_joined: 'joined',
  device_leave: 'left',
  device_announce: 'announce',
  device_interview: 'interview',
};

export function parseBridgeEvent(text: string): Parsed<Z2mBridgeEvent> {
  const json = parseJson(text);
  if (!json.ok) return json;
  const v = json.value;
  if (!isRecord(v) || typeof v.type !== 'string' || !isRecord(v.data))
    return { ok: false, code: 'BAD_PAYLOAD', reason: 'bridge/event needs {type, data}' };
  const type = EVENT_TYPES[v.type];
  if (!type) return { ok: false, code: 'UNKNOWN_EVENT', reason: `unknown bridge event ${v.type}` };
  const { friendly_name: name, ieee_address: ieee, status } = v.data;
  if (typeof name !== 'string' || typeof ieee !== 'string')
    return {
      ok: false,
      code: 'BAD_PAYLOAD',
      reason: 'bridge/event data lacks friendly_name/ieee_address',
    };
  if (type !== 'interview')
    return { ok: true, value: { type, friendlyName: name, ieeeAddress: ieee } };
  if (status !== 'started' && status !== 'successful' && status !== 'failed')
    return {
      ok: false,
      code: 'BAD_PAYLOAD',
      reason: 'device_interview status is not started/successful/failed',
    };
  const def = isRecord(v.data.definition) ? v.data.definition : undefined;
  return {
    ok: true,
    value: {
      type,
      friendlyName: name,
      ieeeAddress: ieee,
      status,
      model: typeof def?.model === 'string' ? def.model : null,
    },
  };
}

/** How one device is mapped, from the gateway's config. */
export interface DeviceMapping {
  deviceId: string;
  /** Overrides the model from bridge/devices (e.g. before it arrives). */
  model?: string;
  /** A bed-occupancy mat: its occupancy/presence means "someone lies on the bed". */
  role?: 'bed_mat';
}

export interface StateContext {
  deviceId: string;
  model: string | null;
  role?: 'bed_mat';
  /** Extra SOS action values per model from the config. */
  extraSosActions?: Readonly<Record<string, readonly string[]>>;
  /** Alarm-relevant values seen last time (for edges); replaced by `memory` in the result. */
  memory: Readonly<Record<string, boolean | string>>;
}

export interface StateResult {
  readings: DeviceReading[];
  memory: Record<string, boolean | string>;
  /** Properties present with a value of the wrong type (counted, ignored). */
  invalid: string[];
}

/** Binary exposes that are alarms, with the contract's kind. */
const BINARY_ALARMS: Readonly<Record<string, DeviceAlarmKind>> = {
  water_leak: 'water_leak',
  smoke: 'smoke',
  gas: 'gas',
  tamper: 'tamper',
  battery_low: 'low_battery',
};

/** Numeric exposes and their canonical telemetry fields, with the valid range. */
const NUMERIC_FIELDS: Readonly<Record<string, { field: string; min: number; max: number }>> = {
  battery: { field: 'battery_pct', min: 0, max: 100 },
  linkquality: { field: 'link_quality', min: 0, max: 255 },
  temperature: { field: 'temperature_c', min: -60, max: 120 },
  humidity: { field: 'humidity_pct', min: 0, max: 100 },
  breathing_rate: { field: 'respiration_rate_bpm', min: 0, max: 120 },
  heart_rate: { field: 'heart_rate_bpm', min: 0, max: 300 },
};

const POSTURES = ['unoccupied', 'occupied', 'sitting', 'on_the_bed', 'low_posture', 'falling'];

function sosActionsFor(
  model: string | null,
  extra?: Readonly<Record<string, readonly string[]>>,
): readonly string[] {
  if (model === null) return GENERIC_SOS_ACTIONS;
  return [...(MODEL_PROFILES[model]?.sosActions ?? GENERIC_SOS_ACTIONS), ...(extra?.[model] ?? [])];
}

/**
 * Maps one device state message. Alarms are edge-triggered on the remembered value, because
 * Zigbee2MQTT republishes the whole cached state with every update (a battery report repeats
 * `water_leak: false`): a raise is emitted when a property turns true (or is first seen true), a
 * clear when it turns false after having been seen. Telemetry is emitted as reported.
 */
export function mapState(state: Record<string, unknown>, ctx: StateContext): StateResult {
  const readings: DeviceReading[] = [];
  const memory: Record<string, boolean | string> = { ...ctx.memory };
  const invalid: string[] = [];
  const fields: Record<string, number | boolean | string> = {};
  const deviceId = ctx.deviceId;
  const profile = ctx.model ? MODEL_PROFILES[ctx.model] : undefined;

  const edge = (
    key: string,
    on: boolean,
    kind: DeviceAlarmKind,
    detail?: Record<string, string>,
  ): void => {
    const before = memory[key];
    memory[key] = on;
    if (before === on || (before === undefined && !on)) return;
    readings.push({
      type: 'alarm',
      kind,
      action: on ? 'raise' : 'clear',
      deviceId,
      ...(detail ? { detail } : {}),
    });
  };

  // SOS: each non-empty action in the model's list is a press; the empty follow-up is ignored.
  if ('action' in state) {
    const action = state.action;
    if (typeof action !== 'string') invalid.push('action');
    else if (action !== '' && sosActionsFor(ctx.model, ctx.extraSosActions).includes(action))
      readings.push({ type: 'alarm', kind: 'sos', action: 'raise', deviceId, detail: { action } });
  }

  for (const [prop, kind] of Object.entries(BINARY_ALARMS)) {
    if (!(prop in state)) continue;
    const v = state[prop];
    if (typeof v !== 'boolean') invalid.push(prop);
    else edge(prop, v, kind);
  }

  if ('contact' in state) {
    const v = state.contact;
    if (typeof v !== 'boolean') invalid.push('contact');
    else if (profile?.contactMeans === 'bed_empty') fields.bed_occupied = !v;
    else fields.contact_closed = v;
  }
  for (const prop of ['occupancy', 'presence'] as const) {
    if (!(prop in state)) continue;
    const v = state[prop];
    if (typeof v !== 'boolean') invalid.push(prop);
    else if (ctx.role === 'bed_mat') fields.bed_occupied = v;
    else fields[prop] = v;
  }
  for (const [prop, spec] of Object.entries(NUMERIC_FIELDS)) {
    if (!(prop in state) || state[prop] === null) continue;
    const v = state[prop];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < spec.min || v > spec.max)
      invalid.push(prop);
    else fields[spec.field] = v;
  }
  if (profile?.postureStatus && 'status' in state) {
    const status = state.status;
    if (typeof status !== 'string' || !POSTURES.includes(status)) invalid.push('status');
    else {
      fields.presence = status !== 'unoccupied';
      fields.bed_occupied = status === 'on_the_bed';
      edge('fall', status === 'falling', 'fall');
    }
  }

  if (Object.keys(fields).length > 0) readings.push({ type: 'telemetry', fields, deviceId });
  return { readings, memory, invalid };
}

/** Parses a device state payload (a JSON object). */
export function parseState(text: string): Parsed<Record<string, unknown>> {
  const json = parseJson(text);
  if (!json.ok) return json;
  if (!isRecord(json.value))
    return { ok: false, code: 'BAD_PAYLOAD', reason: 'device state is not a JSON object' };
  return { ok: true, value: json.value };
}
