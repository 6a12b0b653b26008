/**
 * Kysely table types of the care model (migration 0002_care_model). Declared by augmenting the
 * store's `Database` interface so the care module owns its tables without editing store/schema.ts;
 * new columns on existing tables are nullable or defaulted, so existing inserts stay valid.
 */
import type { Generated } from 'kysely';

export interface AreasTable {
  id: string;
  parent_id: string | null;
  kind: string;
  name: string;
  created_at: number;
}

export interface HomesTable {
  id: string;
  area_id: string;
  address: string;
  floor: string | null;
  room: string | null;
  access_notes: string | null;
  key_safe_code: string | null;
  test_mode: Generated<number>;
  test_mode_since: number | null;
  created_at: number;
  updated_at: number;
}

export interface HomeInstallersTable {
  home_id: string;
  user_id: string;
}

export interface ResidentsTable {
  id: string;
  home_id: string;
  name: string;
  photo_url: string | null;
  birth_year: number | null;
  languages_json: Generated<string>;
  medical_notes: string | null;
  mobility: string | null;
  lives_alone: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface ContactsTable {
  id: string;
  home_id: string;
  call_order: number;
  name: string;
  relation: string;
  phone: string;
  availability: string | null;
  user_id: string | null;
}

export interface ResponsePlansTable {
  home_id: string;
  kind: string;
  steps_json: string;
  updated_at: number;
  updated_by: string | null;
}

export interface UserAreasTable {
  user_id: string;
  area_id: string;
}

export interface UserResidentsTable {
  user_id: string;
  resident_id: string;
}

export interface AlarmRespondersTable {
  alarm_id: string;
  user_id: string;
  at: number;
  eta_minutes: number | null;
  note: string | null;
}

export interface CommissioningRecordsTable {
  id: string;
  home_id: string;
  recorded_at: number;
  /** User id of who recorded it. */
  recorded_by: string;
  started_at: number;
  started_by: string | null;
  finished_at: number | null;
  finished_by: string | null;
  /** CommissioningStep[] as JSON. */
  steps_json: string;
}

declare module '../store/schema.js' {
  interface Database {
    commissioning_records: CommissioningRecordsTable;
    areas: AreasTable;
    homes: HomesTable;
    home_installers: HomeInstallersTable;
    residents: ResidentsTable;
    contacts: ContactsTable;
    response_plans: ResponsePlansTable;
    user_areas: UserAreasTable;
    user_residents: UserResidentsTable;
    alarm_responders: AlarmRespondersTable;
  }
  interface GatewaysTable {
    claim_code_hash: string | null;
    claimed_at: number | null;
    claimed_by: string | null;
    decommissioned_at: number | null;
    config_version: Generated<number>;
  }
  interface DevicesTable {
    room: string | null;
    kind: string | null;
    expected_interval_s: number | null;
    port: string | null;
    options_json: string | null;
    registered: Generated<number>;
  }
  interface AlarmsTable {
    resident_id: string | null;
  }
}
