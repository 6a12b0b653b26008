/**
 * Service requests in SQL (protocol/src/service-requests.ts): create, read in scope, and the
 * shared task changes (tasks.ts). A request is about a home and, where known, one resident; the
 * DTO carries the resident's name and the address so a queue needs no further reads.
 */
import { announced, changeOf, type OpsAnnounce } from './changes.js';
import type { Kysely, Transaction } from 'kysely';
import {
  compareServiceRequests,
  newEventId,
  type ServiceCategory,
  type ServiceRequestDto,
  type ServiceRequestSource,
  type ServiceUrgency,
  type TaskStatus,
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

export interface NewServiceRequest {
  homeId: string;
  residentId: string | null;
  category: ServiceCategory;
  description: string;
  urgency: ServiceUrgency;
  requestedFor: number | null;
  source: ServiceRequestSource;
  gatewayId?: string | null;
  deviceId?: string | null;
  /** The device trigger that opened it (unique: a replayed press opens nothing new). */
  eventId?: string | null;
  welfareCheckId?: string | null;
}

export interface ServiceRequestFilter {
  statuses: TaskStatus[];
  homeId?: string;
  residentId?: string;
  assigneeUserId?: string;
  limit: number;
}

type Db = Kysely<Database> | Transaction<Database>;

export class ServiceRequestStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly outbox: OpsOutbox | null,
    /** Told after each committed change (changes.ts). */
    private readonly announce: OpsAnnounce = () => undefined,
  ) {}

  /**
   * Inserts a request inside the caller's transaction (with its audit entry and webhook) and
   * returns its id, or null when `eventId` already opened one (a replay).
   */
  async insert(
    trx: Transaction<Database>,
    input: NewServiceRequest,
    actor: OpsActor,
    now: number,
  ): Promise<string | null> {
    const id = newEventId();
    const inserted = await trx
      .insertInto('service_requests')
      .values({
        id,
        home_id: input.homeId,
        resident_id: input.residentId,
        category: input.category,
        description: input.description,
        urgency: input.urgency,
        requested_for: input.requestedFor,
        status: 'open',
        source: input.source,
        gateway_id: input.gatewayId ?? null,
        device_id: input.deviceId ?? null,
        event_id: input.eventId ?? null,
        welfare_check_id: input.welfareCheckId ?? null,
        assignee_user_id: null,
        assignee_name: null,
        assignee_phone: null,
        outcome: null,
        created_by: actor?.displayName ?? null,
        created_at: now,
        updated_at: now,
        assigned_at: null,
        started_at: null,
        closed_at: null,
      })
      .onConflict((oc) => oc.column('event_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return null;
    await auditIn(
      trx,
      actor,
      'service_request.created',
      'service_request',
      id,
      { homeId: input.homeId, category: input.category, source: input.source },
      now,
    );
    const dto = await this.read(trx, id);
    if (dto) await this.outbox?.enqueueInTransaction(trx, 'service_request.created', dto);
    return id;
  }

  /**
   * Announces requests `insert` opened in another store's transaction (a service button's press
   * on the alarm lane), once it committed. Off the alarm lane: the read runs after the acks.
   */
  announceOpened(ids: string[]): void {
    void (async () => {
      for (const id of ids) {
        const dto = await this.read(this.db, id);
        if (dto) this.announce(changeOf('service_request', dto));
      }
    })().catch(() => undefined); // a failed read leaves the list to its next refetch
    this.outbox?.kick();
  }

  async create(input: NewServiceRequest, actor: OpsActor, now: number): Promise<ServiceRequestDto> {
    const id = await this.db.transaction().execute((trx) => this.insert(trx, input, actor, now));
    this.outbox?.kick();
    const dto = id === null ? undefined : await this.read(this.db, id);
    if (!dto) throw new Error('service request not stored');
    this.announce(changeOf('service_request', dto));
    return dto;
  }

  get(id: string): Promise<ServiceRequestDto | undefined> {
    return this.read(this.db, id);
  }

  async read(db: Db, id: string): Promise<ServiceRequestDto | undefined> {
    const [dto] = await this.query(db, (q) => q.where('service_requests.id', '=', id));
    return dto;
  }

  /** Requests in scope, most urgent then oldest first. */
  async list(scope: Scope, f: ServiceRequestFilter): Promise<ServiceRequestDto[]> {
    const rows = await newestByStatus(f.statuses, f.limit, (status) => {
      let out = this.base(this.db).where('service_requests.status', '=', status);
      const cond = scopeCondition(scope, 'service_requests');
      if (cond) out = out.where(cond);
      if (f.homeId !== undefined) out = out.where('service_requests.home_id', '=', f.homeId);
      if (f.residentId !== undefined)
        out = out.where('service_requests.resident_id', '=', f.residentId);
      if (f.assigneeUserId !== undefined)
        out = out.where('service_requests.assignee_user_id', '=', f.assigneeUserId);
      return out.orderBy('service_requests.created_at', 'desc').limit(f.limit).execute();
    });
    const list = await this.toDtos(this.db, rows);
    return list.sort(compareServiceRequests);
  }

  private async query(
    db: Db,
    shape: (q: ReturnType<ServiceRequestStore['base']>) => ReturnType<ServiceRequestStore['base']>,
  ): Promise<ServiceRequestDto[]> {
    return this.toDtos(db, await shape(this.base(db)).execute());
  }

  /** Rows as the API shows them, their notes read in one query. */
  private async toDtos(
    db: Db,
    rows: Awaited<ReturnType<ReturnType<ServiceRequestStore['base']>['execute']>>,
  ): Promise<ServiceRequestDto[]> {
    const notes = await loadNotes(
      db,
      'service_request',
      rows.map((r) => r.id),
    );
    return rows.map((r) => ({
      id: r.id,
      homeId: r.home_id,
      residentId: r.resident_id,
      residentName: r.resident_name ?? null,
      address: r.address ?? '',
      category: r.category as ServiceCategory,
      description: r.description,
      urgency: r.urgency as ServiceUrgency,
      requestedFor: isoOrNull(r.requested_for),
      status: r.status as TaskStatus,
      source: r.source as ServiceRequestSource,
      gatewayId: r.gateway_id,
      deviceId: r.device_id,
      welfareCheckId: r.welfare_check_id,
      assignee: assigneeOf(r),
      outcome: r.outcome,
      createdBy: r.created_by,
      createdAt: iso(r.created_at),
      updatedAt: iso(r.updated_at),
      assignedAt: isoOrNull(r.assigned_at),
      startedAt: isoOrNull(r.started_at),
      closedAt: isoOrNull(r.closed_at),
      notes: notes.get(r.id) ?? [],
    }));
  }

  private base(db: Db) {
    return db
      .selectFrom('service_requests')
      .leftJoin('residents', 'residents.id', 'service_requests.resident_id')
      .leftJoin('homes', 'homes.id', 'service_requests.home_id')
      .selectAll('service_requests')
      .select(['residents.name as resident_name', 'homes.address as address']);
  }

  change(
    id: string,
    change: Parameters<typeof changeTask>[4],
    actor: OpsActor,
    now: number,
  ): Promise<TaskResult<ServiceRequestDto>> {
    return announced(
      this.announce,
      'service_request',
      changeTask(
        this.db,
        this.outbox,
        'service_requests',
        id,
        change,
        actor,
        now,
        async (trx, rid) => {
          const dto = await this.read(trx, rid);
          if (!dto) throw new Error(`service request ${rid} vanished`);
          return dto;
        },
      ),
    );
  }
}

/** What a family member sees: the status and what the call centre chose to tell them. */
export function familyView(dto: ServiceRequestDto): ServiceRequestDto {
  return {
    ...dto,
    createdBy: null,
    assignee: dto.assignee ? { userId: null, name: dto.assignee.name, phone: null } : null,
    notes: dto.notes.filter((n) => n.familyVisible).map((n) => ({ ...n, userId: null })),
  };
}
