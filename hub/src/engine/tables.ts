/**
 * Kysely table types of the engine's own migration (0900_engine), and the few columns of the care
 * model's tables the engine and escalation read (homes.test_mode, contacts in call order,
 * devices.expected_interval_s / kind). The care tables belong to the care-model module; reads of
 * them go through CareLookup, which tolerates a database that does not have them yet.
 */
import type { Generated, Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

export interface HomeRuleSettingsTable {
  home_id: string;
  settings_json: string;
  updated_at: number;
  updated_by: string | null;
}

export interface EngineStateTable {
  gateway_id: string;
  state_json: string;
  updated_at: number;
}

export interface EscalationsTable {
  alarm_id: string;
  home_id: string | null;
  /** pending → supervisors → contact (contact_index) → exhausted | accepted | stopped */
  stage: string;
  contact_index: number;
  /** When the next step is due; null once the chain has ended. */
  due_at: number | null;
  created_at: number;
  updated_at: number;
  accepted_by: string | null;
  accepted_at: number | null;
  accepted_via: string | null;
  stopped_reason: string | null;
}

export interface NotificationOutboxTable {
  id: Generated<number>;
  webhook_url: string;
  event: string;
  body_json: string;
  /** pending | delivered | failed | dropped */
  status: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export interface HubSecretsTable {
  name: string;
  value: string;
  created_at: number;
}

export type EngineTables = {
  home_rule_settings: HomeRuleSettingsTable;
  engine_state: EngineStateTable;
  escalations: EscalationsTable;
  notification_outbox: NotificationOutboxTable;
  hub_secrets: HubSecretsTable;
};

export type EngineDatabase = Database & EngineTables;

export function engineDb(db: Kysely<Database>): Kysely<EngineDatabase> {
  return db.withTables<EngineTables>();
}
