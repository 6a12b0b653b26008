/**
 * Migration 0925 (issue 10, zero-touch claim): when a gateway picked up the credentials it was
 * issued over the claim channel (null: not yet, or provisioned by hand), and claim code verifiers
 * in the SCRAM form (protocol/src/claim-proof.ts). Rows of issue 5 stored scrypt(code) itself,
 * which is enough to compute a proof; they are rewritten to StoredKey/ServerKey, which is not.
 * Kysely's builder only: the same steps run on PostgreSQL.
 */
import type { Kysely, Migration } from 'kysely';
import { formatVerifier, parseClaimVerifier } from '@anxin/protocol/claim-proof';

interface ClaimMigrationDb {
  gateways: { id: string; claim_code_hash: string | null };
}

export const gatewayClaim: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('gateways').addColumn('credentials_issued_at', 'bigint').execute();
    const typed = db as Kysely<ClaimMigrationDb>;
    const legacy = await typed
      .selectFrom('gateways')
      .select(['id', 'claim_code_hash'])
      .where('claim_code_hash', 'like', 'scrypt$%')
      .execute();
    for (const row of legacy) {
      const verifier = row.claim_code_hash ? parseClaimVerifier(row.claim_code_hash) : null;
      if (!verifier) continue; // malformed: it never verified, and still does not
      await typed
        .updateTable('gateways')
        .set({ claim_code_hash: formatVerifier(verifier) })
        .where('id', '=', row.id)
        .execute();
    }
  },
  async down(db: Kysely<unknown>) {
    // Rewritten verifiers stay in the SCRAM form: the code itself is needed to go back.
    await db.schema.alterTable('gateways').dropColumn('credentials_issued_at').execute();
  },
};
