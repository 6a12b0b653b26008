/**
 * Welfare checks in SQL (protocol/src/welfare.ts): today's list, results, follow-ups, ad-hoc
 * checks. Plans (and the one pending check each owes) are welfare-plans.ts; the scheduling rules
 * are pure (schedule.ts). The next check is generated when a result is recorded, in the same
 * transaction; UNIQUE (plan_id, due_day) makes a repeated generation (a retry, a second hub) a
 * no-op.
 */
import { changeOf, type OpsAnnounce } from './changes.js';
import type { Kysely, Transaction } from 'kysely';
import {
  newEventId,
  type WelfareCheckDto,
  type WelfareCheckKind,
  type WelfareCheckStatus,
  type WelfareAssigneeDto,
  type WelfarePlanDto,
  type WelfareResult,
} from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import { isOverdue, localDay, needsFollowUp } from './schedule.js';
import { scopeCondition } from './scope-sql.js';
import type { ServiceRequestStore } from './service-requests.js';
import { auditIn, type OpsActor, type OpsOutbox } from './tasks.js';
import {
  createPlanIn,
  ensureNext,
  lastDone,
  updatePlanIn,
  type NewPlan,
  type PlanPatch,
} from './welfare-plans.js';
import {
  deletePlanIn,
  getPlanView,
  listAssignees,
  listPlanViews,
  type PlanFilter,
} from './welfare-plan-views.js';
import './tables.js';

const iso = (ms: number): string => new Date(ms).toISOString();
type Db = Kysely<Database> | Transaction<Database>;

export interface CheckFilter {
  /** today: pending checks whose window has begun by `day`; visits: the same, visits only. */
  view: 'today' | 'visits';
  day: string;
  kind?: WelfareCheckKind;
  residentId?: string;
  /**
   * A community worker's id: only the visits assigned to them and the unassigned ones (another
   * worker's visit is theirs to make, not this worker's).
   */
  worker?: string;
  limit: number;
}

export type RecordResult =
  | { ok: true; check: WelfareCheckDto; followUpRequestId: string | null }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

