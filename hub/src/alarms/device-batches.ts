/**
 * Gateways' alarm batches → alarms and timelines, idempotently, one SQL transaction for a group of
 * batches (DESIGN.md contract clauses 3 and 4).
 *
 * A `raise` joins the unresolved alarm of the same gateway, kind and resident (the resident its
 * device belongs to, or none) — of the same device too for the upkeep kinds (writes.ts, raiseKey)
 * — or opens one (writes.ts, raiseOrJoin). A resident's `cancel` is
 * recorded on the alarm (cancelledByResidentAt) and in its timeline, never deleting it; a `clear`
 * is recorded in the timeline. Nothing a device says is dropped: a clear/cancel with no alarm to
 * join is kept as a trigger without an alarm.
 */
import type { Transaction } from 'kysely';
import type { AlarmDto, AlarmEvent, RejectCode } from '@anxin/protocol';
import type { AlarmRow, Database } from '../store/schema.js';
import { Touched, type AlarmCareFields } from './rows.js';
import type { AlarmBatchStatements, GatewayInfo } from './statements.js';
import { raiseKey, raiseOrJoin } from './writes.js';

export interface AlarmBatchOutcome {
  acked: number[];
  rejected: { seq: number; code: RejectCode; message: string }[];
  /** Alarms opened by this batch (push alarm:new). */
  created: AlarmDto[];
  /** Existing alarms this batch changed (push alarm:updated). */
  updated: AlarmDto[];
  /** Events that were new (not replays). */
  stored: number;
  /**
   * The care-model fields of the alarms this batch opened, known inside its transaction (nobody
   * can be on the way to an alarm that did not exist): the console push needs no SQL read.
   */
  careFields: Map<string, AlarmCareFields>;
  /** What the diverter recorded instead of alarms (service request ids), told once committed. */
  diverted: string[];
}

/**
 * Decides, inside the alarm batch's transaction, that a device event is not an alarm but
 * something else the hub records instead (issue 13: a service button's press opens a service
 * request). Returns what it recorded (kept in the trigger's detail), or null to raise the alarm.
 */
export interface AlarmDiverter {
  divert(
    trx: Transaction<Database>,
    gatewayId: string,
    gateway: GatewayInfo,
    event: AlarmEvent,
    receivedAt: number,
  ): Promise<string | null>;
  /** The records `divert` made, after their transaction committed (so a reader finds them). */
  committed(ids: string[]): void;
}

/**
 * One gateway's batch, inside the group's transaction `trx`, its statements run through `sql`
 * (statements.ts: prepared on SQLite, Kysely on PostgreSQL); the diverter writes through `trx`.
 */
export async function applyBatch(
  trx: Transaction<Database>,
  sql: AlarmBatchStatements,
  diverter: AlarmDiverter | undefined,
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
    careFields: new Map(),
    diverted: [],
  };
  const receipts = await sql.receipts(
    gatewayId,
    events.map((e) => e.seq),
  );
  const knownIds = await sql.storedEventIds(events.map((e) => e.id));
  const gateway = await sql.gateway(gatewayId);
  const touched = new Touched();

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
    await sql.insertReceipt(gatewayId, event.seq, event.id, receivedAt);
    receipts.set(event.seq, event.id);
    knownIds.add(event.id);
    const diverted = diverter
      ? await diverter.divert(trx, gatewayId, gateway, event, receivedAt)
      : null;
    const alarm = diverted
      ? undefined
      : await applyEvent(sql, gatewayId, event, receivedAt, gateway, touched, outcome.careFields);
    if (diverted) outcome.diverted.push(diverted);
    // A diverted press is still kept in the timeline table (no alarm), naming what it opened.
    const detail = diverted ? { ...event.detail, serviceRequestId: diverted } : event.detail;
    await sql.appendTrigger({
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
      gateway_test: event.test ? 1 : 0,
    });
    outcome.acked.push(event.seq);
    outcome.stored += 1;
  }
  const changes = touched.changes();
  outcome.created = changes.created;
  outcome.updated = changes.updated;
  return outcome;
}

async function applyEvent(
  sql: AlarmBatchStatements,
  gatewayId: string,
  event: AlarmEvent,
  receivedAt: number,
  gateway: GatewayInfo,
  touched: Touched,
  careFields: Map<string, AlarmCareFields>,
): Promise<AlarmRow | undefined> {
  // In a shared home, a device that belongs to one resident raises that resident's alarm: a
  // pendant's SOS from one resident never joins another resident's open SOS (store/device-resident.ts).
  const residents = await sql.residents(gatewayId, event.deviceId, gateway?.home_id ?? null);
  const residentId = residents.device;
  const open = await sql.findOpenAlarm(raiseKey(gatewayId, event.kind, event.deviceId, residentId));

  if (event.action === 'raise') {
    const row = await raiseOrJoin(
      sql,
      open,
      {
        gatewayId,
        deviceId: event.deviceId,
        homeId: gateway?.home_id ?? null,
        kind: event.kind,
        test: gateway?.test_mode ?? 0,
        gatewayTest: event.test ? 1 : 0,
        raisedAt: event.observedAt,
        receivedAt,
        lastTriggerAt: event.observedAt,
        residentId,
      },
      touched,
    );
    // A new alarm is about the device's resident, else the home's sole one (as enrichMany says).
    if (!open) careFields.set(row.id, { residentId: residentId ?? residents.sole, responders: [] });
    return row;
  }

  if (!open) return undefined;
  if (event.action === 'cancel' && open.cancelled_by_resident_at === null) {
    const updated = await sql.markCancelledByResident(open, event.observedAt);
    touched.mark(updated, false);
    return updated;
  }
  // A clear (or a repeated cancel) joins the timeline; consoles see it in the detail view.
  return open;
}
