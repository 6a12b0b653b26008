/**
 * gateway_offline alarms (contract clause 6): raised for gateways silent past the window, resolved
 * by the system when an untaken one's gateway is heard from again. The monitor that decides when
 * to run these is gateway-offline.ts.
 */
import type { Kysely } from 'kysely';
import type { AlarmDto } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { alarmRowToDto, UNRESOLVED } from './rows.js';
import { statusIn } from './status-filter.js';
import { insertNewAlarm, resolveBySystem } from './writes.js';

/**
 * Gateways silent past `staleBefore` (last heartbeat, or the hub's start if later) that have
 * no unresolved gateway_offline alarm get one, and are marked offline. Returns the new alarms.
 */
export function raiseGatewayOffline(
  db: Kysely<Database>,
  staleBefore: number,
  now: number,
): Promise<AlarmDto[]> {
  return db.transaction().execute(async (trx) => {
    const stale = await trx
      .selectFrom('gateways')
      .select(['id', 'home_id', 'test_mode', 'last_seen_at'])
      .where('enabled', '=', 1)
      .where('last_seen_at', 'is not', null)
      .where('last_seen_at', '<', staleBefore)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('alarms')
              .select('alarms.id')
              .whereRef('alarms.gateway_id', '=', 'gateways.id')
              .where('alarms.kind', '=', 'gateway_offline')
              .where(statusIn('alarms.status', UNRESOLVED)),
          ),
        ),
      )
      .limit(1000)
      .execute();
    const created: AlarmDto[] = [];
    for (const gw of stale) {
      const row = await insertNewAlarm(trx, {
        gatewayId: gw.id,
        deviceId: null,
        homeId: gw.home_id,
        kind: 'gateway_offline',
        test: gw.test_mode,
        // The gateway was last heard of then; that is when it went away.
        raisedAt: gw.last_seen_at ?? now,
        receivedAt: now,
        lastTriggerAt: now,
      });
      await trx
        .updateTable('gateways')
        .set({ status: 'offline', status_at: now })
        .where('id', '=', gw.id)
        .execute();
      created.push(alarmRowToDto(row));
    }
    return created;
  });
}

/**
 * Open (not yet taken) gateway_offline alarms whose gateway has been heard from since are
 * resolved by the system and audited, so operators do not chase a gateway that came back by
 * itself. An alarm someone already took stays with them.
 */
export function clearGatewayOffline(db: Kysely<Database>, now: number): Promise<AlarmDto[]> {
  return db.transaction().execute(async (trx) => {
    const back = await trx
      .selectFrom('alarms')
      .innerJoin('gateways', 'gateways.id', 'alarms.gateway_id')
      .selectAll('alarms')
      .where('alarms.kind', '=', 'gateway_offline')
      .where('alarms.status', '=', 'open')
      .whereRef('gateways.last_seen_at', '>', 'alarms.received_at')
      .limit(1000)
      .execute();
    const updated: AlarmDto[] = [];
    for (const alarm of back) {
      const row = await resolveBySystem(trx, alarm.id, now, 'gateway reconnected', {});
      updated.push(alarmRowToDto(row));
    }
    return updated;
  });
}
