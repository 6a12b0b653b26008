import type { Kysely, Migration } from 'kysely';

/** The installer's guided-test results (care.ts "Commissioning records"), one row per record. */
export const commissioning: Migration = {
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
