/**
 * Claim challenges in SQL (claim-challenges.ts) on both engines: single use, expired ones swept,
 * and the count bounded with the soonest-to-expire dropped first.
 */
import { expect, it } from 'vitest';
import { describeEngines } from '../testing/engines.js';
import { ClaimChallengeStore } from './claim-challenges.js';

describeEngines('claim challenge store', (engine) => {
  it('spends a challenge on first take, sweeps expired ones and keeps at most maxOpen', async () => {
    const { db } = await engine.open();
    try {
      const store = new ClaimChallengeStore(db, 3);
      await store.issue('n1', { gatewayId: 'gw-1', expiresAt: 1_000 }, 0);
      expect(await store.take('n1')).toEqual({ gatewayId: 'gw-1', expiresAt: 1_000 });
      expect(await store.take('n1')).toBeNull();
      expect(await store.take('never-issued')).toBeNull();

      // n2 has expired by the time n3 is issued: swept.
      await store.issue('n2', { gatewayId: 'gw-2', expiresAt: 1_000 }, 0);
      await store.issue('n3', { gatewayId: 'gw-3', expiresAt: 62_000 }, 2_000);
      expect(await store.take('n2')).toBeNull();

      // Full at 3: a fourth drops the one expiring soonest (n3), keeping the newer ones.
      await store.issue('n4', { gatewayId: 'gw-4', expiresAt: 63_000 }, 3_000);
      await store.issue('n5', { gatewayId: 'gw-5', expiresAt: 64_000 }, 4_000);
      await store.issue('n6', { gatewayId: 'gw-6', expiresAt: 65_000 }, 5_000);
      expect(await store.take('n3')).toBeNull();
      for (const n of ['n4', 'n5', 'n6']) expect(await store.take(n)).not.toBeNull();
    } finally {
      await db.destroy();
    }
  });
});
