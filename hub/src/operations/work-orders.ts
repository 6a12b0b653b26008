/**
 * Work orders in SQL (protocol/src/work-orders.ts). A maintenance order opened by device
 * supervision carries `dedup_key` = `device:<gateway>/<device>`; the column is UNIQUE and cleared
 * when the order is closed, so a device has at most one open maintenance order however many low
 * battery or silence alarms arrive, from however many hubs (INSERT … ON CONFLICT DO NOTHING).
 */
import { announced, changeOf, type OpsAnnounce } from './changes.js';
import type { Kysely, Transaction } from 'kysely';
import {
  newEventId,
  type TaskStatus,
  type WorkOrderDto,
  type WorkOrderKind,
  type WorkOrderSource,
} from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import { newestByStatus } from './newest-by-status.js';
import { scopeCondition } from './scope-sql.js';
import {
  assigneeOf,
  auditIn,
  changeTask,
  loadNotes,
  type OpsActor,
  type OpsOutbox,
  type TaskResult,
} from './tasks.js';
import './tables.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export interface NewWorkOrder {
  homeId: string | null;
  residentId?: string | null;
  kind: WorkOrderKind;
  description: string;
  source: WorkOrderSource;
  alarmId?: string | null;
  gatewayId?: string | null;
  deviceId?: string | null;
  /** Set for supervision orders: one open order per key. */
  dedupKey?: string | null;
  dueAt: number | null;
  assignee?: { userId: string | null; name: string; phone: string | null } | null;
}

