/**
 * Reopening a resolved alarm (issue 5, Lifecycle: "reopening is audited"). The alarm goes back to
 * `acknowledged` by the one who reopened it (they are now handling it, so it does not re-enter
 * the untaken queue or escalate again); the earlier resolution is kept in the audit entry.
 */
import type { Kysely } from 'kysely';
import { alarmRowToDto, type Actor, type LifecycleResult } from '../store/alarms.js';
import type { Database } from '../store/schema.js';

export async function reopenAlarm(
  db: Kysely<Database>,
  id: string,
  actor: Actor,
  reason: string,
  now: number,
): Promise<LifecycleResult> {
  return db.transaction().execute(async (trx) => {
    const row = await trx.selectFrom('alarms').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return { ok: false, reason: 'not_found', message: `alarm ${id} not found` };
    if (row.status !== 'resolved')
      return { ok: false, reason: 'conflict', message: `alarm ${id} is not resolved` };
    const updated = await trx
      .updateTable('alarms')
      .set({
        status: 'acknowledged',
        acknowledged_at: row.acknowledged_at ?? now,
        acknowledged_by: actor.username,
        resolved_at: null,
        resolved_by: null,
        outcome: null,
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('audit_log')
      .values({
        at: now,
        user_id: actor.userId,
        username: actor.username,
        action: 'alarm.reopen',
        target_type: 'alarm',
        target_id: id,
        detail_json: JSON.stringify({
          reason,
          previous: {
            outcome: row.outcome,
            resolvedBy: row.resolved_by,
            resolvedAt: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
            notes: row.notes,
          },
        }),
      })
      .execute();
    return { ok: true, alarm: alarmRowToDto(updated), changed: true };
  });
}
