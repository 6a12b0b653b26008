/**
 * Row locks on gateways for several hubs on PostgreSQL (issue 11). Every transaction that writes
 * more than one gateway's rows takes the locks first, all at once, in the database's own `ORDER BY
 * id` (a JavaScript sort could disagree with the database's collation), so two hubs' transactions
 * never wait on each other in a cycle:
 *  - alarm group commits (alarms/store.ts): a shared subscription may hand one gateway's batches,
 *    or a batch and its resend, to two hubs at once; the second hub waits for the first one's
 *    commit and then sees its receipts (a replay is acknowledged, not stored twice), and the
 *    join-or-open of one gateway's alarms runs one hub at a time;
 *  - liveness writes (store/gateways.ts): both hubs receive heartbeats and statuses of the same
 *    gateways and write them in batches.
 * SQLite has one writer anyway: nothing to lock.
 */
import { PostgresAdapter, type Transaction } from 'kysely';
import type { Database } from './schema.js';

export async function lockGateways(
  trx: Transaction<Database>,
  rows: readonly { gatewayId: string }[],
): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  const ids = [...new Set(rows.map((r) => r.gatewayId))];
  if (ids.length === 0) return;
  await trx
    .selectFrom('gateways')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}
