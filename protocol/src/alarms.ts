/**
 * The alarm model (DESIGN.md, "Alarms"). The DTOs are TypeBox schemas with their types derived
 * from them: the hub serializes its answers with the same schemas (issue 14), so a field the type
 * has and the schema lacks cannot happen.
 */
import { Type, type Static } from '@sinclair/typebox';
import { IsoTime, nullable } from './operations-common.js';
import { USER_ROLES } from './roles.js';
import { stringEnum } from './schema.js';

/** Every kind of alarm the hub can raise. */
export const ALARM_KINDS = [
  'fall',
  'sos',
  'smoke',
  'gas',
  'water_leak',
  'bed_exit_night',
  'inactivity',
  'abnormal_consumption',
  'door_open_night',
  'device_offline',
  'gateway_offline',
  'low_battery',
  'tamper',
] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/**
 * Alarm kinds a device reports directly (the rest are derived by the hub's rules from telemetry,
 * heartbeats and silence).
 */
export const DEVICE_ALARM_KINDS = [
  'fall',
  'sos',
  'smoke',
  'gas',
  'water_leak',
  'low_battery',
  'tamper',
] as const satisfies readonly AlarmKind[];
export type DeviceAlarmKind = (typeof DEVICE_ALARM_KINDS)[number];

/** 1 = life-safety, 2 = wellbeing, 3 = technical. Lower number is served first. */
export const AlarmPrioritySchema = Type.Union([Type.Literal(1), Type.Literal(2), Type.Literal(3)]);
export type AlarmPriority = Static<typeof AlarmPrioritySchema>;

export const ALARM_PRIORITY: Readonly<Record<AlarmKind, AlarmPriority>> = {
  fall: 1,
  sos: 1,
  smoke: 1,
  gas: 1,
  water_leak: 2,
  bed_exit_night: 2,
  inactivity: 2,
  abnormal_consumption: 2,
  door_open_night: 2,
  device_offline: 3,
  gateway_offline: 3,
  low_battery: 3,
  tamper: 3,
};

export const ALARM_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlarmStatus = (typeof ALARM_STATUSES)[number];

/** Outcomes an operator records when resolving (DESIGN.md, Alarms → Lifecycle). */
export const ALARM_OUTCOMES = [
  'false_alarm',
  'handled_by_phone',
  'family_attended',
  'responder_dispatched',
  'emergency_services',
  'device_fault',
  'resident_cancelled',
] as const;
export type AlarmOutcome = (typeof ALARM_OUTCOMES)[number];

/** What a device says about an alarm condition. */
export const ALARM_ACTIONS = ['raise', 'clear', 'cancel'] as const;
export type AlarmAction = (typeof ALARM_ACTIONS)[number];

/** Someone who said "I am going there" (AlarmDto.responders). */
export const AlarmResponderSchema = Type.Object(
  {
    userId: Type.String(),
    username: Type.String(),
    displayName: Type.String(),
    role: stringEnum(USER_ROLES),
    at: IsoTime,
    etaMinutes: nullable(Type.Number()),
    note: nullable(Type.String()),
  },
  { additionalProperties: false },
);
export type AlarmResponderDto = Static<typeof AlarmResponderSchema>;

/** The alarm as the hub shows it to consoles, over REST and Socket.IO. Times are ISO 8601 UTC. */
export const AlarmSchema = Type.Object(
  {
    id: Type.String(),
    gatewayId: Type.String(),
    deviceId: nullable(Type.String()),
    homeId: nullable(Type.String()),
    kind: stringEnum(ALARM_KINDS),
    priority: AlarmPrioritySchema,
    status: stringEnum(ALARM_STATUSES),
    /** Raised while the home was in test mode: recorded, never dispatched or escalated. */
    test: Type.Boolean(),
    /**
     * Every trigger came from a gateway in its own test mode (command set_test_mode): shown as
     * "gateway in test mode". Only a mark: such an alarm is dispatched and escalated as any other
     * unless the home is in test mode (`test`).
     */
    gatewayTest: Type.Boolean(),
    /** When the device observed the first trigger (not when it was sent). */
    raisedAt: IsoTime,
    /** When the hub stored it. */
    receivedAt: IsoTime,
    /** When the latest trigger joined this alarm. */
    lastTriggerAt: IsoTime,
    /** Number of device triggers joined into this alarm. */
    triggerCount: Type.Integer(),
    acknowledgedAt: nullable(IsoTime),
    acknowledgedBy: nullable(Type.String()),
    resolvedAt: nullable(IsoTime),
    resolvedBy: nullable(Type.String()),
    outcome: nullable(stringEnum(ALARM_OUTCOMES)),
    notes: nullable(Type.String()),
    /** Set when the resident cancelled on the device; the alarm is kept, not deleted. */
    cancelledByResidentAt: nullable(IsoTime),
    /** The resident the alarm is about, where known (a shared home shows which one). Optional: added by issue 5. */
    residentId: Type.Optional(nullable(Type.String())),
    /** People who said "I am going there" (POST /api/v1/alarms/:id/responding), oldest first. */
    responders: Type.Optional(Type.Array(AlarmResponderSchema)),
  },
  { additionalProperties: false },
);
export type AlarmDto = Static<typeof AlarmSchema>;

/** Queue order for consoles: priority first (life-safety on top), then oldest first. */
export function compareAlarmsForQueue(a: AlarmDto, b: AlarmDto): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  if (a.raisedAt !== b.raisedAt) return a.raisedAt < b.raisedAt ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
