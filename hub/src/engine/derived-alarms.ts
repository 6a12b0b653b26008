/**
 * Writes the engine's findings as alarms in the same tables, with the same joining rule and DTOs
 * as device-reported alarms (store/alarms.ts): a finding joins the unresolved alarm of the same
 * gateway and kind (its timeline grows), otherwise a new alarm is opened. Each finding is a
 * timeline entry (alarm_triggers, seq 0, detail = the rule and its figures), so an operator sees
 * why the hub raised it. A recovery (a silent device reports again) is a `clear` in the timeline,
 * and an untaken device_offline alarm is resolved by `system` (audited), like gateway_offline.
 */
import type { Kysely } from 'kysely';
import { newEventId, type AlarmDto } from '@anxin/protocol';
import { alarmRowToDto, insertNewAlarm, resolveBySystem } from '../store/alarms.js';
import type { AlarmRow, Database } from '../store/schema.js';
import type { CareLookup } from './care-lookup.js';
import type { Finding, Recovery } from './rules.js';

const UNRESOLVED = ['open', 'acknowledged'];
/** Kinds the system resolves by itself when the condition ends and nobody took the alarm yet. */
const AUTO_RESOLVE = new Set(['device_offline']);

export class DerivedAlarms {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly care: CareLookup,
  ) {}

  async apply(
    gatewayId: string,
    findings: Finding[],
    recoveries: Recovery[],
    now: number,
  ): Promise<{ created: AlarmDto[]; updated: AlarmDto[] }> {
    if (findings.length === 0 && recoveries.length === 0) return { created: [], updated: [] };
    const gateway = await this.db
      .selectFrom('gateways')
      .select(['home_id', 'test_mode'])
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    const homeId = gateway?.home_id ?? null;
    const test = gateway?.test_mode === 1 || (await this.care.homeInTestMode(homeId)) ? 1 : 0;
    const touched = new Map<string, { row: AlarmRow; isNew: boolean }>();

    await this.db.transaction().execute(async (trx) => {
      for (const f of findings) {
        const open = await trx
          .selectFrom('alarms')
          .selectAll()
          .where('gateway_id', '=', gatewayId)
          .where('kind', '=', f.kind)
          .where('status', 'in', UNRESOLVED)
          .orderBy('raised_at', 'desc')
          .limit(1)
          .executeTakeFirst();
        let row: AlarmRow;
        if (open) {
          row = await trx
            .updateTable('alarms')
            .set({
              trigger_count: open.trigger_count + 1,
              last_trigger_at: Math.max(open.last_trigger_at, f.at),
            })
            .where('id', '=', open.id)
            .returningAll()
            .executeTakeFirstOrThrow();
          touched.set(row.id, { row, isNew: touched.get(row.id)?.isNew ?? false });
        } else {
          row = await insertNewAlarm(trx, {
            gatewayId,
            deviceId: f.deviceId,
            homeId,
            kind: f.kind,
            test,
            raisedAt: f.at,
            receivedAt: now,
            lastTriggerAt: f.at,
          });
          touched.set(row.id, { row, isNew: true });
        }
        await trx
          .insertInto('alarm_triggers')
          .values({
            alarm_id: row.id,
            gateway_id: gatewayId,
            event_id: newEventId(),
            seq: 0,
            device_id: f.deviceId ?? 'hub',
            kind: f.kind,
            action: 'raise',
            observed_at: f.at,
            received_at: now,
            detail_json: JSON.stringify({ rule: f.rule, ...f.detail }),
          })
          .execute();
      }

      for (const r of recoveries) {
        let query = trx
          .selectFrom('alarms')
          .selectAll()
          .where('gateway_id', '=', gatewayId)
          .where('kind', '=', r.kind)
          .where('status', 'in', UNRESOLVED);
        if (r.deviceId !== null) query = query.where('device_id', '=', r.deviceId);
        const open = await query.orderBy('raised_at', 'desc').limit(1).executeTakeFirst();
        if (!open) continue;
        await trx
          .insertInto('alarm_triggers')
          .values({
            alarm_id: open.id,
            gateway_id: gatewayId,
            event_id: newEventId(),
            seq: 0,
            device_id: r.deviceId ?? 'hub',
            kind: r.kind,
            action: 'clear',
            observed_at: r.at,
            received_at: now,
            detail_json: JSON.stringify({ rule: r.rule }),
          })
          .execute();
        if (open.status === 'open' && AUTO_RESOLVE.has(r.kind)) {
          const row = await resolveBySystem(trx, open.id, now, 'device reporting again', {
            rule: r.rule,
          });
          touched.set(row.id, { row, isNew: touched.get(row.id)?.isNew ?? false });
        }
      }
    });
    const created: AlarmDto[] = [];
    const updated: AlarmDto[] = [];
    for (const { row, isNew } of touched.values())
      (isNew ? created : updated).push(alarmRowToDto(row));
    return { created, updated };
  }
}
