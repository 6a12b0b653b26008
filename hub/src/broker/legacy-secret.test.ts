/**
 * Gateway rows provisioned before secrets moved from scrypt to salted HMAC-SHA256 keep working,
 * and are re-hashed to the fast format on their first successful login.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { GATEWAY_SECRET_COST, hashSecret } from '../security/password.js';
import { startHub, TestGateway, type RunningHub } from '../testing/harness.js';

describe('legacy scrypt gateway secrets', () => {
  let running: RunningHub | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('a scrypt row logs in once with its secret, and is then stored as hmac-sha256', async () => {
    running = await startHub();
    await running.hub.provisionGateway({ gatewayId: 'legacy-01', secret: 'placeholder-1' });
    const db = new Database(join(running.dir, 'anxin.db'));
    try {
      db.prepare('UPDATE gateways SET secret_hash = ? WHERE id = ?').run(
        await hashSecret('legacy-secret-123', GATEWAY_SECRET_COST),
        'legacy-01',
      );
      const hashOf = () =>
        db
          .prepare<[string], { h: string }>('SELECT secret_hash AS h FROM gateways WHERE id = ?')
          .get('legacy-01')?.h;
      expect(hashOf()).toMatch(/^scrypt\$/);

      await expect(
        TestGateway.connect(running.mqttUrl, 'legacy-01', 'wrong-secret-123'),
      ).rejects.toThrow();
      expect(hashOf()).toMatch(/^scrypt\$/);

      const gw = await TestGateway.connect(running.mqttUrl, 'legacy-01', 'legacy-secret-123');
      await gw.close();
      expect(hashOf()).toMatch(/^hmac-sha256\$/);

      // The migrated row still takes the same secret and still refuses others.
      const again = await TestGateway.connect(running.mqttUrl, 'legacy-01', 'legacy-secret-123');
      await again.close();
      await expect(
        TestGateway.connect(running.mqttUrl, 'legacy-01', 'wrong-secret-123'),
      ).rejects.toThrow();
    } finally {
      db.close();
    }
  });
});
