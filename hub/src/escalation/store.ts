/**
 * The escalation chain's SQL (issue 14): the `escalations` rows that ARE the timers, their claims
 * and the audit lines a step writes. The escalator decides (policy.ts) and keeps time; this file
 * only reads and writes.
 */
import type { Kysely } from 'kysely';
import type { AlarmDto } from '@anxin/protocol';
import { engineDb, type EngineDatabase, type EscalationsTable } from '../engine/tables.js';
import { relaxedDurability, type RelaxedWrite } from '../store/relaxed-durability.js';
import type { AlarmRow, Database } from '../store/schema.js';

export type Actor = { userId: string | null; username: string };
export const SYSTEM: Actor = { userId: null, username: 'system' };

export class EscalationStore {
  readonly db: Kysely<EngineDatabase>;
  /** Arming skips its own fsync: the escalator re-arms open alarms that have no row (orphans). */
  private readonly relaxed: RelaxedWrite;

  constructor(db: Kysely<Database>) {
    this.db = engineDb(db);
    this.relaxed = relaxedDurability(db);
  }

  /** Open real alarms with no row yet (stored while the hub died before writing one). */
  orphans(limit: number): Promise<AlarmRow[]> {
    return this.db
      .selectFrom('alarms')
      .selectAll()
      .where('status', '=', 'open')
      .where('test', '=', 0)
      .where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('escalations')
              .select('escalations.alarm_id')
              .whereRef('escalations.alarm_id', '=', 'alarms.id'),
          ),
        ),
      )
      .limit(limit)
      .execute();
  }

  async countArmed(): Promise<number> {
    const armed = await this.db
      .selectFrom('escalations')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('due_at', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(armed.n);
  }

  /**
   * One pending row per alarm; an alarm that has one keeps it. Relaxed durability
   * (store/relaxed-durability.ts): a row a power cut loses is an orphan, armed again at start.
   */
  async arm(alarms: { alarm: AlarmDto; dueAt: number }[], now: number): Promise<void> {
    await this.relaxed((conn) =>
      engineDb(conn)
        .insertInto('escalations')
        .values(
          alarms.map(({ alarm, dueAt }) => ({
            alarm_id: alarm.id,
            home_id: alarm.homeId,
            stage: 'pending',
            contact_index: 0,
            due_at: dueAt,
            created_at: now,
            updated_at: now,
            accepted_by: null,
            accepted_at: null,
            accepted_via: null,
            stopped_reason: null,
          })),
        )
        .onConflict((oc) => oc.column('alarm_id').doNothing())
        .execute(),
    );
  }

  due(now: number, limit: number): Promise<EscalationsTable[]> {
    return this.db
      .selectFrom('escalations')
      .selectAll()
      .where('due_at', '<=', now)
      .orderBy('due_at', 'asc')
      .limit(limit)
      .execute();
  }

  /**
   * Claims a due row by moving its due_at forward by the lease, only if nobody moved it first:
   * a row is worked on once even with two pollers, and retried after the lease if this hub dies.
   */
  async claim(row: EscalationsTable & { due_at: number }, now: number, leaseMs: number) {
    const claimed = await this.db
      .updateTable('escalations')
      .set({ due_at: now + leaseMs, updated_at: now })
      .where('alarm_id', '=', row.alarm_id)
      .where('due_at', '=', row.due_at)
      .executeTakeFirst();
    return Number(claimed.numUpdatedRows) === 1;
  }

  row(alarmId: string): Promise<EscalationsTable | undefined> {
    return this.db
      .selectFrom('escalations')
      .selectAll()
      .where('alarm_id', '=', alarmId)
      .executeTakeFirst();
  }

  alarm(alarmId: string): Promise<AlarmRow | undefined> {
    return this.db.selectFrom('alarms').selectAll().where('id', '=', alarmId).executeTakeFirst();
  }

  async update(alarmId: string, now: number, set: Partial<EscalationsTable>): Promise<void> {
    await this.db
      .updateTable('escalations')
      .set({ ...set, updated_at: now })
      .where('alarm_id', '=', alarmId)
      .execute();
  }

  /** The first to accept wins: the update only applies while nobody has. */
  async markAccepted(alarmId: string, now: number, by: string, via: string): Promise<boolean> {
    const result = await this.db
      .updateTable('escalations')
      .set({
        stage: 'accepted',
        due_at: null,
        accepted_by: by,
        accepted_at: now,
        accepted_via: via,
        updated_at: now,
      })
      .where('alarm_id', '=', alarmId)
      .where('stage', '!=', 'accepted')
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async audit(
    now: number,
    alarmId: string,
    action: string,
    detail: Record<string, unknown>,
    actor: Actor = SYSTEM,
  ): Promise<void> {
    await this.db
      .insertInto('audit_log')
      .values({
        at: now,
        user_id: actor.userId,
        username: actor.username,
        action,
        target_type: 'alarm',
        target_id: alarmId,
        detail_json: JSON.stringify(detail),
      })
      .execute();
  }
}
