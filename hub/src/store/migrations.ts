/**
 * Versioned schema migrations, provided in code (no files to ship or find at run time). Never edit
 * a migration that has shipped: add a new one. Written with Kysely's schema builder so the same
 * steps run on PostgreSQL later (integers that hold epoch ms become BIGINT there).
 */
import { sql, type Kysely } from 'kysely';
import type { Migration, MigrationProvider } from 'kysely';

const initial: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('gateways')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('home_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull().defaultTo('unknown'))
      .addColumn('status_at', 'bigint')
      .addColumn('last_seen_at', 'bigint')
      .addColumn('health_json', 'text')
      .addColumn('test_mode', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();

    await db.schema
      .createTable('devices')
      .addColumn('gateway_id', 'text', (c) => c.notNull().references('gateways.id'))
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('driver', 'text')
      .addColumn('first_seen_at', 'bigint', (c) => c.notNull())
      .addColumn('last_seen_at', 'bigint')
      .addColumn('online', 'integer')
      .addColumn('battery_pct', 'real')
      .addColumn('signal', 'real')
      .addColumn('frames_ok', 'bigint')
      .addColumn('decode_errors', 'bigint')
      .addPrimaryKeyConstraint('devices_pk', ['gateway_id', 'device_id'])
      .execute();

    await db.schema
      .createTable('alarms')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text')
      .addColumn('home_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('priority', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('test', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('raised_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('last_trigger_at', 'bigint', (c) => c.notNull())
      .addColumn('trigger_count', 'integer', (c) => c.notNull())
      .addColumn('acknowledged_at', 'bigint')
      .addColumn('acknowledged_by', 'text')
      .addColumn('resolved_at', 'bigint')
      .addColumn('resolved_by', 'text')
      .addColumn('outcome', 'text')
      .addColumn('notes', 'text')
      .addColumn('cancelled_by_resident_at', 'bigint')
      .execute();
    // Joining a trigger looks up the unresolved alarm of a gateway and kind.
    await db.schema
      .createIndex('alarms_gateway_kind_status')
      .on('alarms')
      .columns(['gateway_id', 'kind', 'status'])
      .execute();
    // The queue: unresolved alarms by priority, then oldest.
    await db.schema
      .createIndex('alarms_status_queue')
      .on('alarms')
      .columns(['status', 'priority', 'raised_at'])
      .execute();

    await db.schema
      .createTable('alarm_triggers')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('alarm_id', 'text', (c) => c.references('alarms.id'))
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull().unique())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('observed_at', 'bigint', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addColumn('detail_json', 'text')
      .execute();
    await db.schema
      .createIndex('alarm_triggers_alarm')
      .on('alarm_triggers')
      .column('alarm_id')
      .execute();

    await db.schema
      .createTable('event_receipts')
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('seq', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'text', (c) => c.notNull())
      .addColumn('lane', 'text', (c) => c.notNull())
      .addColumn('received_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('event_receipts_pk', ['gateway_id', 'seq'])
      .execute();
    await db.schema
      .createIndex('event_receipts_received')
      .on('event_receipts')
      .column('received_at')
      .execute();

    await db.schema
      .createTable('users')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('username', 'text', (c) => c.notNull().unique())
      .addColumn('display_name', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema
      .createTable('sessions')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('sessions_expires').on('sessions').column('expires_at').execute();

    await db.schema
      .createTable('audit_log')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('username', 'text')
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text')
      .addColumn('detail_json', 'text')
      .execute();
    await db.schema
      .createIndex('audit_log_target')
      .on('audit_log')
      .columns(['target_type', 'target_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'audit_log',
      'sessions',
      'users',
      'event_receipts',
      'alarm_triggers',
      'alarms',
      'devices',
      'gateways',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
    await sql`select 1`.execute(db);
  },
};

/**
 * Alarm engine, escalation and notifications (issue 5, second half): per-home rule settings, the
 * rules' persisted state, escalation timers (due_at rows, re-armed at start) and the webhook
 * outbox (so a restart loses no notification). Numbered far apart from the care model's
 * migrations so the two can be added independently.
 */
const engine: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('home_rule_settings')
      .addColumn('home_id', 'text', (c) => c.primaryKey())
      .addColumn('settings_json', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .execute();
    await db.schema
      .createTable('engine_state')
      .addColumn('gateway_id', 'text', (c) => c.primaryKey())
      .addColumn('state_json', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('escalations')
      .addColumn('alarm_id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text')
      .addColumn('stage', 'text', (c) => c.notNull())
      .addColumn('contact_index', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('due_at', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('accepted_by', 'text')
      .addColumn('accepted_at', 'bigint')
      .addColumn('accepted_via', 'text')
      .addColumn('stopped_reason', 'text')
      .execute();
    await db.schema.createIndex('escalations_due').on('escalations').column('due_at').execute();
    await db.schema
      .createTable('notification_outbox')
      .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('webhook_url', 'text', (c) => c.notNull())
      .addColumn('event', 'text', (c) => c.notNull())
      .addColumn('body_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('delivered_at', 'bigint')
      .addColumn('last_error', 'text')
      .execute();
    await db.schema
      .createIndex('notification_outbox_due')
      .on('notification_outbox')
      .columns(['status', 'next_attempt_at'])
      .execute();
    await db.schema
      .createTable('hub_secrets')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'hub_secrets',
      'notification_outbox',
      'escalations',
      'engine_state',
      'home_rule_settings',
    ])
      await db.schema.dropTable(table).ifExists().execute();
  },
};

/**
 * Issue 5, care model: areas (district → street → community), homes, residents, contacts in call
 * order, response plans, user scopes (areas, residents, installer assignments), gateway claim and
 * decommission state, registered devices, alarm residents and responders, audit indexes.
 */
const careModel: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('areas')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('parent_id', 'text', (c) => c.references('areas.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('areas_parent').on('areas').column('parent_id').execute();

    await db.schema
      .createTable('homes')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('floor', 'text')
      .addColumn('room', 'text')
      .addColumn('access_notes', 'text')
      .addColumn('key_safe_code', 'text')
      .addColumn('test_mode', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('test_mode_since', 'bigint')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('homes_area').on('homes').column('area_id').execute();

    await db.schema
      .createTable('home_installers')
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addPrimaryKeyConstraint('home_installers_pk', ['home_id', 'user_id'])
      .execute();
    await db.schema
      .createIndex('home_installers_user')
      .on('home_installers')
      .column('user_id')
      .execute();

    await db.schema
      .createTable('residents')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('photo_url', 'text')
      .addColumn('birth_year', 'integer')
      .addColumn('languages_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('medical_notes', 'text')
      .addColumn('mobility', 'text')
      .addColumn('lives_alone', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('residents_home').on('residents').column('home_id').execute();

    await db.schema
      .createTable('contacts')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('call_order', 'integer', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('relation', 'text', (c) => c.notNull())
      .addColumn('phone', 'text', (c) => c.notNull())
      .addColumn('availability', 'text')
      .addColumn('user_id', 'text')
      .execute();
    await db.schema
      .createIndex('contacts_home')
      .on('contacts')
      .columns(['home_id', 'call_order'])
      .execute();

    await db.schema
      .createTable('response_plans')
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('steps_json', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addPrimaryKeyConstraint('response_plans_pk', ['home_id', 'kind'])
      .execute();

    await db.schema
      .createTable('user_areas')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('area_id', 'text', (c) => c.notNull().references('areas.id'))
      .addPrimaryKeyConstraint('user_areas_pk', ['user_id', 'area_id'])
      .execute();
    await db.schema
      .createTable('user_residents')
      .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
      .addColumn('resident_id', 'text', (c) => c.notNull().references('residents.id'))
      .addPrimaryKeyConstraint('user_residents_pk', ['user_id', 'resident_id'])
      .execute();

    // Gateway claim state: the claim code is stored hashed like any secret.
    await db.schema.alterTable('gateways').addColumn('claim_code_hash', 'text').execute();
    await db.schema.alterTable('gateways').addColumn('claimed_at', 'bigint').execute();
    await db.schema.alterTable('gateways').addColumn('claimed_by', 'text').execute();
    await db.schema.alterTable('gateways').addColumn('decommissioned_at', 'bigint').execute();
    await db.schema
      .alterTable('gateways')
      .addColumn('config_version', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('gateways_home').on('gateways').column('home_id').execute();

    // Devices an installer registered (room, kind, driver options) next to those only heard of.
    await db.schema.alterTable('devices').addColumn('room', 'text').execute();
    await db.schema.alterTable('devices').addColumn('kind', 'text').execute();
    await db.schema.alterTable('devices').addColumn('expected_interval_s', 'integer').execute();
    await db.schema.alterTable('devices').addColumn('port', 'text').execute();
    await db.schema.alterTable('devices').addColumn('options_json', 'text').execute();
    await db.schema
      .alterTable('devices')
      .addColumn('registered', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    await db.schema.alterTable('alarms').addColumn('resident_id', 'text').execute();
    await db.schema
      .createIndex('alarms_home')
      .on('alarms')
      .columns(['home_id', 'status'])
      .execute();
    await db.schema
      .createTable('alarm_responders')
      .addColumn('alarm_id', 'text', (c) => c.notNull().references('alarms.id'))
      .addColumn('user_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('eta_minutes', 'integer')
      .addColumn('note', 'text')
      .addPrimaryKeyConstraint('alarm_responders_pk', ['alarm_id', 'user_id'])
      .execute();

    await db.schema.createIndex('audit_log_at').on('audit_log').column('at').execute();
    await db.schema
      .createIndex('audit_log_user')
      .on('audit_log')
      .columns(['user_id', 'at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'alarm_responders',
      'user_residents',
      'user_areas',
      'response_plans',
      'contacts',
      'residents',
      'home_installers',
      'homes',
      'areas',
    ]) {
      await db.schema.dropTable(table).ifExists().execute();
    }
  },
};

/** The installer's guided-test results (care.ts "Commissioning records"), one row per record. */
const commissioning: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('commissioning_records')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id').onDelete('cascade'))
      .addColumn('recorded_at', 'bigint', (c) => c.notNull())
      .addColumn('recorded_by', 'text', (c) => c.notNull())
      .addColumn('started_at', 'bigint', (c) => c.notNull())
      .addColumn('started_by', 'text')
      .addColumn('finished_at', 'bigint')
      .addColumn('finished_by', 'text')
      .addColumn('steps_json', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('commissioning_records_home')
      .on('commissioning_records')
      .columns(['home_id', 'recorded_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('commissioning_records').ifExists().execute();
  },
};

/**
 * Shared homes (issue 13): the resident a device belongs to (a bed mat, a pendant). No foreign
 * key: a resident deleted later leaves the device home-level (the alarm store joins residents).
 * The bulk import needs no table of its own: homes and residents are keyed by their ids.
 */
const sharedHomesImport: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').addColumn('resident_id', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').dropColumn('resident_id').execute();
  },
};

export const MIGRATIONS: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_care_model_20261122T1345': careModel,
  '0900_engine': engine,
  '0910_commissioning_20261122T1430': commissioning,
  '0935_shared_homes_import': sharedHomesImport,
};

export const inCodeMigrations: MigrationProvider = {
  getMigrations: () => Promise.resolve(MIGRATIONS),
};
