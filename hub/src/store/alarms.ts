/**
 * The alarm store: turns durable alarm events into alarms and timelines, idempotently, one SQL
 * transaction per gateway batch; and the operator's lifecycle changes, each audited.
 *
 * Joining (DESIGN.md, Alarms): a `raise` joins the unresolved alarm of the same gateway, kind and
 * resident (the resident its device belongs to, or none) if there is one (its timeline grows),
 * otherwise opens a new alarm. A resident's `cancel` is recorded on the alarm
 * (cancelledByResidentAt) and in its timeline, never deleting it; a `clear`
 * is recorded in the timeline. Nothing a device says is dropped: a clear/cancel with no alarm to
 * join is kept as a trigger without an alarm.
 */
import { PostgresAdapter, type Kysely, type Transaction } from 'kysely';
import {
  ALARM_PRIORITY,
  compareAlarmsForQueue,
  type AlarmDto,
  type AlarmEvent,
  type AlarmKind,
  type AlarmOutcome,
  type AlarmPriority,
  type AlarmStatus,
  type AlarmTriggerDto,
  type RejectCode,
  newEventId,
} from '@anxin/protocol';
import { residentOfDevice } from './device-resident.js';
import type { AlarmRow, AlarmTriggerRow, Database } from './schema.js';

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function alarmRowToDto(row: AlarmRow): AlarmDto {
  return {
    id: row.id,
    gatewayId: row.gateway_id,
    deviceId: row.device_id,
    homeId: row.home_id,
    kind: row.kind as AlarmKind,
    priority: row.priority as AlarmPriority,
    status: row.status as AlarmStatus,
    test: row.test === 1,
    raisedAt: iso(row.raised_at),
    receivedAt: iso(row.received_at),
    lastTriggerAt: iso(row.last_trigger_at),
    triggerCount: row.trigger_count,
    acknowledgedAt: isoOrNull(row.acknowledged_at),
    acknowledgedBy: row.acknowledged_by,
    resolvedAt: isoOrNull(row.resolved_at),
    resolvedBy: row.resolved_by,
    outcome: row.outcome as AlarmOutcome | null,
    notes: row.notes,
    cancelledByResidentAt: isoOrNull(row.cancelled_by_resident_at),
  };
}

function triggerRowToDto(row: AlarmTriggerRow): AlarmTriggerDto {
  let detail: AlarmTriggerDto['detail'] = null;
  if (row.detail_json) {
    try {
      detail = JSON.parse(row.detail_json) as AlarmTriggerDto['detail'];
    } catch {
      detail = null;
    }
  }
  return {
    eventId: row.event_id,
    seq: row.seq,
    deviceId: row.device_id,
    action: row.action as AlarmTriggerDto['action'],
    observedAt: iso(row.observed_at),
    receivedAt: iso(row.received_at),
    detail,
  };
}

/** What a new alarm needs; the rest starts empty (open, one trigger, nobody has taken it). */
export interface NewAlarm {
  gatewayId: string;
  deviceId: string | null;
  homeId: string | null;
  kind: AlarmKind;
  /** 1 when the home was in test mode: recorded, never dispatched. */
  test: number;
  raisedAt: number;
  receivedAt: number;
  lastTriggerAt: number;
  /** The resident the raising device belongs to (shared homes), else absent/null. */
  residentId?: string | null;
}

