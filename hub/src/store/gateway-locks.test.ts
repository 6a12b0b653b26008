/**
 * Liveness writes of two hubs on one database (issue 11): heartbeats and statuses of overlapping
 * gateways, each hub's in its own arrival order, written concurrently with alarm-style locks.
 * Every write must commit — on PostgreSQL a lock taken out of order would end some of them with
 * "deadlock detected" — and the rows must hold what was written last.
 */
import { expect, it } from 'vitest';
import { PROTOCOL_VERSION, type Heartbeat } from '@anxin/protocol';
import { describeEngines } from '../testing/engines.js';
import { lockGateways } from './gateway-locks.js';
import { GatewayStore } from './gateways.js';

const heartbeat = (sentAt: number): Heartbeat => ({
  v: PROTOCOL_VERSION,
  sentAt,
  uptimeS: 1,
  softwareVersion: 'test',
  configVersion: 0,
  outbox: { alarmDepth: 0, telemetryDepth: 0, oldestPendingAgeMs: 0, droppedTelemetry: 0 },
  devices: [],
});

/** A deterministic shuffle (the test must not depend on luck to be repeatable). */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2_147_483_648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describeEngines('gateway row locks', (engine) => {
  it('concurrent liveness writes in crossing orders all commit', async () => {
    const { db } = await engine.open();
    try {
      const store = new GatewayStore(db);
      const ids = Array.from({ length: 24 }, (_, i) => `gw-lock-${String(i).padStart(2, '0')}`);
      for (const id of ids) await store.upsertCredentials(id, 'hash', null, 1);
      const writes = Array.from({ length: 16 }, (_, w) => {
        const order = shuffled(ids, w + 1);
        const at = 1_000 + w;
        // Heartbeats of the first half of this hub's order, statuses of the rest, and the
        // statuses come after the heartbeats in the transaction: crossing orders between writes.
        const heartbeats = order.slice(0, 14).map((gatewayId) => ({
          gatewayId,
          heartbeat: heartbeat(at),
          at,
        }));
        const statuses = order
          .slice(10)
          .reverse()
          .map((gatewayId) => ({ gatewayId, state: 'offline' as const, at }));
        return store.recordLiveness(heartbeats, statuses);
      });
      // An alarm group commit's lock on the same rows, in between.
      const alarmLocks = db.transaction().execute((trx) =>
        lockGateways(
          trx,
          shuffled(ids, 99).map((gatewayId) => ({ gatewayId })),
        ),
      );
      const results = await Promise.allSettled([...writes, alarmLocks]);
      const failures = results.filter((r) => r.status === 'rejected');
      expect(failures.map((f) => String(f.reason))).toEqual([]);
      const rows = await db
        .selectFrom('gateways')
        .select(['id', 'status', 'last_seen_at'])
        .execute();
      expect(rows.filter((r) => ids.includes(r.id))).toHaveLength(ids.length);
      expect(
        rows.every((r) => !ids.includes(r.id) || r.status === 'online' || r.status === 'offline'),
      ).toBe(true);
    } finally {
      await db.destroy();
    }
  }, 60_000);
});
