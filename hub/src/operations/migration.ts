/**
 * Migration 0930_care_operations (issue 13): service requests, welfare plans and checks, work
 * orders, their notes and service buttons (tables.ts says what each holds). Portable: Kysely's
 * schema builder only, bigint epoch ms, uniqueness by constraints (inserts use ON CONFLICT).
 */
import { PostgresAdapter, type Kysely, type Migration } from 'kysely';

export const careOperationsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    await db.schema
      .createTable('service_requests')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('resident_id', 'text')
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('urgency', 'text', (c) => c.notNull())
      .addColumn('requested_for', 'bigint')
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('gateway_id', 'text')
      .addColumn('device_id', 'text')
      .addColumn('event_id', 'text', (c) => c.unique())
      .addColumn('welfare_check_id', 'text')
      .addColumn('assignee_user_id', 'text')
      .addColumn('assignee_name', 'text')
      .addColumn('assignee_phone', 'text')
      .addColumn('outcome', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('assigned_at', 'bigint')
      .addColumn('started_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('service_requests_queue')
      .on('service_requests')
      .columns(['status', 'created_at'])
      .execute();
    await db.schema
      .createIndex('service_requests_home')
      .on('service_requests')
      .columns(['home_id', 'created_at'])
      .execute();
    await db.schema
      .createIndex('service_requests_assignee')
      .on('service_requests')
      .columns(['assignee_user_id', 'status'])
      .execute();

    await db.schema
      .createTable('welfare_plans')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('resident_id', 'text', (c) => c.notNull().references('residents.id'))
      .addColumn('home_id', 'text', (c) => c.notNull().references('homes.id'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('cadence', 'text', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .addColumn('start_day', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('assignee_user_id', 'text')
      .addColumn('notes', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('welfare_plans_resident')
      .on('welfare_plans')
      .column('resident_id')
      .execute();

    await db.schema
      .createTable('welfare_checks')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('plan_id', 'text', (c) => c.references('welfare_plans.id'))
      .addColumn('resident_id', 'text', (c) => c.notNull())
      .addColumn('home_id', 'text', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('due_day', 'text', (c) => c.notNull())
      .addColumn('window_start_day', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('result', 'text')
      .addColumn('note', 'text')
      .addColumn('done_at', 'bigint')
      .addColumn('done_by', 'text')
      .addColumn('assignee_user_id', 'text')
      .addColumn('alarm_id', 'text')
      .addColumn('follow_up_request_id', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addUniqueConstraint('welfare_checks_plan_day', ['plan_id', 'due_day'])
      .execute();
    await db.schema
      .createIndex('welfare_checks_due')
      .on('welfare_checks')
      .columns(['status', 'due_day'])
      .execute();
    await db.schema
      .createIndex('welfare_checks_resident')
      .on('welfare_checks')
      .columns(['resident_id', 'due_day'])
      .execute();

    await db.schema
      .createTable('work_orders')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('home_id', 'text')
      .addColumn('resident_id', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addColumn('alarm_id', 'text')
      .addColumn('gateway_id', 'text')
      .addColumn('device_id', 'text')
      .addColumn('dedup_key', 'text', (c) => c.unique())
      .addColumn('assignee_user_id', 'text')
      .addColumn('assignee_name', 'text')
      .addColumn('assignee_phone', 'text')
      .addColumn('due_at', 'bigint')
      .addColumn('outcome', 'text')
      .addColumn('created_by', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('assigned_at', 'bigint')
      .addColumn('started_at', 'bigint')
      .addColumn('closed_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('work_orders_queue')
      .on('work_orders')
      .columns(['status', 'due_at'])
      .execute();
    await db.schema
      .createIndex('work_orders_home')
      .on('work_orders')
      .columns(['home_id', 'created_at'])
      .execute();
    await db.schema.createIndex('work_orders_alarm').on('work_orders').column('alarm_id').execute();

    await db.schema
      .createTable('operation_notes')
      // An identity column on PostgreSQL, autoincrement on SQLite (as store/migrations.ts autoId).
      .addColumn('id', postgres ? 'bigint' : 'integer', (c) =>
        postgres ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement(),
      )
      .addColumn('target_type', 'text', (c) => c.notNull())
      .addColumn('target_id', 'text', (c) => c.notNull())
      .addColumn('at', 'bigint', (c) => c.notNull())
      .addColumn('user_id', 'text')
      .addColumn('author', 'text', (c) => c.notNull())
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('family_visible', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('operation_notes_target')
      .on('operation_notes')
      .columns(['target_type', 'target_id', 'at'])
      .execute();

    await db.schema
      .createTable('service_buttons')
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('device_id', 'text', (c) => c.notNull())
      .addColumn('actions_json', 'text', (c) => c.notNull())
      .addColumn('category', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_by', 'text')
      .addPrimaryKeyConstraint('service_buttons_pk', ['gateway_id', 'device_id'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'service_buttons',
      'operation_notes',
      'work_orders',
      'welfare_checks',
      'welfare_plans',
      'service_requests',
    ])
      await db.schema.dropTable(table).ifExists().execute();
  },
};
