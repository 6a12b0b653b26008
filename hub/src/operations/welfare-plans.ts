/**
 * Welfare plans in SQL (protocol/src/welfare.ts), split from the checks (welfare.ts) by concern:
 * a plan, its validation, and the one pending check it owes. The `…In(trx, …)` functions run
 * inside a caller's transaction, so the REST routes (one plan) and the bulk import (thousands,
 * all or none) write plans the same way, with the same checks and audit entries.
 *
 * Each active plan has at most one pending check. Changing the schedule (cadence, count, start
 * day) or pausing cancels the pending one; resuming or rescheduling generates it again. UNIQUE
 * (plan_id, due_day) makes a repeated generation a no-op, and revives a cancelled check of the
 * same day rather than leaving the plan with none.
 */
import type { Kysely, Transaction } from 'kysely';
import {
  newEventId,
  type WelfareCadence,
  type WelfareCheckKind,
  type WelfarePlanDto,
  type WelfareResult,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { isValidDay, localDay, nextCheck, type LastCheck } from './schedule.js';
import { auditIn, type OpsActor } from './tasks.js';
import type { WelfarePlansTable } from './tables.js';
import './tables.js';

type Db = Kysely<Database> | Transaction<Database>;
const iso = (ms: number): string => new Date(ms).toISOString();

export interface NewPlan {
  residentId: string;
  homeId: string;
  kind: WelfareCheckKind;
  cadence: WelfareCadence;
  count: number;
  startDay: string;
  assigneeUserId: string | null;
  notes: string | null;
  /** Default true; an import may bring a plan in paused. */
  active?: boolean;
}

export interface PlanPatch {
  cadence?: WelfareCadence;
  count?: number;
  startDay?: string;
  active?: boolean;
  assigneeUserId?: string | null;
  notes?: string | null;
}

/** Plan counts: every N days, or N checks a month (a month has at most 31 days). */
export const PLAN_COUNT_MIN = 1;
export const PLAN_COUNT_MAX = 31;

/** What is wrong with a plan's fields (the REST schema and the import check the same). */
export function planProblems(p: { count?: number; startDay?: string }): string[] {
  const out: string[] = [];
  if (
    p.count !== undefined &&
    (!Number.isInteger(p.count) || p.count < PLAN_COUNT_MIN || p.count > PLAN_COUNT_MAX)
  )
    out.push(`count must be a whole number from ${PLAN_COUNT_MIN} to ${PLAN_COUNT_MAX}`);
  if (p.startDay !== undefined && !isValidDay(p.startDay))
    out.push('startDay is not a calendar day');
  return out;
}

function mustBeValid(p: { count?: number; startDay?: string }): void {
  const problems = planProblems(p);
  // Callers validate first (REST: 400, import: a row error); reaching here is a programming error.
  if (problems.length > 0) throw new Error(`invalid welfare plan: ${problems.join('; ')}`);
}

/** A plan's own fields; welfare-plan-views.ts adds the resident, assignee and next check. */
export type WelfarePlanRecord = Omit<
  WelfarePlanDto,
  'residentName' | 'address' | 'assigneeName' | 'nextDueDay' | 'nextWindowStartDay'
>;

export function planDto(r: WelfarePlansTable): WelfarePlanRecord {
  return {
    id: r.id,
    residentId: r.resident_id,
    homeId: r.home_id,
    kind: r.kind as WelfareCheckKind,
    cadence: r.cadence as WelfareCadence,
    count: r.count,
    startDay: r.start_day,
    active: r.active === 1,
    assigneeUserId: r.assignee_user_id,
    notes: r.notes,
    createdAt: iso(r.created_at),
    updatedAt: iso(r.updated_at),
  };
}

/** Inserts a plan and its first check, audited, inside the caller's transaction. */
export async function createPlanIn(
  trx: Transaction<Database>,
  input: NewPlan,
  actor: OpsActor,
  now: number,
): Promise<WelfarePlanRecord> {
  mustBeValid(input);
  const id = newEventId();
  const row: WelfarePlansTable = {
    id,
    resident_id: input.residentId,
    home_id: input.homeId,
    kind: input.kind,
    cadence: input.cadence,
    count: input.count,
    start_day: input.startDay,
    active: input.active === false ? 0 : 1,
    assignee_user_id: input.assigneeUserId,
    notes: input.notes,
    created_by: actor?.id ?? null,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('welfare_plans').values(row).execute();
  await ensureNext(trx, row, null, now);
  await auditIn(trx, actor, 'welfare_plan.create', 'welfare_plan', id, { ...input }, now);
  return planDto(row);
}

/** The plan's row as stored, read inside the caller's transaction. */
export function planRowIn(trx: Transaction<Database>, id: string) {
  return trx.selectFrom('welfare_plans').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Changes a plan inside the caller's transaction; undefined when there is no such plan. A new
 * schedule or a pause cancels the pending check; an active plan then owes its next one again.
 */
export async function updatePlanIn(
  trx: Transaction<Database>,
  id: string,
  patch: PlanPatch,
  actor: OpsActor,
  now: number,
  timeZone: string,
): Promise<WelfarePlanRecord | undefined> {
  mustBeValid(patch);
  const before = await planRowIn(trx, id);
  if (!before) return undefined;
  const after = await trx
    .updateTable('welfare_plans')
    .set({
      updated_at: now,
      ...(patch.cadence !== undefined ? { cadence: patch.cadence } : {}),
      ...(patch.count !== undefined ? { count: patch.count } : {}),
      ...(patch.startDay !== undefined ? { start_day: patch.startDay } : {}),
      ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
      ...(patch.assigneeUserId !== undefined ? { assignee_user_id: patch.assigneeUserId } : {}),
      ...(patch.notes !== undefined ? { notes: patch.notes } : {}),
    })
    .where('id', '=', id)
    .returningAll()
    .executeTakeFirstOrThrow();
  const rescheduled =
    after.cadence !== before.cadence ||
    after.count !== before.count ||
    after.start_day !== before.start_day;
  if (after.active === 0 || rescheduled)
    await trx
      .updateTable('welfare_checks')
      .set({ status: 'cancelled' })
      .where('plan_id', '=', id)
      .where('status', '=', 'pending')
      .execute();
  if (after.active === 1) {
    if (patch.assigneeUserId !== undefined)
      await trx
        .updateTable('welfare_checks')
        .set({ assignee_user_id: after.assignee_user_id })
        .where('plan_id', '=', id)
        .where('status', '=', 'pending')
        .execute();
    await ensureNext(trx, after, await lastDone(trx, id, null, timeZone), now);
  }
  await auditIn(trx, actor, 'welfare_plan.update', 'welfare_plan', id, { ...patch }, now);
  return planDto(after);
}

/** The plan's last done check (for the next one's date), or the resident's, for ad-hoc ones. */
export async function lastDone(
  db: Db,
  planId: string | null,
  adHoc: { residentId: string; kind: string } | null,
  timeZone: string,
): Promise<LastCheck | null> {
  let q = db
    .selectFrom('welfare_checks')
    .select(['id', 'due_day', 'done_at', 'result', 'note'])
    .where('status', '=', 'done');
  if (planId !== null) q = q.where('plan_id', '=', planId);
  else if (adHoc) q = q.where('resident_id', '=', adHoc.residentId).where('kind', '=', adHoc.kind);
  const r = await q.orderBy('done_at', 'desc').limit(1).executeTakeFirst();
  if (!r || r.result === null || r.done_at === null) return null;
  return {
    dueDay: r.due_day,
    doneDay: localDay(r.done_at, timeZone),
    result: r.result as WelfareResult,
  };
}

/** Generates the plan's next check unless one is pending. */
export async function ensureNext(
  trx: Transaction<Database>,
  plan: WelfarePlansTable,
  last: LastCheck | null,
  now: number,
): Promise<void> {
  if (plan.active !== 1) return;
  const pending = await trx
    .selectFrom('welfare_checks')
    .select('id')
    .where('plan_id', '=', plan.id)
    .where('status', '=', 'pending')
    .executeTakeFirst();
  if (pending) return;
  const next = nextCheck(
    { cadence: plan.cadence as WelfareCadence, count: plan.count, startDay: plan.start_day },
    last,
  );
  await trx
    .insertInto('welfare_checks')
    .values({
      id: newEventId(),
      plan_id: plan.id,
      resident_id: plan.resident_id,
      home_id: plan.home_id,
      kind: plan.kind,
      due_day: next.dueDay,
      window_start_day: next.windowStartDay,
      status: 'pending',
      result: null,
      note: null,
      done_at: null,
      done_by: null,
      assignee_user_id: plan.assignee_user_id,
      alarm_id: null,
      follow_up_request_id: null,
      created_at: now,
    })
    // A check of that day exists: a cancelled one (paused, rescheduled) is owed again; a done
    // or pending one stays as it is.
    .onConflict((oc) =>
      oc
        .columns(['plan_id', 'due_day'])
        .doUpdateSet((eb) => ({
          status: 'pending',
          window_start_day: eb.ref('excluded.window_start_day'),
          assignee_user_id: eb.ref('excluded.assignee_user_id'),
        }))
        .where('welfare_checks.status', '=', 'cancelled'),
    )
    .execute();
}
