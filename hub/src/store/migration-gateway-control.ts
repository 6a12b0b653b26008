import type { Kysely, Migration } from 'kysely';

/**
 * The hub manages its gateways (issue 10): the configuration state each gateway reported
 * (up/config-state: the version it runs, the newest it refused and why), and every command sent to
 * a gateway with its outcome. Plain tables keyed by text ids and epoch-ms BIGINTs: portable.
 */
export const gatewayControl: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('gateway_config_states')
      .addColumn('gateway_id', 'text', (c) => c.primaryKey())
      .addColumn('applied_version', 'integer', (c) => c.notNull())
      .addColumn('refused_version', 'integer')
      .addColumn('refused_code', 'text')
      .addColumn('refused_reason', 'text')
      .addColumn('reported_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('gateway_commands')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('args_json', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('code', 'text')
      .addColumn('message', 'text')
      .addColumn('data_json', 'text')
      .addColumn('requested_by', 'text')
      .addColumn('requested_at', 'bigint', (c) => c.notNull())
      .addColumn('answered_at', 'bigint')
      .addColumn('timeout_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('gateway_commands_gateway')
      .on('gateway_commands')
      .columns(['gateway_id', 'requested_at'])
      .execute();
    await db.schema
      .createIndex('gateway_commands_pending')
      .on('gateway_commands')
      .columns(['status', 'timeout_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('gateway_commands').ifExists().execute();
    await db.schema.dropTable('gateway_config_states').ifExists().execute();
  },
};