export interface WorkOrderFilter {
  statuses: TaskStatus[];
  homeId?: string;
  kind?: WorkOrderKind;
  overdue?: boolean;
  assigneeUserId?: string;
  limit: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export const deviceDedupKey = (gatewayId: string, deviceId: string): string =>
  `device:${gatewayId}/${deviceId}`;

export class WorkOrderStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: OpsOutbox | null,
    private readonly now: () => number = Date.now,
    /** Told after each committed change (changes.ts). */
    private readonly announce: OpsAnnounce = () => undefined,
  ) {}

  /** Inserts an order in the caller's transaction; null when its dedup key has an open order. */
  async insert(
    trx: Transaction<Database>,
    input: NewWorkOrder,
    actor: OpsActor,
    now: number,
  ): Promise<string | null> {
    const id = newEventId();
    const a = input.assignee ?? null;
    const inserted = await trx
      .insertInto('work_orders')
      .values({
        id,
        home_id: input.homeId,
        resident_id: input.residentId ?? null,
        kind: input.kind,
        description: input.description,
        status: a ? 'assigned' : 'open',
        source: input.source,
        alarm_id: input.alarmId ?? null,
        gateway_id: input.gatewayId ?? null,
        device_id: input.deviceId ?? null,
        dedup_key: input.dedupKey ?? null,
        assignee_user_id: a?.userId ?? null,
        assignee_name: a?.name ?? null,
        assignee_phone: a?.phone ?? null,
        due_at: input.dueAt,
        outcome: null,
        created_by: actor?.displayName ?? null,
        created_at: now,
        updated_at: now,
        assigned_at: a ? now : null,
        started_at: null,
        closed_at: null,
      })
      .onConflict((oc) => oc.column('dedup_key').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    await auditIn(
      trx,
      actor,
      'work_order.created',
      'work_order',
      id,
      { kind: input.kind, source: input.source, alarmId: input.alarmId ?? null },
      now,
    );
    const dto = await this.read(trx, id);
    if (dto) await this.outbox?.enqueueInTransaction(trx, 'work_order.created', dto);
    return id;
  }

  /** Creates an order; `undefined` when a supervision order for the device is already open. */
  async create(
    input: NewWorkOrder,
    actor: OpsActor,
    now: number,
  ): Promise<WorkOrderDto | undefined> {
    const id = await this.db.transaction().execute((trx) => this.insert(trx, input, actor, now));
    if (id === null) return undefined;
    this.outbox?.kick();
    const dto = await this.read(this.db, id);
    if (dto) this.announce(changeOf('work_order', dto));
    return dto;
  }

  get(id: string): Promise<WorkOrderDto | undefined> {
    return this.read(this.db, id);
  }

  async read(db: Db, id: string): Promise<WorkOrderDto | undefined> {
    const [dto] = await this.query(db, (q) => q.where('work_orders.id', '=', id));
    return dto;
  }

  /** Orders of an alarm (the console shows them on the alarm). */
  forAlarm(alarmId: string): Promise<WorkOrderDto[]> {
    return this.query(this.db, (q) => q.where('work_orders.alarm_id', '=', alarmId));
  }

  /** Orders in scope: overdue first, then by due time (none last), then oldest. */
  async list(scope: Scope, f: WorkOrderFilter): Promise<WorkOrderDto[]> {
    const now = this.now();
    const rows = await newestByStatus(f.statuses, f.limit, (status) => {
      let out = this.base(this.db).where('work_orders.status', '=', status);
      const cond = scopeCondition(scope, 'work_orders', false);
      if (cond) out = out.where(cond);
      if (f.homeId !== undefined) out = out.where('work_orders.home_id', '=', f.homeId);
      if (f.kind !== undefined) out = out.where('work_orders.kind', '=', f.kind);
      if (f.assigneeUserId !== undefined)
        out = out.where('work_orders.assignee_user_id', '=', f.assigneeUserId);
      if (f.overdue === true)
        out = out
          .where('work_orders.due_at', '<', now)
          .where('work_orders.status', 'in', ['open', 'assigned', 'in_progress']);
      return out.orderBy('work_orders.created_at', 'desc').limit(f.limit).execute();
    });
    const list = await this.toDtos(this.db, rows);
    return list.sort((a, b) => {
      if (a.overdue !== b.overdue) return a.overdue ? -1 : 1;
      const da = a.dueAt ?? '9999';
      const db = b.dueAt ?? '9999';
      if (da !== db) return da < db ? -1 : 1;
      return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0;
    });
  }

  private async query(
    db: Db,
    shape: (q: ReturnType<WorkOrderStore['base']>) => ReturnType<WorkOrderStore['base']>,
  ): Promise<WorkOrderDto[]> {
    return this.toDtos(db, await shape(this.base(db)).execute());
  }

  /** Rows as the API shows them, their notes read in one query. */
  private async toDtos(
    db: Db,
    rows: Awaited<ReturnType<ReturnType<WorkOrderStore['base']>['execute']>>,
  ): Promise<WorkOrderDto[]> {
    const notes = await loadNotes(
      db,
      'work_order',
      rows.map((r) => r.id),
    );
    const now = this.now();
    return rows.map((r) => {
      const status = r.status as TaskStatus;
      const open = status === 'open' || status === 'assigned' || status === 'in_progress';
      return {
        id: r.id,
        homeId: r.home_id,
        address: r.address ?? null,
        residentId: r.resident_id,
        kind: r.kind as WorkOrderKind,
        description: r.description,
        status,
        source: r.source as WorkOrderSource,
        alarmId: r.alarm_id,
        gatewayId: r.gateway_id,
        deviceId: r.device_id,
        assignee: assigneeOf(r),
        dueAt: isoOrNull(r.due_at),
        overdue: open && r.due_at !== null && r.due_at < now,
        outcome: r.outcome,
        createdBy: r.created_by,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        assignedAt: isoOrNull(r.assigned_at),
        startedAt: isoOrNull(r.started_at),
        closedAt: isoOrNull(r.closed_at),
        notes: notes.get(r.id) ?? [],
      };
    });
  }

  private base(db: Db) {
    return db
      .selectFrom('work_orders')
      .leftJoin('homes', 'homes.id', 'work_orders.home_id')
      .selectAll('work_orders')
      .select(['homes.address as address']);
  }

  change(
    id: string,
    change: Parameters<typeof changeTask>[4],
    actor: OpsActor,
    now: number,
  ): Promise<TaskResult<WorkOrderDto>> {
    return announced(
      this.announce,
      'work_order',
      changeTask(this.db, this.outbox, 'work_orders', id, change, actor, now, async (trx, rid) => {
        const dto = await this.read(trx, rid);
        if (!dto) throw new Error(`work order ${rid} vanished`);
        return dto;
      }),
    );
  }
}
