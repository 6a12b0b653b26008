import type { Kysely, Migration } from 'kysely';

/**
 * Shared homes (issue 13): the resident a device belongs to (a bed mat, a pendant). No foreign
 * key: a resident deleted later leaves the device home-level (the alarm store joins residents).
 * The bulk import needs no table of its own: homes and residents are keyed by their ids.
 */
export const sharedHomesImport: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').addColumn('resident_id', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('devices').dropColumn('resident_id').execute();
  },
};
