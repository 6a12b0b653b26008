/**
 * The alarm rules' findings as alarms, in the same tables, with the same joining rule and DTOs as
 * device-reported alarms (writes.ts, raiseOrJoin): a finding joins the unresolved alarm of the
 * same gateway and kind (whichever resident's), otherwise a new alarm is opened. Each finding is a
 * timeline entry (seq 0, detail = the rule and its figures), so an operator sees why the hub raised
 * it. A recovery (a silent device reports again) is a `clear` in the timeline, and an untaken
 * device_offline alarm is resolved by `system` (audited), like gateway_offline.
 */
import type { Insertable, Kysely } from 'kysely';
import { newEventId, type AlarmKind } from '@anxin/protocol';
import { lockGateways } from '../store/gateway-locks.js';
import type { AlarmTriggersTable, Database } from '../store/schema.js';
import { Touched, type AlarmChanges } from './rows.js';
import { kyselyAlarmStatements } from './statements.js';
import { appendTrigger, findOpenAlarm, raiseKey, raiseOrJoin, resolveBySystem } from './writes.js';

/** A condition a rule found (engine/rules.ts `Finding`). */
export interface DerivedRaise {
  kind: AlarmKind;
  deviceId: string | null;
  at: number;
  rule: string;
  detail: Record<string, unknown>;
}

/** A condition that ended (engine/rules.ts `Recovery`). */
export interface DerivedClear {
  kind: AlarmKind;
  deviceId: string | null;
  at: number;
  rule: string;
}

/** Kinds the system resolves by itself when the condition ends and nobody took the alarm yet. */
const AUTO_RESOLVE = new Set<string>(['device_offline']);

/** A rule's timeline entry: seq 0 (not a gateway's event), the device or `hub` as its source. */
function ruleTrigger(
  alarmId: string,
  gatewayId: string,
  what: { kind: AlarmKind; deviceId: string | null; at: number },
  action: 'raise' | 'clear',
  now: number,
  detail: Record<string, unknown>,
): Omit<Insertable<AlarmTriggersTable>, 'id'> {
  return {
    alarm_id: alarmId,
    gateway_id: gatewayId,
    event_id: newEventId(),
    seq: 0,
    device_id: what.deviceId ?? 'hub',
    kind: what.kind,
    action,
    observed_at: what.at,
    received_at: now,
    detail_json: JSON.stringify(detail),
  };
}

export async function applyDerived(
  db: Kysely<Database>,
  target: { gatewayId: string; homeId: string | null; test: number },
  findings: readonly DerivedRaise[],
  recoveries: readonly DerivedClear[],
  now: number,
): Promise<AlarmChanges> {
  const { gatewayId, homeId, test } = target;
  const touched = new Touched();
  await db.transaction().execute(async (trx) => {
    // The gateway's lock, as its alarm batches take it (store.ts): on PostgreSQL a finding and a
    // device's raise of the same kind (a battery rule and the gateway's low_battery from one
    // reading) would otherwise both find no open alarm and open two.
    if (findings.length > 0) await lockGateways(trx, [{ gatewayId }]);
    for (const f of findings) {
      const open = await findOpenAlarm(trx, raiseKey(gatewayId, f.kind, f.deviceId));
      const row = await raiseOrJoin(
        kyselyAlarmStatements(trx),
        open,
        {
          gatewayId,
          deviceId: f.deviceId,
          homeId,
          kind: f.kind,
          test,
          raisedAt: f.at,
          receivedAt: now,
          lastTriggerAt: f.at,
        },
        touched,
      );
      await appendTrigger(
        trx,
        ruleTrigger(row.id, gatewayId, f, 'raise', now, { rule: f.rule, ...f.detail }),
      );
    }

    for (const r of recoveries) {
      const open = await findOpenAlarm(trx, {
        gatewayId,
        kind: r.kind,
        ...(r.deviceId !== null ? { deviceId: r.deviceId } : {}),
      });
      if (!open) continue;
      await appendTrigger(trx, ruleTrigger(open.id, gatewayId, r, 'clear', now, { rule: r.rule }));
      if (open.status === 'open' && AUTO_RESOLVE.has(r.kind)) {
        const row = await resolveBySystem(trx, open.id, now, 'device reporting again', {
          rule: r.rule,
        });
        touched.mark(row, false);
      }
    }
  });
  return touched.changes();
}
