/**
 * Payload schemas of every MQTT message between gateway and hub (see topics.ts for where each
 * travels). One schema gives both the runtime check and the static type.
 *
 * Contract (DESIGN.md, "Gateway ⇄ hub contract"):
 *  - every event carries a time-ordered id (UUIDv7) and a per-gateway sequence number that is
 *    assigned when the event enters the gateway's durable outbox, before it is sent;
 *  - `observedAt` is when the device observed it, in epoch milliseconds of the gateway clock;
 *  - the hub answers with an Ack only after the events are durable, and is idempotent on
 *    (gatewayId, seq): a replay changes nothing but is acknowledged again.
 */
import { Type, type Static } from '@sinclair/typebox';
import { jsonObjectSchema } from './json.js';
import { stringEnum } from './schema.js';
import { ALARM_ACTIONS, DEVICE_ALARM_KINDS } from './alarms.js';

export const PROTOCOL_VERSION = 1;

/** Hard limits the hub enforces; a gateway must not exceed them. */
export const LIMITS = {
  /** Largest MQTT payload the hub accepts on any uplink topic. */
  maxPayloadBytes: 256 * 1024,
  /** Most events in one UplinkBatch. */
  maxEventsPerBatch: 500,
  /** Most fields in one telemetry event. */
  maxFieldsPerEvent: 32,
  maxStringValueLength: 128,
  maxDetailEntries: 16,
} as const;

export const UUID_V7_PATTERN =
  '^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$';
export const DEVICE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';
export const FIELD_NAME_PATTERN = '^[a-z][a-z0-9_]{0,63}$';
export const COMMAND_NAME_PATTERN = '^[a-z][a-z0-9_]{0,63}$';

const EventId = Type.String({ pattern: UUID_V7_PATTERN });
const Seq = Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER });
const EpochMs = Type.Integer({ minimum: 0, maximum: 8_640_000_000_000_000 });
const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN });
const ScalarValue = Type.Union([
  Type.Number(),
  Type.Boolean(),
  Type.String({ maxLength: LIMITS.maxStringValueLength }),
]);

/**
 * Set (only ever to true) on an event the gateway recorded while its own test flag was on (command
 * set_test_mode, or the hub's configuration saying the home is in test mode): someone is testing
 * on site. Optional, so events of gateways that predate it still parse. It only marks the event;
 * whether an alarm is dispatched is the hub's decision from the home's test mode, never the
 * gateway's (a gateway must not be able to silence its own alarms).
 */
const TestMark = Type.Optional(Type.Literal(true));

export const AlarmEventSchema = Type.Object(
  {
    type: Type.Literal('alarm'),
    id: EventId,
    seq: Seq,
    observedAt: EpochMs,
    deviceId: DeviceId,
    kind: stringEnum(DEVICE_ALARM_KINDS),
    action: stringEnum(ALARM_ACTIONS),
    test: TestMark,
    detail: Type.Optional(
      Type.Record(Type.String({ pattern: FIELD_NAME_PATTERN }), ScalarValue, {
        maxProperties: LIMITS.maxDetailEntries,
        additionalProperties: false,
      }),
    ),
  },
  { additionalProperties: false },
);
export type AlarmEvent = Static<typeof AlarmEventSchema>;

export const TelemetryEventSchema = Type.Object(
  {
    type: Type.Literal('telemetry'),
    id: EventId,
    seq: Seq,
    observedAt: EpochMs,
    deviceId: DeviceId,
    test: TestMark,
    /** Field names come from TELEMETRY_FIELDS where one fits (units are implied by the name). */
    fields: Type.Record(Type.String({ pattern: FIELD_NAME_PATTERN }), ScalarValue, {
      minProperties: 1,
      maxProperties: LIMITS.maxFieldsPerEvent,
      additionalProperties: false,
    }),
  },
  { additionalProperties: false },
);
export type TelemetryEvent = Static<typeof TelemetryEventSchema>;

export type GatewayEvent = AlarmEvent | TelemetryEvent;
export type Lane = 'alarm' | 'telemetry';

/** Published on up/alarm (only alarm events) or up/telemetry (only telemetry events). */
export const AlarmBatchSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    events: Type.Array(AlarmEventSchema, { minItems: 1, maxItems: LIMITS.maxEventsPerBatch }),
  },
  { additionalProperties: false },
);
export type AlarmBatch = Static<typeof AlarmBatchSchema>;

export const TelemetryBatchSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    events: Type.Array(TelemetryEventSchema, { minItems: 1, maxItems: LIMITS.maxEventsPerBatch }),
  },
  { additionalProperties: false },
);
export type TelemetryBatch = Static<typeof TelemetryBatchSchema>;

/** Stable codes for events or messages the hub refuses. */
export const REJECT_CODES = [
  'BAD_JSON',
  'SCHEMA',
  'TOO_LARGE',
  'UNKNOWN_TOPIC',
  'NOT_AUTHORIZED',
  'SEQ_CONFLICT',
] as const;
export type RejectCode = (typeof REJECT_CODES)[number];

/**
 * Sent on down/ack. `acked` events are durable at the hub (or were already: replays are acked
 * again) and may leave the outbox. `rejected` events can never be accepted (e.g. a seq reused with
 * different content) and are removed too, but counted and logged on both sides. `deferred` events
 * were not made durable (storage down or hub overloaded): keep them and resend no sooner than
 * `retryAfterMs`. An ack that settles nothing and carries `retryAfterMs: 0` is a *resume*: the hub
 * has room again before the slot it gave, and the gateway sends its held lane at once (a gateway
 * that ignores it returns at the slot).
 */
