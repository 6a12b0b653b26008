/**
 * Gateways as the hub knows them: credentials (hashed), last status and heartbeat, devices seen.
 */
import type { Insertable, Kysely } from 'kysely';
import type { Heartbeat } from '@anxin/protocol';
import { lockGateways } from './gateway-locks.js';
import { relaxedDurability, type RelaxedWrite } from './relaxed-durability.js';
import type { Database, GatewayRow } from './schema.js';

type DeviceInsert = Insertable<Database['devices']>;

/** Device rows per upsert statement: 9 parameters each, within SQLite's and PostgreSQL's limits. */
const DEVICE_ROWS_PER_STATEMENT = 200;

/**
 * The device rows of coalesced heartbeats, one per (gateway, device): a heartbeat is untrusted
 * input, and a device listed twice would make PostgreSQL refuse the whole multi-row upsert
 * ("ON CONFLICT DO UPDATE command cannot affect row a second time"). The last listing wins, as
 * it did when each was written in turn.
 */
function deviceRows(
  heartbeats: readonly { gatewayId: string; heartbeat: Heartbeat; at: number }[],
) {
  const rows = new Map<string, DeviceInsert>();
  for (const { gatewayId, heartbeat, at } of heartbeats)
    for (const d of heartbeat.devices)
      rows.set(JSON.stringify([gatewayId, d.deviceId]), {
        gateway_id: gatewayId,
        device_id: d.deviceId,
        first_seen_at: at,
        driver: d.driver,
        last_seen_at: d.lastSeenAt,
        online: d.online ? 1 : 0,
        battery_pct: d.batteryPct ?? null,
        signal: d.signal ?? null,
        frames_ok: d.framesOk,
        decode_errors: d.decodeErrors,
      });
  return [...rows.values()];
}

/** A gateway row as first inserted (never seen, enabled); callers add credentials or a claim. */
export function newGatewayRow(id: string, now: number) {
  return {
    id,
    created_at: now,
    status: 'unknown',
    status_at: null,
    last_seen_at: null,
    health_json: null,
    test_mode: 0,
    enabled: 1,
  } as const;
}

export class GatewayStore {
  /** Liveness skips its own fsync: the next heartbeats rewrite it (relaxed-durability.ts). */
  private readonly relaxed: RelaxedWrite;

  constructor(private readonly db: Kysely<Database>) {
    this.relaxed = relaxedDurability(db);
  }

  async upsertCredentials(
    id: string,
    secretHash: string,
    homeId: string | null,
    now: number,
  ): Promise<void> {
    await this.upsertCredentialsMany([{ id, secretHash, homeId }], now);
  }

  /** Credentials of many gateways in one transaction (one commit, one fsync, not one each). */
  async upsertCredentialsMany(
    rows: readonly { id: string; secretHash: string; homeId: string | null }[],
    now: number,
  ): Promise<void> {
    if (rows.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      // Existing rows locked first in the database's id order, as every multi-gateway write does
      // (gateway-locks.ts), so this never waits in a cycle with another hub's liveness write.
      await lockGateways(
        trx,
        rows.map((r) => ({ gatewayId: r.id })),
      );
      for (const { id, secretHash, homeId } of rows) {
        await trx
          .insertInto('gateways')
          .values({ ...newGatewayRow(id, now), secret_hash: secretHash, home_id: homeId })
          .onConflict((oc) =>
            oc.column('id').doUpdateSet({ secret_hash: secretHash, home_id: homeId, enabled: 1 }),
          )
          .execute();
      }
    });
  }

  /** Replaces a gateway's secret hash only if it is still `expected`; true when replaced. */
  async replaceSecretHash(id: string, expected: string, next: string): Promise<boolean> {
    const result = await this.db
      .updateTable('gateways')
      .set({ secret_hash: next })
      .where('id', '=', id)
      .where('secret_hash', '=', expected)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async get(id: string): Promise<GatewayRow | undefined> {
    return this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /**
   * Records coalesced heartbeats (last seen, health snapshot, devices seen) and status changes of
   * many gateways in one transaction. Statuses apply after heartbeats: a last will that arrived
   * after the final heartbeat leaves the gateway offline.
   *
   * Relaxed durability (relaxed-durability.ts): a power cut can lose the last pieces (a process
   * crash cannot). Every gateway heartbeats again within its interval (30 s) and says "online"
   * when it reconnects; one whose last will was lost stops heartbeating, and the liveness check
   * raises gateway_offline from the last_seen_at that did reach the disk.
   */
  async recordLiveness(
    heartbeats: { gatewayId: string; heartbeat: Heartbeat; at: number }[],
    statuses: { gatewayId: string; state: 'online' | 'offline'; at: number }[],
  ): Promise<void> {
    await this.relaxed((conn) =>
      conn.transaction().execute(async (trx) => {
        // Every row this transaction writes, locked first in the database's id order, as alarm
        // group commits do (gateway-locks.ts): no deadlock between two hubs' writes.
        await lockGateways(trx, [...heartbeats, ...statuses]);
        for (const { gatewayId, heartbeat, at } of heartbeats) {
          await trx
            .updateTable('gateways')
            .set({
              last_seen_at: at,
              health_json: JSON.stringify(heartbeat),
              status: 'online',
              status_at: at,
            })
            .where('id', '=', gatewayId)
            .execute();
        }
        // Every device these heartbeats list, in multi-row upserts: one statement per gateway and
        // device held the hub's event loop tens of ms per liveness piece (profile at 1,000 msg/s).
        const devices = deviceRows(heartbeats);
        for (let from = 0; from < devices.length; from += DEVICE_ROWS_PER_STATEMENT) {
          await trx
            .insertInto('devices')
            .values(devices.slice(from, from + DEVICE_ROWS_PER_STATEMENT))
            .onConflict((oc) =>
              oc.columns(['gateway_id', 'device_id']).doUpdateSet((eb) => ({
                driver: eb.ref('excluded.driver'),
                last_seen_at: eb.ref('excluded.last_seen_at'),
                online: eb.ref('excluded.online'),
                battery_pct: eb.ref('excluded.battery_pct'),
                signal: eb.ref('excluded.signal'),
                frames_ok: eb.ref('excluded.frames_ok'),
                decode_errors: eb.ref('excluded.decode_errors'),
              })),
            )
            .execute();
        }
        for (const { gatewayId, state, at } of statuses) {
          await trx
            .updateTable('gateways')
            .set({ status: state, status_at: at })
            .where('id', '=', gatewayId)
            .execute();
        }
      }),
    );
  }

  async counts(): Promise<{ status: string; count: number }[]> {
    const rows = await this.db
      .selectFrom('gateways')
      .select(['status', (eb) => eb.fn.countAll<number>().as('count')])
      .groupBy('status')
      .execute();
    return rows.map((r) => ({ status: r.status, count: Number(r.count) }));
  }
}
