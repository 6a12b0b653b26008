/**
 * An operator's changes to an alarm (DESIGN.md, Alarms: open → acknowledged → resolved, every
 * change audited), and reopening (issue 5: "reopening is audited"). Each runs in one transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AlarmOutcome } from '@anxin/protocol';
import type { AlarmRow, Database } from '../store/schema.js';
import { alarmRowToDto, type Actor, type LifecycleResult } from './rows.js';
import { auditAlarm, setAlarmState } from './writes.js';

async function withAlarm(
  db: Kysely<Database>,
  id: string,
  change: (trx: Transaction<Database>, row: AlarmRow) => Promise<LifecycleResult>,
): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_found', message: `alarm ${id} not found` };
    return change(trx, row);
  });
}

/** Takes an alarm. Idempotent for an alarm already acknowledged; a resolved alarm conflicts. */
export function acknowledgeAlarm(
  db: Kysely<Database>,
  id: string,
  actor: Actor,
  now: number,
): Promise<LifecycleResult> {
  return withAlarm(db, id, async (trx, row) => {
    if (row.status === 'resolved')
      return { ok: false, reason: 'conflict', message: `alarm ${id} is already resolved` };
    if (row.status === 'acknowledged')
      return { ok: true, alarm: alarmRowToDto(row), changed: false };
    const updated = await setAlarmState(trx, id, {
      status: 'acknowledged',
      acknowledged_at: now,
      acknowledged_by: actor.username,
    });
    await auditAlarm(trx, now, actor, 'alarm.acknowledge', id, { from: row.status });
    return { ok: true, alarm: alarmRowToDto(updated), changed: true };
  });
}

export function resolveAlarm(
  db: Kysely<Database>,
  id: string,
  actor: Actor,
  outcome: AlarmOutcome,
  notes: string | undefined,
  now: number,
): Promise<LifecycleResult> {
  return withAlarm(db, id, async (trx, row) => {
    if (row.status === 'resolved')
      return { ok: false, reason: 'conflict', message: `alarm ${id} is already resolved` };
    const updated = await setAlarmState(trx, id, {
      status: 'resolved',
      resolved_at: now,
      resolved_by: actor.username,
      outcome,
      notes: notes ?? null,
      // Resolving an untaken alarm takes it too, so answer-time figures stay complete.
      acknowledged_at: row.acknowledged_at ?? now,
      acknowledged_by: row.acknowledged_by ?? actor.username,
    });
    await auditAlarm(trx, now, actor, 'alarm.resolve', id, { from: row.status, outcome });
    return { ok: true, alarm: alarmRowToDto(updated), changed: true };
  });
}

/**
 * Reopens a resolved alarm. It goes back to `acknowledged` by the one who reopened it (they are
 * now handling it, so it does not re-enter the untaken queue or escalate again); the earlier
 * resolution is kept in the audit entry.
 */
export function reopenAlarm(
  db: Kysely<Database>,
  id: string,
  actor: Actor,
  reason: string,
  now: number,
): Promise<LifecycleResult> {
  return withAlarm(db, id, async (trx, row) => {
    if (row.status !== 'resolved')
      return { ok: false, reason: 'conflict', message: `alarm ${id} is not resolved` };
    const updated = await setAlarmState(trx, id, {
      status: 'acknowledged',
      acknowledged_at: row.acknowledged_at ?? now,
      acknowledged_by: actor.username,
      resolved_at: null,
      resolved_by: null,
      outcome: null,
    });
    await auditAlarm(trx, now, actor, 'alarm.reopen', id, {
      reason,
      previous: {
        outcome: row.outcome,
        resolvedBy: row.resolved_by,
        resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
        notes: row.notes,
      },
    });
    return { ok: true, alarm: alarmRowToDto(updated), changed: true };
  });
}
