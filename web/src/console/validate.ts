/**
 * Shape checks for alarms arriving over the socket. The hub is trusted, but a console must never
 * crash on a malformed push (a proxy, a version skew): such items are dropped and counted.
 */
import { ALARM_KINDS, ALARM_STATUSES, type AlarmDto } from '@anxin/protocol';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const isString = (value: unknown): value is string => typeof value === 'string';
const isNullableString = (value: unknown): boolean => value === null || typeof value === 'string';

export function isAlarmDto(value: unknown): value is AlarmDto {
  if (!isRecord(value)) return false;
  return (
    isString(value.id) &&
    isString(value.gatewayId) &&
    isNullableString(value.deviceId) &&
    isNullableString(value.homeId) &&
    (ALARM_KINDS as readonly unknown[]).includes(value.kind) &&
    (value.priority === 1 || value.priority === 2 || value.priority === 3) &&
    (ALARM_STATUSES as readonly unknown[]).includes(value.status) &&
    typeof value.test === 'boolean' &&
    isString(value.raisedAt) &&
    isString(value.receivedAt) &&
    isString(value.lastTriggerAt) &&
    typeof value.triggerCount === 'number' &&
    isNullableString(value.acknowledgedAt) &&
    isNullableString(value.acknowledgedBy) &&
    isNullableString(value.resolvedAt) &&
    isNullableString(value.resolvedBy) &&
    isNullableString(value.outcome) &&
    isNullableString(value.notes) &&
    isNullableString(value.cancelledByResidentAt)
  );
}

/** Reads an `alarms:sync` answer: the valid alarms, how many items were dropped, the server time. */
export function parseSyncReply(
  reply: unknown,
): { alarms: AlarmDto[]; dropped: number; serverTime: string | null } | null {
  if (!isRecord(reply) || !Array.isArray(reply.alarms)) return null;
  const items: unknown[] = reply.alarms;
  const alarms = items.filter(isAlarmDto);
  return {
    alarms,
    dropped: items.length - alarms.length,
    serverTime: isString(reply.serverTime) ? reply.serverTime : null,
  };
}
