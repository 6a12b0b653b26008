/** Alarm fixtures for unit tests. */
import { ALARM_PRIORITY, type AlarmDto, type AlarmKind } from '@anxin/protocol';

let n = 0;

export function makeAlarm(kind: AlarmKind, overrides: Partial<AlarmDto> = {}): AlarmDto {
  n += 1;
  const at = overrides.raisedAt ?? `2026-11-22T10:00:${String(n % 60).padStart(2, '0')}.000Z`;
  return {
    id: `alarm-${String(n).padStart(4, '0')}`,
    gatewayId: 'gw-1',
    deviceId: 'dev-1',
    homeId: 'home-1',
    kind,
    priority: ALARM_PRIORITY[kind],
    status: 'open',
    test: false,
    gatewayTest: false,
    raisedAt: at,
    receivedAt: at,
    lastTriggerAt: at,
    triggerCount: 1,
    acknowledgedAt: null,
    acknowledgedBy: null,
    resolvedAt: null,
    resolvedBy: null,
    outcome: null,
    notes: null,
    cancelledByResidentAt: null,
    ...overrides,
  };
}
