/**
 * 0940_multi_hub (issue 11): what several hubs on one database need to do things exactly once.
 * Portable to SQLite and PostgreSQL (plain tables, a partial unique index both support).
 *
 *  - `hub_leases`: a named job (the gateway-offline check) is run by whichever hub holds its lease;
 *    taken or renewed with a conditional UPDATE, so two hubs never both hold it, and a hub that
 *    dies loses it when it expires (cluster/leases.ts).
 *  - `alarms_one_open_gateway_offline`: at most one unresolved gateway_offline alarm per gateway,
 *    whatever raced — the database refuses a second one (the check selected, then inserted).
 *  - `login_failures`: failed console logins counted per client address + username in the shared
 *    database, so the limit holds whichever hub a login attempt reaches (http/login-limiter.ts).
 */
import { sql, type Kysely, type Migration } from 'kysely';

export const multiHub: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('hub_leases')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    // A database that already holds duplicates (no such path in one hub) keeps the oldest open.
    await sql`
      UPDATE alarms SET status = 'resolved', outcome = 'device_fault', resolved_by = 'system'
      WHERE kind = 'gateway_offline' AND status IN ('open', 'acknowledged')
        AND EXISTS (
          SELECT 1 FROM alarms older
          WHERE older.gateway_id = alarms.gateway_id AND older.kind = 'gateway_offline'
            AND older.status IN ('open', 'acknowledged')
            AND (older.raised_at < alarms.raised_at
              OR (older.raised_at = alarms.raised_at AND older.id < alarms.id)))
    `.execute(db);
    await db.schema
      .createIndex('alarms_one_open_gateway_offline')
      .on('alarms')
      .column('gateway_id')
      .unique()
      .where(sql.ref('kind'), '=', 'gateway_offline')
      .where(sql.ref('status'), 'in', ['open', 'acknowledged'])
      .execute();
    await db.schema
      .createTable('login_failures')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('count', 'integer', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('login_failures_window')
      .on('login_failures')
      .column('window_start')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('login_failures').ifExists().execute();
    await db.schema.dropIndex('alarms_one_open_gateway_offline').ifExists().execute();
    await db.schema.dropTable('hub_leases').ifExists().execute();
  },
};
