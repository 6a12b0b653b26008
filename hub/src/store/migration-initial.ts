import { sql, type Kysely, type Migration } from 'kysely';
import { autoIdType, autoId, floatType } from './migration-columns.js';

export const initial: Migration = {
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
      .addColumn('battery_pct', floatType(db))
      .addColumn('signal', floatType(db))
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
      .addColumn('id', autoIdType(db), autoId(db))
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
      .addColumn('id', autoIdType(db), autoId(db))
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
