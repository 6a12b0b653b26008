/**
 * Welfare plans as the web's plans page shows them (protocol/src/welfare.ts WelfarePlanSchema):
 * the plan with whom it is for (resident, address), its assignee's name and the check it owes
 * next; plus deleting a plan and the community workers a plan may be given to. Split from
 * welfare-plans.ts, which writes plans and is shared with the bulk import.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { WelfareAssigneeDto, WelfarePlanDto } from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import { scopeCondition } from './scope-sql.js';
import { auditIn, type OpsActor } from './tasks.js';
import { planDto, planRowIn } from './welfare-plans.js';
import './tables.js';

type Db = Kysely<Database> | Transaction<Database>;

export interface PlanFilter {
  residentId?: string;
  homeId?: string;
  /** Area ids (an area with its subtree, expanded by the caller). */
  areaIds?: ReadonlySet<string>;
  active?: boolean;
}

/** Plans listed at most per request: a community's plans, not a district's, fit a page. */
export const PLAN_LIST_LIMIT = 1000;

function planBase(db: Db) {
  return (
    db
      .selectFrom('welfare_plans')
      .leftJoin('residents', 'residents.id', 'welfare_plans.resident_id')
      .leftJoin('homes', 'homes.id', 'welfare_plans.home_id')
      .leftJoin('users', 'users.id', 'welfare_plans.assignee_user_id')
      // The one pending check an active plan owes (welfare-plans.ts ensureNext).
      .leftJoin('welfare_checks', (join) =>
        join
          .onRef('welfare_checks.plan_id', '=', 'welfare_plans.id')
          .on('welfare_checks.status', '=', 'pending'),
      )
      .selectAll('welfare_plans')
      .select([
        'residents.name as resident_name',
        'homes.address as address',
        'users.display_name as assignee_name',
        'welfare_checks.due_day as next_due_day',
        'welfare_checks.window_start_day as next_window_start_day',
      ])
  );
}

type PlanViewRow = Awaited<ReturnType<ReturnType<typeof planBase>['execute']>>[number];

function planViewDto(r: PlanViewRow): WelfarePlanDto {
  return {
    ...planDto(r),
    residentName: r.resident_name ?? '',
    address: r.address ?? '',
    assigneeName: r.assignee_name,
    // A paused plan owes nothing (its pending check was cancelled).
    nextDueDay: r.active === 1 ? r.next_due_day : null,
    nextWindowStartDay: r.active === 1 ? r.next_window_start_day : null,
  };
}

export async function getPlanView(db: Db, id: string): Promise<WelfarePlanDto | undefined> {
  const r = await planBase(db).where('welfare_plans.id', '=', id).executeTakeFirst();
  return r ? planViewDto(r) : undefined;
}

/** Plans in scope, by address then resident then kind (how a district's list is read). */
export async function listPlanViews(
  db: Db,
  scope: Scope,
  f: PlanFilter,
): Promise<WelfarePlanDto[]> {
  let q = planBase(db);
  const cond = scopeCondition(scope, 'welfare_plans');
  if (cond) q = q.where(cond);
  if (f.residentId !== undefined) q = q.where('welfare_plans.resident_id', '=', f.residentId);
  if (f.homeId !== undefined) q = q.where('welfare_plans.home_id', '=', f.homeId);
  // '' keeps an empty set a valid IN list that matches nothing.
  if (f.areaIds !== undefined) q = q.where('homes.area_id', 'in', [...f.areaIds, '']);
  if (f.active !== undefined) q = q.where('welfare_plans.active', '=', f.active ? 1 : 0);
  const rows = await q
    .orderBy('homes.address')
    .orderBy('residents.name')
    .orderBy('welfare_plans.kind')
    .orderBy('welfare_plans.created_at')
    .limit(PLAN_LIST_LIMIT)
    .execute();
  return rows.map(planViewDto);
}

/**
 * Deletes a plan inside the caller's transaction; false when there is none. Its pending check is
 * cancelled; the checks already made stay, detached from the plan, so the record of visits and
 * calls (and the figures built from it) outlives the plan. Audited with the plan as it was.
 */
export async function deletePlanIn(
  trx: Transaction<Database>,
  id: string,
  actor: OpsActor,
  now: number,
): Promise<boolean> {
  const before = await planRowIn(trx, id);
  if (!before) return false;
  await trx
    .updateTable('welfare_checks')
    .set({ status: 'cancelled' })
    .where('plan_id', '=', id)
    .where('status', '=', 'pending')
    .execute();
  await trx
    .updateTable('welfare_checks')
    .set({ plan_id: null })
    .where('plan_id', '=', id)
    .execute();
  await trx.deleteFrom('welfare_plans').where('id', '=', id).execute();
  await auditIn(trx, actor, 'welfare_plan.delete', 'welfare_plan', id, { ...planDto(before) }, now);
  return true;
}

/**
 * The enabled community workers a plan may be given to: those with an area in the caller's scope
 * (everyone's for a caller who sees everything). Visits are theirs; calls stay with the centre.
 */
export async function listAssignees(db: Db, scope: Scope): Promise<WelfareAssigneeDto[]> {
  let q = db
    .selectFrom('users')
    .select(['users.id', 'users.display_name'])
    .where('users.role', '=', 'community_worker')
    .where('users.disabled', '=', 0);
  if (scope.kind === 'areas') {
    const areas = sql.join([...scope.areaIds, ''].map((a) => sql.val(a)));
    q = q.where(
      sql<boolean>`users.id in (select user_areas.user_id from user_areas where user_areas.area_id in (${areas}))`,
    );
  } else if (scope.kind !== 'all') return [];
  const rows = await q.orderBy('users.display_name').limit(PLAN_LIST_LIMIT).execute();
  return rows.map((r) => ({ id: r.id, displayName: r.display_name }));
}