/** Inserts a new open alarm inside the caller's transaction (device, rule or liveness alarms). */
export async function insertNewAlarm(trx: Transaction<Database>, a: NewAlarm): Promise<AlarmRow> {
  return trx
    .insertInto('alarms')
    .values({
      id: newEventId(),
      gateway_id: a.gatewayId,
      device_id: a.deviceId,
      home_id: a.homeId,
      kind: a.kind,
      priority: ALARM_PRIORITY[a.kind],
      status: 'open',
      test: a.test,
      raised_at: a.raisedAt,
      received_at: a.receivedAt,
      last_trigger_at: a.lastTriggerAt,
      trigger_count: 1,
      acknowledged_at: null,
      acknowledged_by: null,
      resolved_at: null,
      resolved_by: null,
      outcome: null,
      notes: null,
      cancelled_by_resident_at: null,
      resident_id: a.residentId ?? null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The system resolves an alarm that cleared by itself (a gateway or device reporting again), inside
 * the caller's transaction, and audits it as `alarm.auto_resolve` with the reason and `detail`.
 */
export async function resolveBySystem(
  trx: Transaction<Database>,
  alarmId: string,
  now: number,
  reason: string,
  detail: Record<string, unknown>,
): Promise<AlarmRow> {
  const row = await trx
    .updateTable('alarms')
    .set({ status: 'resolved', resolved_at: now, resolved_by: 'system', notes: reason })
    .where('id', '=', alarmId)
    .returningAll()
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('audit_log')
    .values({
      at: now,
      user_id: null,
      username: 'system',
      action: 'alarm.auto_resolve',
      target_type: 'alarm',
      target_id: alarmId,
      detail_json: JSON.stringify({ reason, ...detail }),
    })
    .execute();
  return row;
}

/**
 * Several hubs on PostgreSQL (issue 11): a shared subscription may hand one gateway's batches (or
 * a batch and its resend) to two hubs at once. Locking the gateways' rows first, in id order (no
 * deadlock between two group commits), makes the second hub wait for the first one's commit and
 * then see its receipts: a replay is acknowledged, not stored twice, and the join-or-open of one
 * gateway's alarms runs one hub at a time. SQLite has one writer anyway.
 */
async function lockGateways(
  trx: Transaction<Database>,
  batches: readonly { gatewayId: string }[],
): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  const ids = [...new Set(batches.map((b) => b.gatewayId))].sort();
  if (ids.length === 0) return;
  await trx
    .selectFrom('gateways')
    .select('id')
    .where('id', 'in', ids)
    .orderBy('id')
    .forUpdate()
    .execute();
}

export interface AlarmBatchOutcome {
  acked: number[];
  rejected: { seq: number; code: RejectCode; message: string }[];
  /** Alarms opened by this batch (push alarm:new). */
  created: AlarmDto[];
  /** Existing alarms this batch changed (push alarm:updated). */
  updated: AlarmDto[];
  /** Events that were new (not replays). */
  stored: number;
}

export type LifecycleResult =
  | { ok: true; alarm: AlarmDto; changed: boolean }
  | { ok: false; reason: 'not_found' | 'conflict'; message: string };

export interface Actor {
  userId: string;
  username: string;
}

const UNRESOLVED: AlarmStatus[] = ['open', 'acknowledged'];

/**
 * Decides, inside the alarm batch's transaction, that a device event is not an alarm but
 * something else the hub records instead (issue 13: a service button's press opens a service
 * request). Returns what it recorded (kept in the trigger's detail), or null to raise the alarm.
 */
export interface AlarmDiverter {
  divert(
    trx: Transaction<Database>,
    gatewayId: string,
    gateway: { home_id: string | null; test_mode: number } | undefined,
    event: AlarmEvent,
    receivedAt: number,
  ): Promise<string | null>;
}

export class AlarmStore {
  private diverter: AlarmDiverter | undefined;

  constructor(private readonly db: Kysely<Database>) {}

  /** Set once by the composition root (the service-button rule is built after the store). */
  setDiverter(diverter: AlarmDiverter): void {
    this.diverter = diverter;
  }

  /**
   * Makes gateways' alarm batches durable, replays changing nothing, in ONE transaction (group
   * commit): each batch is still all-or-nothing, and one fsync is shared by all of them — under a
   * burst this is what keeps alarm latency flat (DESIGN.md Scale: a reconnect storm must not
   * delay a new alarm).
   */
  async applyBatches(
    batches: { gatewayId: string; events: AlarmEvent[]; receivedAt: number }[],
  ): Promise<AlarmBatchOutcome[]> {
    return this.db.transaction().execute(async (trx) => {
      await lockGateways(trx, batches);
      const outcomes: AlarmBatchOutcome[] = [];
      for (const b of batches)
        outcomes.push(await this.applyInTransaction(trx, b.gatewayId, b.events, b.receivedAt));
      return outcomes;
    });
  }

  private async applyInTransaction(
    trx: Transaction<Database>,
    gatewayId: string,
    events: AlarmEvent[],
    receivedAt: number,
  ): Promise<AlarmBatchOutcome> {
    const outcome: AlarmBatchOutcome = {
      acked: [],
      rejected: [],
      created: [],
      updated: [],
      stored: 0,
    };
    const seqs = events.map((e) => e.seq);
    const receipts = new Map<number, string>();
    for (const r of await trx
      .selectFrom('event_receipts')
      .select(['seq', 'event_id'])
      .where('gateway_id', '=', gatewayId)
      .where('seq', 'in', seqs)
      .execute()) {
      receipts.set(Number(r.seq), r.event_id);
    }
    const knownIds = new Set(
      (
        await trx
          .selectFrom('alarm_triggers')
          .select('event_id')
          .where(
            'event_id',
            'in',
            events.map((e) => e.id),
          )
          .execute()
      ).map((r) => r.event_id),
    );
    const gateway = await trx
      .selectFrom('gateways')
      .select(['home_id', 'test_mode'])
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    const touched = new Map<string, { row: AlarmRow; isNew: boolean }>();

    for (const event of events) {
      const seen = receipts.get(event.seq);
      if (seen !== undefined) {
        if (seen === event.id) outcome.acked.push(event.seq);
        else
          outcome.rejected.push({
            seq: event.seq,
            code: 'SEQ_CONFLICT',
            message: `seq ${event.seq} already holds event ${seen}, not ${event.id}`,
          });
        continue;
      }
      if (knownIds.has(event.id)) {
        outcome.rejected.push({
          seq: event.seq,
          code: 'SEQ_CONFLICT',
          message: `event ${event.id} was already stored under another seq`,
        });
        continue;
      }
      await trx
        .insertInto('event_receipts')
        .values({
          gateway_id: gatewayId,
          seq: event.seq,
          event_id: event.id,
          lane: 'alarm',
          received_at: receivedAt,
        })
        .execute();
      receipts.set(event.seq, event.id);
      knownIds.add(event.id);
      const diverted = this.diverter
        ? await this.diverter.divert(trx, gatewayId, gateway, event, receivedAt)
        : null;
      const alarm = diverted
        ? undefined
        : await this.applyEvent(trx, gatewayId, event, receivedAt, gateway, touched);
      // A diverted press is still kept in the timeline table (no alarm), naming what it opened.
      const detail = diverted ? { ...event.detail, serviceRequestId: diverted } : event.detail;
      await trx
        .insertInto('alarm_triggers')
        .values({
          alarm_id: alarm?.id ?? null,
          gateway_id: gatewayId,
          event_id: event.id,
          seq: event.seq,
          device_id: event.deviceId,
          kind: event.kind,
          action: event.action,
          observed_at: event.observedAt,
          received_at: receivedAt,
          detail_json: detail ? JSON.stringify(detail) : null,
        })
        .execute();
      outcome.acked.push(event.seq);
      outcome.stored += 1;
    }
    for (const { row, isNew } of touched.values()) {
      (isNew ? outcome.created : outcome.updated).push(alarmRowToDto(row));
    }
    return outcome;
  }

  private async applyEvent(
    trx: Transaction<Database>,
    gatewayId: string,
    event: AlarmEvent,
    receivedAt: number,
    gateway: { home_id: string | null; test_mode: number } | undefined,
    touched: Map<string, { row: AlarmRow; isNew: boolean }>,
  ): Promise<AlarmRow | undefined> {
    // In a shared home, a device that belongs to one resident raises that resident's alarm: a
    // pendant's SOS from one resident never joins another resident's open SOS (store/device-resident.ts).
    const residentId = await residentOfDevice(
      trx,
      gatewayId,
      event.deviceId,
      gateway?.home_id ?? null,
    );
    const open = await trx
      .selectFrom('alarms')
      .selectAll()
      .where('gateway_id', '=', gatewayId)
      .where('kind', '=', event.kind)
      .where('status', 'in', UNRESOLVED)
      .where('resident_id', residentId === null ? 'is' : '=', residentId)
      .orderBy('raised_at', 'desc')
      .limit(1)
      .executeTakeFirst();

    if (event.action === 'raise') {
      if (open) {
        const updated = await trx
          .updateTable('alarms')
          .set({
            trigger_count: open.trigger_count + 1,
            last_trigger_at: Math.max(open.last_trigger_at, event.observedAt),
          })
          .where('id', '=', open.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        touched.set(updated.id, { row: updated, isNew: touched.get(updated.id)?.isNew ?? false });
        return updated;
      }
      const row = await insertNewAlarm(trx, {
        gatewayId,
        deviceId: event.deviceId,
        homeId: gateway?.home_id ?? null,
        kind: event.kind,
        test: gateway?.test_mode ?? 0,
        raisedAt: event.observedAt,
        receivedAt,
        lastTriggerAt: event.observedAt,
        residentId,
      });
      touched.set(row.id, { row, isNew: true });
      return row;
    }

    if (!open) return undefined;
    if (event.action === 'cancel' && open.cancelled_by_resident_at === null) {
      const updated = await trx
        .updateTable('alarms')
        .set({ cancelled_by_resident_at: event.observedAt })
        .where('id', '=', open.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      touched.set(updated.id, { row: updated, isNew: touched.get(updated.id)?.isNew ?? false });
      return updated;
    }
    // A clear (or a repeated cancel) joins the timeline; consoles see it in the detail view.
    return open;
  }

  /** Unresolved (or the given statuses), in queue order. */
  async list(statuses: AlarmStatus[], limit: number): Promise<AlarmDto[]> {
    const rows = await this.db
      .selectFrom('alarms')
      .selectAll()
      .where('status', 'in', statuses)
      .orderBy('priority', 'asc')
      .orderBy('raised_at', 'asc')
      .orderBy('id', 'asc')
      .limit(limit)
      .execute();
    return rows.map(alarmRowToDto).sort(compareAlarmsForQueue);
  }

  async unresolved(): Promise<AlarmDto[]> {
    return this.list(UNRESOLVED, 100_000);
  }

  /**
   * Gateways silent past `staleBefore` (last heartbeat, or the hub's start if later) that have
   * no unresolved gateway_offline alarm get one, and are marked offline. Returns the new alarms.
   */
  async raiseGatewayOffline(staleBefore: number, now: number): Promise<AlarmDto[]> {
    return this.db.transaction().execute(async (trx) => {
      const stale = await trx
        .selectFrom('gateways')
        .select(['id', 'home_id', 'test_mode', 'last_seen_at'])
        .where('enabled', '=', 1)
        .where('last_seen_at', 'is not', null)
        .where('last_seen_at', '<', staleBefore)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom('alarms')
                .select('alarms.id')
                .whereRef('alarms.gateway_id', '=', 'gateways.id')
                .where('alarms.kind', '=', 'gateway_offline')
                .where('alarms.status', 'in', UNRESOLVED),
            ),
          ),
        )
        .limit(1000)
        .execute();
      const created: AlarmDto[] = [];
      for (const gw of stale) {
        const row = await insertNewAlarm(trx, {
          gatewayId: gw.id,
          deviceId: null,
          homeId: gw.home_id,
          kind: 'gateway_offline',
          test: gw.test_mode,
          // The gateway was last heard of then; that is when it went away.
          raisedAt: gw.last_seen_at ?? now,
          receivedAt: now,
          lastTriggerAt: now,
        });
        await trx
          .updateTable('gateways')
          .set({ status: 'offline', status_at: now })
          .where('id', '=', gw.id)
          .execute();
        created.push(alarmRowToDto(row));
      }
      return created;
    });
  }

  /**
   * Open (not yet taken) gateway_offline alarms whose gateway has been heard from since are
   * resolved by the system and audited, so operators do not chase a gateway that came back by
   * itself. An alarm someone already took stays with them.
   */
  async clearGatewayOffline(now: number): Promise<AlarmDto[]> {
    return this.db.transaction().execute(async (trx) => {
      const back = await trx
        .selectFrom('alarms')
        .innerJoin('gateways', 'gateways.id', 'alarms.gateway_id')
        .selectAll('alarms')
        .where('alarms.kind', '=', 'gateway_offline')
        .where('alarms.status', '=', 'open')
        .whereRef('gateways.last_seen_at', '>', 'alarms.received_at')
        .limit(1000)
        .execute();
      const updated: AlarmDto[] = [];
      for (const alarm of back) {
        const row = await resolveBySystem(trx, alarm.id, now, 'gateway reconnected', {});
        updated.push(alarmRowToDto(row));
      }
      return updated;
    });
  }

  async countUnresolved(): Promise<{ priority: number; count: number }[]> {
    const rows = await this.db
      .selectFrom('alarms')
      .select(['priority', (eb) => eb.fn.countAll<number>().as('count')])
      .where('status', 'in', UNRESOLVED)
      .groupBy('priority')
      .execute();
    return rows.map((r) => ({ priority: r.priority, count: Number(r.count) }));
  }

  async get(id: string): Promise<{ alarm: AlarmDto; timeline: AlarmTriggerDto[] } | undefined> {
    const row = await this.db
      .selectFrom('alarms')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return undefined;
    const triggers = await this.db
      .selectFrom('alarm_triggers')
      .selectAll()
      .where('alarm_id', '=', id)
      .orderBy('observed_at', 'asc')
      .orderBy('seq', 'asc')
      .execute();
    return { alarm: alarmRowToDto(row), timeline: triggers.map(triggerRowToDto) };
  }

  /** Takes an alarm. Idempotent for an alarm already acknowledged; a resolved alarm conflicts. */
  async acknowledge(id: string, actor: Actor, now: number): Promise<LifecycleResult> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('alarms')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'not_found', message: `alarm ${id} not found` };
      if (row.status === 'resolved')
        return { ok: false, reason: 'conflict', message: `alarm ${id} is already resolved` };
      if (row.status === 'acknowledged')
        return { ok: true, alarm: alarmRowToDto(row), changed: false };
      const updated = await trx
        .updateTable('alarms')
        .set({ status: 'acknowledged', acknowledged_at: now, acknowledged_by: actor.username })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, now, actor, 'alarm.acknowledge', id, { from: row.status });
      return { ok: true, alarm: alarmRowToDto(updated), changed: true };
    });
  }

  async resolve(
    id: string,
    actor: Actor,
    outcomeValue: AlarmOutcome,
    notes: string | undefined,
    now: number,
  ): Promise<LifecycleResult> {
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .selectFrom('alarms')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'not_found', message: `alarm ${id} not found` };
      if (row.status === 'resolved')
        return { ok: false, reason: 'conflict', message: `alarm ${id} is already resolved` };
      const updated = await trx
        .updateTable('alarms')
        .set({
          status: 'resolved',
          resolved_at: now,
          resolved_by: actor.username,
          outcome: outcomeValue,
          notes: notes ?? null,
          // Resolving an untaken alarm takes it too, so answer-time figures stay complete.
          acknowledged_at: row.acknowledged_at ?? now,
          acknowledged_by: row.acknowledged_by ?? actor.username,
        })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await audit(trx, now, actor, 'alarm.resolve', id, {
        from: row.status,
        outcome: outcomeValue,
      });
      return { ok: true, alarm: alarmRowToDto(updated), changed: true };
    });
  }
}

async function audit(
  trx: Transaction<Database>,
  at: number,
  actor: Actor,
  action: string,
  alarmId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at,
      user_id: actor.userId,
      username: actor.username,
      action,
      target_type: 'alarm',
      target_id: alarmId,
      detail_json: JSON.stringify(detail),
    })
    .execute();
}
