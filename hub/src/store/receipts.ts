/**
 * Telemetry receipts: which (gateway, seq) telemetry events are already durable, so a replay is
 * acked without writing again, and a seq reused for another event is refused (SEQ_CONFLICT).
 * Alarm receipts are written inside the alarm transaction (alarms.ts).
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

export class ReceiptStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** seq → event id for those of `seqs` already received from this gateway. */
  async known(gatewayId: string, seqs: number[]): Promise<Map<number, string>> {
    const out = new Map<number, string>();
    // SQLite allows 32,766 bound variables; batches hold at most LIMITS.maxEventsPerBatch.
    for (let i = 0; i < seqs.length; i += 1000) {
      const rows = await this.db
        .selectFrom('event_receipts')
        .select(['seq', 'event_id'])
        .where('gateway_id', '=', gatewayId)
        .where('seq', 'in', seqs.slice(i, i + 1000))
        .execute();
      for (const r of rows) out.set(Number(r.seq), r.event_id);
    }
    return out;
  }

  /** Records durable telemetry events; existing receipts are left as they are. */
  async record(
    rows: { gatewayId: string; seq: number; eventId: string }[],
    receivedAt: number,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      for (let i = 0; i < rows.length; i += 500) {
        await trx
          .insertInto('event_receipts')
          .values(
            rows.slice(i, i + 500).map((r) => ({
              gateway_id: r.gatewayId,
              seq: r.seq,
              event_id: r.eventId,
              lane: 'telemetry',
              received_at: receivedAt,
            })),
          )
          .onConflict((oc) => oc.columns(['gateway_id', 'seq']).doNothing())
          .execute();
      }
    });
  }
}
