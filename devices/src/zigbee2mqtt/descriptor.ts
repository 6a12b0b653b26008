/**
 * The Zigbee2MQTT bridge as a driver: one MqttSession speaks for every Zigbee device behind a
 * local Zigbee2MQTT, mapping friendly names (or IEEE addresses) to the gateway's device ids.
 */
import { StatsCounter } from '../common/stats.js';
import type { DeviceReading, DriverContext, DriverDescriptor, MqttSession } from '../driver.js';
import {
  classifyTopic,
  mapState,
  parseAvailability,
  parseBridgeDevices,
  parseBridgeEvent,
  parseState,
  type DeviceMapping,
  type Z2mBridgeEvent,
} from './codec.js';

export const DEFAULT_BASE_TOPIC = 'zigbee2mqtt';
/** Device state messages are small; anything larger is refused before parsing. */
export const MAX_STATE_BYTES = 64 * 1024;
/** bridge/devices lists every device with its exposes and can be large on big networks. */
export const MAX_BRIDGE_DEVICES_BYTES = 8 * 1024 * 1024;
/** Bridge events kept for `takeEvents()`; the oldest are dropped beyond this. */
export const MAX_PENDING_EVENTS = 200;

export interface Zigbee2MqttOptions {
  /** Zigbee2MQTT's `mqtt.base_topic` (default `zigbee2mqtt`). */
  baseTopic?: string;
  /**
   * Friendly name or IEEE address → the gateway's device id (or a mapping with model/role).
   * When given, devices not listed are ignored (counted as UNMAPPED_DEVICE); when absent, the
   * friendly name is the device id.
   */
  devices?: Record<string, string | DeviceMapping>;
  /** Extra `action` values that mean SOS, per Zigbee2MQTT model. */
  sosActions?: Record<string, string[]>;
}

export interface Z2mDeviceStatus {
  friendlyName: string;
  ieeeAddress: string | null;
  deviceId: string | null;
  model: string | null;
  availability: 'online' | 'offline' | 'unknown';
  /** ms since epoch of the last state message. */
  lastSeen: number | null;
}

export interface Zigbee2MqttSession extends MqttSession {
  /** What the bridge told us about each device (bridge/devices, availability, state). */
  devices(): Z2mDeviceStatus[];
  /** Bridge events (joined, left, interview, announce) since the last call, oldest first. */
  takeEvents(): Z2mBridgeEvent[];
  /** Zigbee2MQTT itself (bridge/state): offline means no device news can arrive at all. */
  bridgeState(): 'online' | 'offline' | 'unknown';
}

interface Known {
  friendlyName: string;
  ieeeAddress: string | null;
  model: string | null;
  availability: 'online' | 'offline' | 'unknown';
  lastSeen: number | null;
  memory: Record<string, boolean | string>;
}

/**
 * Reads and checks the driver options from the gateway config (unknown shapes are ignored).
 * `friendlyName` is how the installer adds one Zigbee device (one hub device per sensor, each a
 * zigbee2mqtt entry): the session then speaks for that device alone, under the configured
 * `deviceId` — without it, every such entry would report every device on the bridge.
 */
export function zigbee2mqttOptions(
  raw: Record<string, unknown>,
  deviceId?: string,
): Zigbee2MqttOptions {
  const out: Zigbee2MqttOptions = {};
  const friendly = raw.friendlyName;
  if (deviceId !== undefined && typeof friendly === 'string' && friendly.length > 0)
    out.devices = {
      [friendly]: {
        deviceId,
        ...(typeof raw.model === 'string' ? { model: raw.model } : {}),
        ...(raw.role === 'bed_mat' ? { role: 'bed_mat' as const } : {}),
      },
    };
  if (typeof raw.baseTopic === 'string' && raw.baseTopic.length > 0)
    out.baseTopic = raw.baseTopic.replace(/\/+$/, '');
  if (typeof raw.devices === 'object' && raw.devices !== null && !Array.isArray(raw.devices)) {
    const devices: Record<string, string | DeviceMapping> = {};
    for (const [key, v] of Object.entries(raw.devices as Record<string, unknown>)) {
      if (typeof v === 'string') devices[key] = v;
      else if (typeof v === 'object' && v !== null) {
        const m = v as Record<string, unknown>;
        if (typeof m.deviceId !== 'string') continue;
        devices[key] = {
          deviceId: m.deviceId,
          ...(typeof m.model === 'string' ? { model: m.model } : {}),
          ...(m.role === 'bed_mat' ? { role: 'bed_mat' as const } : {}),
        };
      }
    }
    out.devices = devices;
  }
  if (typeof raw.sosActions === 'object' && raw.sosActions !== null) {
    const sos: Record<string, string[]> = {};
    for (const [model, v] of Object.entries(raw.sosActions as Record<string, unknown>))
      if (Array.isArray(v)) sos[model] = v.filter((a): a is string => typeof a === 'string');
    out.sosActions = sos;
  }
  return out;
}

