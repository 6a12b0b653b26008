/**
 * Leases in the shared SQL database (table `hub_leases`, migration 0940_multi_hub): a periodic job
 * that must run on one hub at a time (the gateway-offline check) runs only while its hub holds the
 * job's lease. Taken with a conditional UPDATE — free, expired, or already ours — so of two hubs
 * trying at once exactly one row update succeeds; renewed on every run; a hub that dies (SIGKILL)
 * loses it when it expires, and another hub takes over. Clocks: expiry compares hub clocks, so
 * hubs keep time with NTP; a skew shorter than the lease is harmless.
 */
import { sql, type Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

type LeaseTables = {
  hub_leases: { name: string; holder: string; expires_at: number };
};

export class Leases {
  private readonly db: Kysely<Database & LeaseTables>;

  constructor(
    db: Kysely<Database>,
    /** This hub's instance id: the holder name. */
    private readonly holder: string,
  ) {
    this.db = db.withTables<LeaseTables>();
  }

  /** Takes or renews `name` until now + ttlMs; true when this hub holds it. */
  async acquire(name: string, ttlMs: number, now: number): Promise<boolean> {
    const taken = await this.db
      .updateTable('hub_leases')
      .set({ holder: this.holder, expires_at: now + ttlMs })
      .where('name', '=', name)
      .where((eb) => eb.or([eb('holder', '=', this.holder), eb('expires_at', '<', now)]))
      .executeTakeFirst();
    if (Number(taken.numUpdatedRows) === 1) return true;
    // No row yet: the first hub to insert it holds it; the other's insert does nothing.
    const inserted = await this.db
      .insertInto('hub_leases')
      .values({ name, holder: this.holder, expires_at: now + ttlMs })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  /** Gives `name` up (clean shutdown), so another hub need not wait for the expiry. */
  async release(name: string): Promise<void> {
    await this.db
      .updateTable('hub_leases')
      .set({ expires_at: sql<number>`0` })
      .where('name', '=', name)
      .where('holder', '=', this.holder)
      .execute();
  }
}
