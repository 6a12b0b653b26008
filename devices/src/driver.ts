/**
 * What a device driver is, as data. The gateway never knows a protocol: it opens the transport a
 * driver asks for, feeds it bytes (or MQTT messages), and forwards the readings the driver returns.
 *
 * Each protocol lives in its own folder under devices/src/ with:
 *   codec.ts      pure bytes ⇄ values, no I/O, table-tested
 *   descriptor.ts the DriverDescriptor below (what it exposes, its transport defaults)
 *   simulator.ts  a device that speaks the real protocol, for `anxin demo`, `anxin sim` and tests
 */
import type { AlarmAction, DeviceAlarmKind } from '@anxin/protocol';

/** Something a device said, already mapped to the shared contract. */
export type DeviceReading =
  | {
      type: 'alarm';
      kind: DeviceAlarmKind;
      action: AlarmAction;
      detail?: Record<string, number | boolean | string>;
      /** For bridges (Zigbee2MQTT) that speak for many devices: the sub-device's id. */
      deviceId?: string;
    }
  | {
      type: 'telemetry';
      /** Canonical field names from TELEMETRY_FIELDS in @anxin/protocol. */
      fields: Record<string, number | boolean | string>;
      deviceId?: string;
    };

/** Counters every session keeps; reported in gateway heartbeats as device health. */
export interface DecodeStats {
  framesOk: number;
  /** Every frame or message rejected (bad checksum, bad length, garbage, unknown, bad JSON). */
  decodeErrors: number;
  /** Rejections by reason code, e.g. { CHECKSUM: 2, RESYNC: 1 }. */
  rejectReasons: Record<string, number>;
}

export interface SerialSettings {
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
}

export interface DriverContext {
  /** The device's id as configured at the gateway (unique within the gateway). */
  deviceId: string;
  /** Driver-specific options from the gateway config (e.g. the meter address). */
  options: Record<string, unknown>;
}

/** A device that talks on its own (e.g. a radar streaming frames): feed bytes, get readings. */
export interface StreamSession {
  mode: 'stream';
  /** Bytes as they arrive, in any chunking; frames may span chunks. Never throws. */
  push(chunk: Uint8Array): DeviceReading[];
  stats(): DecodeStats;
}

/** One request the gateway sends as bus master, and how long to wait for the reply. */
export interface PollRequest {
  bytes: Uint8Array;
  timeoutMs: number;
}

/**
 * A device the gateway polls as master (meters on RS-485). The gateway calls `nextPoll()` each
 * poll cycle, writes each request, feeds reply bytes to `push` until it reports `done`, or times
 * out and calls `timeout()`; retries are the gateway's job, counted per device.
 */
export interface PollSession {
  mode: 'poll';
  /** Poll interval the device wants, in ms. */
  intervalMs: number;
  nextPoll(): PollRequest[];
  push(chunk: Uint8Array): { done: boolean; readings: DeviceReading[] };
  timeout(): void;
  stats(): DecodeStats;
}

/** A device reached through a local MQTT broker (Zigbee2MQTT). */
export interface MqttSession {
  mode: 'mqtt';
  /** Topic filters to subscribe to on the local broker. */
  subscriptions(): string[];
  onMessage(topic: string, payload: Uint8Array): DeviceReading[];
  stats(): DecodeStats;
}

export type DriverSession = StreamSession | PollSession | MqttSession;

export interface DriverDescriptor {
  /** Stable id used in configs and on the command line, e.g. `mr60fda1`. */
  id: string;
  name: string;
  /** Makers' model names this driver covers. */
  models: string[];
  /** The standard or datasheet the codec follows. */
  reference: string;
  transport: 'serial' | 'mqtt';
  /** Defaults for serial transports (the installer may override per port). */
  serial?: SerialSettings;
  /** Telemetry fields (canonical names) and alarm kinds it can produce. */
  telemetry: string[];
  alarms: DeviceAlarmKind[];
  createSession(ctx: DriverContext): DriverSession;
  /**
   * Explains one captured frame for `anxin decode PROTOCOL HEX…`: its fields with units, or the
   * exact reason it is invalid with a stable code. `register` names the first register of a
   * Modbus reply (which does not carry it). Pure; never throws.
   */
  inspect?(
    bytes: Uint8Array,
    options: { register?: number },
  ): { ok: true; frame: unknown } | { ok: false; reason: string; code: string };
}

/**
 * A simulated device that speaks the real protocol (for `anxin demo`, `anxin sim` and tests).
 * It is pure: bytes in through `receive`, bytes out to `onTransmit` listeners; attaching it to a
 * pseudo-terminal or a TCP serial server is done by devices/src/simulate/.
 */
export interface SimulatedDevice {
  /** Which driver's protocol it speaks. */
  driverId: string;
  /** Bytes from the bus master (polled devices answer; streaming devices may accept commands). */
  receive(bytes: Uint8Array): void;
  onTransmit(listener: (bytes: Uint8Array) => void): void;
  /** Starts periodic output (heartbeats, presence, consumption). Idempotent. */
  start(): void;
  stop(): void;
  /** Names of scenario events it can act out, e.g. ['fall', 'presence', 'leave']. */
  readonly scenarios: readonly string[];
  /** Acts out a scenario event now; false if it does not know it. */
  trigger(scenario: string): boolean;
}
