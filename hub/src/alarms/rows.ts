/**
 * Alarm rows as the rest of the hub sees them (DTOs), and the shapes the alarm owner's operations
 * take and answer. Pure: no SQL here (writes.ts is the one place that writes the tables).
 */
import type {
  AlarmDto,
  AlarmKind,
  AlarmOutcome,
  AlarmPriority,
  AlarmResponderDto,
  AlarmStatus,
  AlarmTriggerDto,
} from '@anxin/protocol';
import type { AlarmRow, AlarmTriggerRow } from '../store/schema.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

/** An alarm is unresolved while open or acknowledged: new triggers join it. */
export const UNRESOLVED: AlarmStatus[] = ['open', 'acknowledged'];

export function alarmRowToDto(row: AlarmRow): AlarmDto {
  return {
    id: row.id,
    gatewayId: row.gateway_id,
    deviceId: row.device_id,
    homeId: row.home_id,
    kind: row.kind as AlarmKind,
    priority: row.priority as AlarmPriority,
    status: row.status as AlarmStatus,
    test: row.test === 1,
    gatewayTest: row.gateway_test === 1,
    raisedAt: iso(row.raised_at),
    receivedAt: iso(row.received_at),
    lastTriggerAt: iso(row.last_trigger_at),
    triggerCount: row.trigger_count,
    acknowledgedAt: isoOrNull(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: isoOrNull(row.resolved_at),
    resolvedBy: row.resolved_by,
    outcome: row.outcome as AlarmOutcome | null,
    notes: row.notes,
    cancelledByResidentAt: isoOrNull(row.cancelled_by_resident_at),
  };
}

export function triggerRowToDto(row: AlarmTriggerRow): AlarmTriggerDto {
  let detail: AlarmTriggerDto['detail'] = null;
  if (row.detail_json) {
    try {
      detail = JSON.parse(row.detail_json) as AlarmTriggerDto['detail'];
    } catch {
      detail = null;
    }
  }
  return {
    eventId: row.event_id,
    seq: row.seq,
    deviceId: row.device_id,
    action: row.action as AlarmTriggerDto['action'],
    observedAt: iso(row.observed_at),
    receivedAt: iso(row.received_at),
    detail,
    gatewayTest: row.gateway_test === 1,
  };
}

export type LifecycleResult =
  | { ok: true; alarm: AlarmDto; changed: boolean }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

export interface Actor {
  userId: string;
  username: string;
}

/**
 * The care-model fields ScopedAlarms.enrichMany adds to an alarm (who it is about, who is on the
 * way), when its writer already knows them: the console push then needs no SQL read.
 */
export interface AlarmCareFields {
  residentId: string | null;
  responders: AlarmResponderDto[];
}

/** What one write changed: alarms it opened (push alarm:new) and existing ones it changed. */
export interface AlarmChanges {
  created: AlarmDto[];
  updated: AlarmDto[];
}

/**
 * The alarms one transaction touched, each once, in the order first touched: an alarm opened and
 * then joined in the same transaction is still reported as created.
 */
export class Touched {
  private readonly rows = new Map<string, { row: AlarmRow; isNew: boolean }>();

  mark(row: AlarmRow, isNew: boolean): void {
    this.rows.set(row.id, { row, isNew: isNew || (this.rows.get(row.id)?.isNew ?? false) });
  }

  changes(): AlarmChanges {
    const out: AlarmChanges = { created: [], updated: [] };
    for (const { row, isNew } of this.rows.values())
      (isNew ? out.created : out.updated).push(alarmRowToDto(row));
    return out;
  }
}
