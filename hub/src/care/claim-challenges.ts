/**
 * The claim channel's outstanding challenges in the shared SQL state (table `claim_challenges`,
 * migration 0945), so a gateway's challenge and its proof may reach different hubs (issue 11).
 * A challenge is spent by the first proof that names it, right or wrong: `take` deletes the row
 * and returns what it held, and of two hubs racing for one nonce only one gets the row.
 * Bounded: expired rows go on every issue, and past `maxOpen` the soonest to expire go too (each
 * row is ~150 bytes; 20,000 outstanding is far above any real pickup rate).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';

type ChallengeTables = {
  claim_challenges: { nonce: string; gateway_id: string; expires_at: number };
};

export interface OpenChallenge {
  gatewayId: string;
  expiresAt: number;
}

export class ClaimChallengeStore {
  private readonly db: Kysely<Database & ChallengeTables>;

  constructor(
    db: Kysely<Database>,
    private readonly maxOpen: number,
  ) {
    // The table is this module's own; the hub's Database type does not need to carry it.
    this.db = db.withTables<ChallengeTables>();
  }

  async issue(nonce: string, challenge: OpenChallenge, now: number): Promise<void> {
    await this.db.deleteFrom('claim_challenges').where('expires_at', '<', now).execute();
    const open = await this.db
      .selectFrom('claim_challenges')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirst();
    const excess = Number(open?.n ?? 0) - this.maxOpen + 1;
    if (excess > 0) {
      const oldest = this.db
        .selectFrom('claim_challenges')
        .select('nonce')
        .orderBy('expires_at')
        .orderBy('nonce')
        .limit(excess);
      await this.db.deleteFrom('claim_challenges').where('nonce', 'in', oldest).execute();
    }
    await this.db
      .insertInto('claim_challenges')
      .values({ nonce, gateway_id: challenge.gatewayId, expires_at: challenge.expiresAt })
      .execute();
  }

  /** The challenge, spent: null when unknown or already taken (by this hub or another). */
  async take(nonce: string): Promise<OpenChallenge | null> {
    const row = await this.db
      .deleteFrom('claim_challenges')
      .where('nonce', '=', nonce)
      .returning(['gateway_id', 'expires_at'])
      .executeTakeFirst();
    return row ? { gatewayId: row.gateway_id, expiresAt: Number(row.expires_at) } : null;
  }
}
