/**
 * Kysely table types of the hub's SQL state. Times are epoch milliseconds (INTEGER) so SQLite and
 * PostgreSQL (BIGINT) compare and index them the same way; DTOs turn them into ISO strings.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

export interface GatewaysTable {
  id: string;
  secret_hash: string;
  home_id: string | null;
  created_at: number;
  /** 'online' | 'offline' | 'unknown' as last reported (status topic, last will). */
  status: string;
  status_at: number | null;
  last_seen_at: number | null;
  /** Last heartbeat as JSON (outbox depth, software version, device health). */
  health_json: string | null;
  /** 1 while the home is in test mode: alarms recorded, never dispatched. */
  test_mode: number;
  /** 0 when decommissioned: the broker refuses it. */
  enabled: number;
}

export interface DevicesTable {
  gateway_id: string;
  device_id: string;
  driver: string | null;
  first_seen_at: number;
  last_seen_at: number | null;
  online: number | null;
  battery_pct: number | null;
  signal: number | null;
  frames_ok: number | null;
  decode_errors: number | null;
}

export interface AlarmsTable {
  id: string;
  gateway_id: string;
  device_id: string | null;
  home_id: string | null;
  kind: string;
  priority: number;
  status: string;
  test: number;
  /** 1 while every trigger came from a gateway in its own test mode (0960_gateway_test_mark). */
  gateway_test: Generated<number>;
  raised_at: number;
  received_at: number;
  last_trigger_at: number;
  trigger_count: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  resolved_at: number | null;
  resolved_by: string | null;
  outcome: string | null;
  notes: string | null;
  cancelled_by_resident_at: number | null;
}

export interface AlarmTriggersTable {
  id: Generated<number>;
  /** Null for a clear/cancel that matched no open alarm (kept: nothing a device says is lost). */
  alarm_id: string | null;
  gateway_id: string;
  event_id: string;
  seq: number;
  device_id: string;
  kind: string;
  action: string;
  observed_at: number;
  received_at: number;
  detail_json: string | null;
  /** 1: the gateway sent it while its own test flag was on (the event's `test: true`). */
  gateway_test: Generated<number>;
}

export interface EventReceiptsTable {
  gateway_id: string;
  seq: number;
  event_id: string;
  lane: string;
  received_at: number;
}

export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  role: string;
  password_hash: string;
  created_at: number;
  disabled: number;
}

export interface SessionsTable {
  /** SHA-256 of the cookie token: a copy of the database does not hand out sessions. */
  token_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  user_id: string | null;
  username: string | null;
  action: string;
  target_type: string;
  target_id: string | null;
  detail_json: string | null;
}

export interface Database {
  gateways: GatewaysTable;
  devices: DevicesTable;
  alarms: AlarmsTable;
  alarm_triggers: AlarmTriggersTable;
  event_receipts: EventReceiptsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}

export type AlarmRow = Selectable<AlarmsTable>;
export type NewAlarmRow = Insertable<AlarmsTable>;
export type AlarmTriggerRow = Selectable<AlarmTriggersTable>;
export type UserRow = Selectable<UsersTable>;
export type GatewayRow = Selectable<GatewaysTable>;