export function createZigbee2MqttSession(
  options: Zigbee2MqttOptions = {},
  now: () => number = Date.now,
): Zigbee2MqttSession {
  const base = options.baseTopic ?? DEFAULT_BASE_TOPIC;
  const mappings = new Map<string, DeviceMapping>();
  for (const [key, v] of Object.entries(options.devices ?? {}))
    mappings.set(key, typeof v === 'string' ? { deviceId: v } : v);
  const mapped = options.devices !== undefined;
  const counter = new StatsCounter();
  const known = new Map<string, Known>(); // by friendly name
  const events: Z2mBridgeEvent[] = [];
  let bridge: 'online' | 'offline' | 'unknown' = 'unknown';
  const decoder = new TextDecoder('utf-8', { fatal: false });

  const entry = (friendlyName: string): Known => {
    let k = known.get(friendlyName);
    if (!k) {
      k = {
        friendlyName,
        ieeeAddress: null,
        model: null,
        availability: 'unknown',
        lastSeen: null,
        memory: {},
      };
      known.set(friendlyName, k);
    }
    return k;
  };
  const mappingFor = (k: Known): DeviceMapping | undefined => {
    if (!mapped) return { deviceId: k.friendlyName };
    return (
      mappings.get(k.friendlyName) ?? (k.ieeeAddress ? mappings.get(k.ieeeAddress) : undefined)
    );
  };
  const pushEvent = (e: Z2mBridgeEvent): void => {
    events.push(e);
    if (events.length > MAX_PENDING_EVENTS) events.shift();
  };
  const renamed = (ieee: string, friendlyName: string): void => {
    // A device renamed in Zigbee2MQTT keeps its IEEE address: carry its memory over.
    for (const k of known.values()) {
      if (k.ieeeAddress === ieee && k.friendlyName !== friendlyName) {
        known.delete(k.friendlyName);
        k.friendlyName = friendlyName;
        known.set(friendlyName, k);
      }
    }
  };

  const onMessage = (topic: string, payload: Uint8Array): DeviceReading[] => {
    const where = classifyTopic(base, topic);
    if (where.kind === 'foreign' || where.kind === 'bridge_other' || where.kind === 'command')
      return [];
    const limit = where.kind === 'bridge_devices' ? MAX_BRIDGE_DEVICES_BYTES : MAX_STATE_BYTES;
    if (payload.byteLength > limit) {
      counter.reject('OVERSIZE');
      return [];
    }
    const text = decoder.decode(payload);
    switch (where.kind) {
      case 'bridge_devices': {
        const parsed = parseBridgeDevices(text);
        if (!parsed.ok) {
          counter.reject(parsed.code);
          return [];
        }
        for (const d of parsed.value) {
          renamed(d.ieeeAddress, d.friendlyName);
          const k = entry(d.friendlyName);
          k.ieeeAddress = d.ieeeAddress;
          k.model = d.model;
        }
        counter.ok();
        return [];
      }
      case 'bridge_event': {
        const parsed = parseBridgeEvent(text);
        if (!parsed.ok) {
          counter.reject(parsed.code);
          return [];
        }
        const e = parsed.value;
        if (e.type === 'left') known.delete(e.friendlyName);
        else {
          renamed(e.ieeeAddress, e.friendlyName);
          const k = entry(e.friendlyName);
          k.ieeeAddress = e.ieeeAddress;
          if (e.type === 'interview' && e.model) k.model = e.model;
        }
        pushEvent(e);
        counter.ok();
        return [];
      }
      case 'bridge_state': {
        const parsed = parseAvailability(text);
        if (!parsed.ok) {
          counter.reject(parsed.code);
          return [];
        }
        bridge = parsed.value;
        counter.ok();
        return [];
      }
      case 'availability': {
        const parsed = parseAvailability(text);
        if (!parsed.ok) {
          counter.reject(parsed.code);
          return [];
        }
        entry(where.friendlyName).availability = parsed.value;
        counter.ok();
        return [];
      }
      case 'state': {
        // An empty retained payload clears a retained message; it is not a state.
        if (payload.byteLength === 0) return [];
        const parsed = parseState(text);
        if (!parsed.ok) {
          counter.reject(parsed.code);
          return [];
        }
        const k = entry(where.friendlyName);
        const mapping = mappingFor(k);
        if (!mapping) {
          counter.reject('UNMAPPED_DEVICE');
          return [];
        }
        const result = mapState(parsed.value, {
          deviceId: mapping.deviceId,
          model: mapping.model ?? k.model,
          ...(mapping.role ? { role: mapping.role } : {}),
          ...(options.sosActions ? { extraSosActions: options.sosActions } : {}),
          memory: k.memory,
        });
        k.memory = result.memory;
        k.lastSeen = now();
        if (result.invalid.length > 0) counter.reject('BAD_VALUE');
        else counter.ok();
        return result.readings;
      }
    }
  };

  return {
    mode: 'mqtt',
    subscriptions: () => [`${base}/#`],
    onMessage,
    stats: () => counter.snapshot(),
    devices: () =>
      [...known.values()].map((k) => ({
        friendlyName: k.friendlyName,
        ieeeAddress: k.ieeeAddress,
        deviceId: mappingFor(k)?.deviceId ?? null,
        model: k.model,
        availability: k.availability,
        lastSeen: k.lastSeen,
      })),
    takeEvents: () => events.splice(0),
    bridgeState: () => bridge,
  };
}

export const zigbee2mqttDriver: DriverDescriptor = {
  id: 'zigbee2mqtt',
  name: 'Zigbee2MQTT bridge (Zigbee sensors and buttons)',
  models: [
    'Heiman HS1EB/HS1EB-E',
    'Tuya TS0215A_sos',
    'OWON FDS315',
    'OWON SPM915',
    'any Zigbee2MQTT device exposing water_leak, smoke, gas, contact, occupancy, presence, battery, tamper',
  ],
  reference: 'Zigbee2MQTT MQTT topics and messages; zigbee-herdsman-converters device exposes',
  transport: 'mqtt',
  telemetry: [
    'contact_closed',
    'occupancy',
    'presence',
    'bed_occupied',
    'battery_pct',
    'link_quality',
    'temperature_c',
    'humidity_pct',
    'respiration_rate_bpm',
    'heart_rate_bpm',
  ],
  alarms: ['sos', 'water_leak', 'smoke', 'gas', 'tamper', 'low_battery', 'fall'],
  createSession: (ctx: DriverContext) =>
    createZigbee2MqttSession(zigbee2mqttOptions(ctx.options, ctx.deviceId)),
};
