/**
 * The alarm owner (issue 14): the one object the rest of the hub asks to open, join, change or
 * read alarms and their timelines. It composes the operations in this folder, which alone write
 * the `alarms` and `alarm_triggers` tables (writes.ts; owner.test.ts checks no other module does).
 */
import type { Kysely, Transaction } from 'kysely';
import {
  compareAlarmsForQueue,
  type AlarmDto,
  type AlarmEvent,
  type AlarmOutcome,
  type AlarmStatus,
  type AlarmTriggerDto,
} from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { applyDerived, type DerivedClear, type DerivedRaise } from './derived.js';
import { applyBatch, type AlarmBatchOutcome, type AlarmDiverter } from './device-batches.js';
import { sqliteConnectionOf } from '../store/db.js';
import { lockGateways } from '../store/gateway-locks.js';
import { deferredDurability, type DeferredWrite } from '../store/relaxed-durability.js';
import { acknowledgeAlarm, reopenAlarm, resolveAlarm } from './lifecycle.js';
import { clearGatewayOffline, raiseGatewayOffline } from './liveness.js';
import {
  alarmRowToDto,
  triggerRowToDto,
  UNRESOLVED,
  type Actor,
  type AlarmChanges,
  type LifecycleResult,
} from './rows.js';
import { SqliteAlarmStatements } from './sqlite-statements.js';
import { kyselyAlarmStatements } from './statements.js';
import { statusIn } from './status-filter.js';
import { detachResidentFromAlarms } from './writes.js';

/** One gateway's alarm batch as the alarm lane hands it over. */
export interface AlarmBatchInput {
  gatewayId: string;
  events: AlarmEvent[];
  receivedAt: number;
}

export class AlarmStore {
  private diverter: AlarmDiverter | undefined;
  /** On SQLite, the batch's statements prepared once (statements.ts says why). */
  private readonly sqliteStatements: SqliteAlarmStatements | undefined;

  private readonly deferred: DeferredWrite;

  constructor(private readonly db: Kysely<Database>) {
    const sqlite = sqliteConnectionOf(db);
    this.sqliteStatements = sqlite ? new SqliteAlarmStatements(sqlite) : undefined;
    this.deferred = deferredDurability(db);
  }

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
  async applyBatches(batches: AlarmBatchInput[]): Promise<AlarmBatchOutcome[]> {
    const { outcomes, durable } = await this.commitBatches(batches);
    await durable;
    return outcomes;
  }

  /**
   * As applyBatches, but returns once the transaction is committed, before its fsync: the alarm
   * lane pushes the alarms to the consoles meanwhile and acks the gateways when `durable`
   * resolves (store/relaxed-durability.ts). Until then a power cut can still undo the commit;
   * the gateways, not yet acked, send the alarms again.
   */
  async commitBatches(
    batches: AlarmBatchInput[],
  ): Promise<{ outcomes: AlarmBatchOutcome[]; durable: Promise<void> }> {
    const { result: outcomes, durable } = await this.deferred((conn) =>
      conn.transaction().execute(async (trx) => {
        await lockGateways(trx, batches);
        const statements = this.sqliteStatements ?? kyselyAlarmStatements(trx);
        const outcomes: AlarmBatchOutcome[] = [];
        for (const b of batches)
          outcomes.push(
            await applyBatch(trx, statements, this.diverter, b.gatewayId, b.events, b.receivedAt),
          );
        return outcomes;
      }),
    );
    const diverted = outcomes.flatMap((o) => o.diverted);
    if (diverted.length > 0) this.diverter?.committed(diverted);
    return { outcomes, durable };
  }

  /** The alarm rules' findings and recoveries for one gateway (engine/derived-alarms.ts). */
  applyDerived(
    target: { gatewayId: string; homeId: string | null; test: number },
    findings: readonly DerivedRaise[],
    recoveries: readonly DerivedClear[],
    now: number,
  ): Promise<AlarmChanges> {
    return applyDerived(this.db, target, findings, recoveries, now);
  }

  /** Unresolved (or the given statuses), in queue order. */
  async list(statuses: AlarmStatus[], limit: number): Promise<AlarmDto[]> {
    const rows = await this.db
      .selectFrom('alarms')
      .selectAll()
      .where(statusIn('status', statuses))
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

  /** See liveness.ts. */
  raiseGatewayOffline(staleBefore: number, now: number): Promise<AlarmDto[]> {
    return raiseGatewayOffline(this.db, staleBefore, now);
  }

  /** See liveness.ts. */
  clearGatewayOffline(now: number): Promise<AlarmDto[]> {
    return clearGatewayOffline(this.db, now);
  }

  async countUnresolved(): Promise<{ priority: number; count: number }[]> {
    const rows = await this.db
      .selectFrom('alarms')
      .select(['priority', (eb) => eb.fn.countAll<number>().as('count')])
      .where(statusIn('status', UNRESOLVED))
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
  acknowledge(id: string, actor: Actor, now: number): Promise<LifecycleResult> {
    return acknowledgeAlarm(this.db, id, actor, now);
  }

  resolve(
    id: string,
    actor: Actor,
    outcome: AlarmOutcome,
    notes: string | undefined,
    now: number,
  ): Promise<LifecycleResult> {
    return resolveAlarm(this.db, id, actor, outcome, notes, now);
  }

  /** Back to acknowledged by `actor`; see lifecycle.ts. */
  reopen(id: string, actor: Actor, reason: string, now: number): Promise<LifecycleResult> {
    return reopenAlarm(this.db, id, actor, reason, now);
  }

  /** Inside the caller's transaction (a resident deleted): their alarms stay, unnamed. */
  detachResident(trx: Transaction<Database>, residentId: string): Promise<void> {
    return detachResidentFromAlarms(trx, residentId);
  }
}
