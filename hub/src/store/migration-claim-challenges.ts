/**
 * 0945_claim_challenges (issues 10 and 11): the zero-touch claim channel's outstanding
 * challenges, in the shared SQL state instead of one hub's memory, so the two requests of a
 * pickup (challenge, then proof) may reach different hubs behind one address. Single use is a
 * DELETE … RETURNING of the nonce, which only one hub can win. Wrong claim codes are counted in
 * `login_failures` beside the console logins, under their own `scope`, so each limit sweeps only
 * its own rows with its own window. Portable to SQLite and PostgreSQL.
 */
import type { Kysely, Migration } from 'kysely';

export const claimChallenges: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('claim_challenges')
      .addColumn('nonce', 'text', (c) => c.primaryKey())
      .addColumn('gateway_id', 'text', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('claim_challenges_expiry')
      .on('claim_challenges')
      .column('expires_at')
      .execute();
    await db.schema
      .alterTable('login_failures')
      .addColumn('scope', 'text', (c) => c.notNull().defaultTo('login'))
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('login_failures').dropColumn('scope').execute();
    await db.schema.dropTable('claim_challenges').ifExists().execute();
  },
};