export class WelfareStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly requests: ServiceRequestStore,
    private readonly outbox: OpsOutbox | null,
    /** IANA time zone of the call centre: what "today" and a check's day mean. */
    private readonly timeZone: string,
    /** Told after each committed change (changes.ts). */
    private readonly announce: OpsAnnounce = () => undefined,
  ) {}

  /** One plan and its first check, in a transaction of its own (REST; the import has its own). */
  async createPlan(input: NewPlan, actor: OpsActor, now: number): Promise<WelfarePlanDto> {
    const view = await this.db.transaction().execute(async (trx) => {
      const { id } = await createPlanIn(trx, input, actor, now);
      const view = await getPlanView(trx, id);
      if (!view) throw new Error(`welfare plan ${id} vanished after insert`);
      return view;
    });
    // A plan's change also changes its pending check: the due lists listen to plans too.
    this.announce(changeOf('welfare_plan', view));
    return view;
  }

  async updatePlan(
    id: string,
    patch: PlanPatch,
    actor: OpsActor,
    now: number,
  ): Promise<WelfarePlanDto | undefined> {
    const view = await this.db.transaction().execute(async (trx) => {
      const updated = await updatePlanIn(trx, id, patch, actor, now, this.timeZone);
      return updated ? getPlanView(trx, id) : undefined;
    });
    if (view) this.announce(changeOf('welfare_plan', view));
    return view;
  }

  /** False when there is no such plan (welfare-plan-views.ts says what stays). */
  async deletePlan(id: string, actor: OpsActor, now: number): Promise<boolean> {
    const gone = await this.db.transaction().execute(async (trx) => {
      const view = await getPlanView(trx, id);
      return view && (await deletePlanIn(trx, id, actor, now)) ? view : undefined;
    });
    if (gone) this.announce(changeOf('welfare_plan', gone));
    return gone !== undefined;
  }

  getPlan(id: string): Promise<WelfarePlanDto | undefined> {
    return getPlanView(this.db, id);
  }

  listPlans(scope: Scope, f: PlanFilter): Promise<WelfarePlanDto[]> {
    return listPlanViews(this.db, scope, f);
  }

  listAssignees(scope: Scope): Promise<WelfareAssigneeDto[]> {
    return listAssignees(this.db, scope);
  }

  // ───────────────────────────── checks ─────────────────────────────

  private checkBase(db: Db) {
    return db
      .selectFrom('welfare_checks')
      .leftJoin('residents', 'residents.id', 'welfare_checks.resident_id')
      .leftJoin('homes', 'homes.id', 'welfare_checks.home_id')
      .selectAll('welfare_checks')
      .select(['residents.name as resident_name', 'homes.address as address']);
  }

  private checkDto(
    r: Awaited<ReturnType<ReturnType<WelfareStore['checkBase']>['execute']>>[number],
    today: string,
  ): WelfareCheckDto {
    const status = r.status as WelfareCheckStatus;
    return {
      id: r.id,
      planId: r.plan_id,
      residentId: r.resident_id,
      residentName: r.resident_name ?? '',
      homeId: r.home_id,
      address: r.address ?? '',
      kind: r.kind as WelfareCheckKind,
      dueDay: r.due_day,
      windowStartDay: r.window_start_day,
      overdue: status === 'pending' && isOverdue(r.due_day, today),
      status,
      result: r.result as WelfareResult | null,
      note: r.note,
      doneAt: r.done_at === null ? null : iso(r.done_at),
      doneBy: r.done_by,
      assigneeUserId: r.assignee_user_id,
      alarmId: r.alarm_id,
      followUpRequestId: r.follow_up_request_id,
      createdAt: iso(r.created_at),
    };
  }

  async getCheck(db: Db, id: string, today: string): Promise<WelfareCheckDto | undefined> {
    const r = await this.checkBase(db).where('welfare_checks.id', '=', id).executeTakeFirst();
    return r ? this.checkDto(r, today) : undefined;
  }

  /** Pending checks due by `day` (window begun), overdue first, then by due day and address. */
  async listChecks(scope: Scope, f: CheckFilter): Promise<WelfareCheckDto[]> {
    let q = this.checkBase(this.db)
      .where('welfare_checks.status', '=', 'pending')
      .where('welfare_checks.window_start_day', '<=', f.day);
    const cond = scopeCondition(scope, 'welfare_checks');
    if (cond) q = q.where(cond);
    const kind = f.view === 'visits' ? 'visit' : f.kind;
    if (kind !== undefined) q = q.where('welfare_checks.kind', '=', kind);
    if (f.residentId !== undefined) q = q.where('welfare_checks.resident_id', '=', f.residentId);
    const worker = f.worker;
    if (worker !== undefined)
      q = q.where((eb) =>
        eb.or([
          eb('welfare_checks.assignee_user_id', '=', worker),
          eb('welfare_checks.assignee_user_id', 'is', null),
        ]),
      );
    const rows = await q
      .orderBy('welfare_checks.due_day')
      .orderBy('homes.address')
      .orderBy('welfare_checks.id')
      .limit(f.limit)
      .execute();
    return rows.map((r) => this.checkDto(r, f.day));
  }

  /** Recent results of a resident (newest first), for the check's context. */
  async history(residentId: string, limit: number, today: string): Promise<WelfareCheckDto[]> {
    const rows = await this.checkBase(this.db)
      .where('welfare_checks.resident_id', '=', residentId)
      .where('welfare_checks.status', '=', 'done')
      .orderBy('welfare_checks.done_at', 'desc')
      .limit(limit)
      .execute();
    return rows.map((r) => this.checkDto(r, today));
  }

  /** An ad-hoc check (no plan), e.g. answering a wellbeing alarm. */
  async createCheck(
    input: {
      residentId: string;
      homeId: string;
      kind: WelfareCheckKind;
      dueDay: string;
      alarmId: string | null;
      assigneeUserId: string | null;
    },
    actor: OpsActor,
    now: number,
    today: string,
  ): Promise<WelfareCheckDto> {
    const id = newEventId();
    await this.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('welfare_checks')
        .values({
          id,
          plan_id: null,
          resident_id: input.residentId,
          home_id: input.homeId,
          kind: input.kind,
          due_day: input.dueDay,
          window_start_day: input.dueDay < today ? input.dueDay : today,
          status: 'pending',
          result: null,
          note: null,
          done_at: null,
          done_by: null,
          assignee_user_id: input.assigneeUserId,
          alarm_id: input.alarmId,
          follow_up_request_id: null,
          created_at: now,
        })
        .execute();
      await auditIn(trx, actor, 'welfare_check.create', 'welfare_check', id, { ...input }, now);
    });
    const dto = await this.getCheck(this.db, id, today);
    if (!dto) throw new Error('welfare check not stored');
    this.announce(changeOf('welfare_check', dto));
    return dto;
  }

  /**
   * Records a pending check's result, all in one transaction: the result, a follow-up service
   * request when the result needs one (a concern; a second "not reached" in a row), the plan's
   * next check, the audit entry and the `welfare_check.follow_up` webhook.
   */
  async recordResult(
    id: string,
    result: WelfareResult,
    note: string | null,
    actor: OpsActor,
    now: number,
  ): Promise<RecordResult> {
    const today = localDay(now, this.timeZone);
    const out = await this.db.transaction().execute(async (trx): Promise<RecordResult> => {
      const check = await trx
        .selectFrom('welfare_checks')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!check)
        return { ok: false, reason: 'not_found', message: `welfare check ${id} not found` };
      if (check.status !== 'pending')
        return { ok: false, reason: 'conflict', message: `welfare check ${id} is ${check.status}` };
      const previous = await lastDone(
        trx,
        check.plan_id,
        { residentId: check.resident_id, kind: check.kind },
        this.timeZone,
      );
      const updated = await trx
        .updateTable('welfare_checks')
        .set({
          status: 'done',
          result,
          note,
          done_at: now,
          done_by: actor?.displayName ?? 'system',
        })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0)
        return { ok: false, reason: 'conflict', message: 'changed meanwhile' };
      let followUp: string | null = null;
      if (needsFollowUp(result, previous?.result ?? null)) {
        const concern = result === 'concern_raised';
        followUp = await this.requests.insert(
          trx,
          {
            homeId: check.home_id,
            residentId: check.resident_id,
            category: 'other',
            description: concern
              ? `Concern raised at a welfare ${check.kind}: ${note ?? '(no note)'}`
              : `Not reached twice in a row (welfare ${check.kind}): visit or call the contacts`,
            urgency: 'high',
            requestedFor: null,
            source: 'welfare_check',
            welfareCheckId: id,
          },
          actor,
          now,
        );
        if (followUp)
          await trx
            .updateTable('welfare_checks')
            .set({ follow_up_request_id: followUp })
            .where('id', '=', id)
            .execute();
      }
      if (check.plan_id !== null) {
        const plan = await trx
          .selectFrom('welfare_plans')
          .selectAll()
          .where('id', '=', check.plan_id)
          .executeTakeFirst();
        if (plan)
          await ensureNext(trx, plan, { dueDay: check.due_day, doneDay: today, result }, now);
      }
      await auditIn(
        trx,
        actor,
        'welfare_check.result',
        'welfare_check',
        id,
        { result, previous: previous?.result ?? null, followUpRequestId: followUp },
        now,
      );
      const dto = await this.getCheck(trx, id, today);
      if (!dto) throw new Error(`welfare check ${id} vanished`);
      if (followUp) await this.outbox?.enqueueInTransaction(trx, 'welfare_check.follow_up', dto);
      return { ok: true, check: dto, followUpRequestId: followUp };
    });
    if (out.ok && out.followUpRequestId) this.outbox?.kick();
    if (out.ok) {
      this.announce(changeOf('welfare_check', out.check));
      if (out.followUpRequestId)
        this.announce({ ...changeOf('service_request', out.check), id: out.followUpRequestId });
    }
    return out;
  }
}
