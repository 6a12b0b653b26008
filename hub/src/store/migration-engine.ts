import type { Kysely, Migration } from 'kysely';
import { autoIdType, autoId } from './migration-columns.js';

/**
 * Alarm engine, escalation and notifications (issue 5, second half): per-home rule settings, the
 * rules' persisted state, escalation timers (due_at rows, re-armed at start) and the webhook
 * outbox (so a restart loses no notification). Numbered far apart from the care model's
 * migrations so the two can be added independently.
 */
export const engine: Migration = {
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
      .addColumn('id', autoIdType(db), autoId(db))
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