export const AckSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    lane: Type.Union([Type.Literal('alarm'), Type.Literal('telemetry')]),
    acked: Type.Array(Seq),
    rejected: Type.Array(
      Type.Object({ seq: Seq, code: stringEnum(REJECT_CODES), message: Type.String() }),
    ),
    deferred: Type.Array(Seq),
    retryAfterMs: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type Ack = Static<typeof AckSchema>;

/** The resume ack for a lane (see AckSchema): the hub has room again, send what you hold. */
export function resumeAck(lane: Ack['lane']): Ack {
  return { v: PROTOCOL_VERSION, lane, acked: [], rejected: [], deferred: [], retryAfterMs: 0 };
}

/** Whether an ack is a resume: it settles nothing and asks for no wait. */
export function isResumeAck(ack: Ack): boolean {
  return (
    ack.retryAfterMs === 0 &&
    ack.acked.length === 0 &&
    ack.rejected.length === 0 &&
    ack.deferred.length === 0
  );
}

export const DeviceHealthSchema = Type.Object(
  {
    deviceId: DeviceId,
    driver: Type.String({ maxLength: 64 }),
    online: Type.Boolean(),
    lastSeenAt: Type.Union([EpochMs, Type.Null()]),
    batteryPct: Type.Optional(Type.Number({ minimum: 0, maximum: 100 })),
    signal: Type.Optional(Type.Number()),
    framesOk: Type.Integer({ minimum: 0 }),
    decodeErrors: Type.Integer({ minimum: 0 }),
  },
  { additionalProperties: false },
);
export type DeviceHealth = Static<typeof DeviceHealthSchema>;

/**
 * Where a gateway's test flag comes from and until when: `command` (set_test_mode, for a bounded
 * window: `until` is when it switches itself off) or `home` (the hub's configuration says the
 * home is in test mode; it lasts until the hub's next configuration says otherwise, `until` null).
 */
export const GatewayTestModeSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('command'), Type.Literal('home')]),
    until: Type.Union([EpochMs, Type.Null()]),
  },
  { additionalProperties: false },
);
export type GatewayTestMode = Static<typeof GatewayTestModeSchema>;

/** Sent on up/heartbeat every heartbeat interval (default 30 s). */
export const HeartbeatSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    sentAt: EpochMs,
    uptimeS: Type.Number({ minimum: 0 }),
    softwareVersion: Type.String({ maxLength: 64 }),
    configVersion: Type.Integer({ minimum: 0 }),
    outbox: Type.Object(
      {
        alarmDepth: Type.Integer({ minimum: 0 }),
        telemetryDepth: Type.Integer({ minimum: 0 }),
        oldestPendingAgeMs: Type.Integer({ minimum: 0 }),
        droppedTelemetry: Type.Integer({ minimum: 0 }),
      },
      { additionalProperties: false },
    ),
    devices: Type.Array(DeviceHealthSchema, { maxItems: 256 }),
    /** The gateway's test flag while it is on (absent: off, or a gateway that predates it). */
    testMode: Type.Optional(GatewayTestModeSchema),
  },
  { additionalProperties: false },
);
export type Heartbeat = Static<typeof HeartbeatSchema>;

/** Retained on up/status: "online" when connected, the MQTT last will carries "offline". */
export const GatewayStatusSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    state: Type.Union([Type.Literal('online'), Type.Literal('offline')]),
    at: EpochMs,
    /** Configuration version the gateway runs (0 = none from the hub); absent from old gateways. */
    configVersion: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type GatewayStatus = Static<typeof GatewayStatusSchema>;

/**
 * Sent on down/cmd. The name is any well-formed command name, not only the ones this version
 * knows (control.ts, COMMAND_NAMES): a gateway older than its hub must still parse a newer command
 * and answer it with UNKNOWN_COMMAND rather than drop it and leave the hub waiting.
 */
export const CommandSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    id: Type.String({ minLength: 1, maxLength: 64 }),
    name: Type.String({ pattern: COMMAND_NAME_PATTERN }),
    args: Type.Optional(
      Type.Record(Type.String({ pattern: FIELD_NAME_PATTERN }), ScalarValue, { maxProperties: 16 }),
    ),
  },
  { additionalProperties: false },
);
export type Command = Static<typeof CommandSchema>;

/** Stable codes a command result (or the hub, for a command that never got one) carries. */
export const COMMAND_ERROR_CODES = [
  'UNKNOWN_COMMAND',
  'INVALID_ARGS',
  'UNKNOWN_DEVICE',
  'NOT_RUNNING',
  /** A numeric argument outside its allowed range (e.g. set_test_mode's duration_min). */
  'ARG_OUT_OF_RANGE',
  'FAILED',
  'TIMEOUT',
] as const;
export type CommandErrorCode = (typeof COMMAND_ERROR_CODES)[number];

/**
 * Sent on up/cmd-result, once per command. `code` is set when `ok` is false; `data` carries the
 * command's answer (a reading, diagnostics), bounded by the uplink payload limit.
 */
export const CommandResultSchema = Type.Object(
  {
    v: Type.Literal(PROTOCOL_VERSION),
    id: Type.String({ minLength: 1, maxLength: 64 }),
    ok: Type.Boolean(),
    code: Type.Optional(stringEnum(COMMAND_ERROR_CODES)),
    message: Type.Optional(Type.String({ maxLength: 512 })),
    data: Type.Optional(jsonObjectSchema({ maxLength: 64 })),
  },
  { additionalProperties: false },
);
export type CommandResult = Static<typeof CommandResultSchema>;
