/**
 * The only code in the hub that writes the `alarms` table and its timeline (`alarm_triggers`)
 * (issue 14: one owner per concept; owner.test.ts fails if another module writes them). Each
 * function runs inside the caller's transaction, so a batch, a rule's findings or an operator's
 * change stays all-or-nothing; the operations in this folder compose them.
 *
 * Joining (DESIGN.md, Alarms): a raise joins the unresolved alarm of the same gateway and kind
 * (and, for a device in a shared home, the same resident) if there is one, and its timeline grows;
 * otherwise a new alarm is opened. `raiseOrJoin` is that rule, for devices and rules alike.
 */
import type { Insertable, Transaction } from 'kysely';
import { ALARM_PRIORITY, newEventId, type AlarmKind } from '@anxin/protocol';
import type { AlarmRow, AlarmTriggersTable, Database } from '../store/schema.js';
import { UNRESOLVED, type Actor, type Touched } from './rows.js';
import { statusIn } from './status-filter.js';

/** What a new alarm needs; the rest starts empty (open, one trigger, nobody has taken it). */
export interface NewAlarm {
  gatewayId: string;
  deviceId: string | null;
  homeId: string | null;
  kind: AlarmKind;
  /** 1 when the home was in test mode: recorded, never dispatched. */
  test: number;
  /**
   * 1 when the raising event came from a gateway in its own test mode (the event's `test` mark).
   * A mark for people only: it never stops dispatch (that is `test`, the home's). Absent: 0 on a
   * new alarm, and a join leaves the mark as it is (a rule's finding is no gateway's event).
   */
  gatewayTest?: number;
  raisedAt: number;
  receivedAt: number;
  lastTriggerAt: number;
  /** The resident the raising device belongs to (shared homes), else absent/null. */
  residentId?: string | null;
}

/** A synchronous statement set returns plain values; the logic awaits either (statements.ts). */
export type Awaitable<T> = T | Promise<T>;

/** What the joining rule (raiseOrJoin) writes: statements.ts has the two sets that do. */
export interface AlarmJoinWrites {
  /** Inserts a new open alarm and returns its row. */
  insertAlarm(a: NewAlarm): Awaitable<AlarmRow>;
  /** One more trigger on an unresolved alarm (joinedColumns says how). */
  joinAlarm(open: AlarmRow, observedAt: number, gatewayTest?: number): Awaitable<AlarmRow>;
}

/** A new open alarm's row: what both statement sets insert (statements.ts). */
export function newAlarmRow(a: NewAlarm): AlarmRow {
  return {
    id: newEventId(),
    gateway_id: a.gatewayId,
    device_id: a.deviceId,
    home_id: a.homeId,
    kind: a.kind,
    priority: ALARM_PRIORITY[a.kind],
    status: 'open',
    test: a.test,
    gateway_test: a.gatewayTest ?? 0,
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
  };
}

/** Inserts a new open alarm inside the caller's transaction (device, rule or liveness alarms). */
export async function insertNewAlarm(trx: Transaction<Database>, a: NewAlarm): Promise<AlarmRow> {
  return trx.insertInto('alarms').values(newAlarmRow(a)).returningAll().executeTakeFirstOrThrow();
}

/**
 * Alarms about one device's upkeep: each device has its own. A low battery on the bed mat and one
 * on the door contact are two batteries to change (two maintenance work orders, issue 13), and a
 * second silent device must not hide in the first one's timeline. Life-safety kinds (fall, SOS,
 * smoke…) join per gateway and resident instead: two detectors sounding are one incident.
 */
const PER_DEVICE_KINDS: ReadonlySet<string> = new Set(['low_battery', 'tamper', 'device_offline']);

/** The join key of a raise: per device for the upkeep kinds, else gateway and kind (and resident). */
export function raiseKey(
  gatewayId: string,
  kind: string,
  deviceId: string | null,
  residentId?: string | null,
): OpenAlarmKey {
  return {
    gatewayId,
    kind,
    ...(residentId !== undefined ? { residentId } : {}),
    ...(PER_DEVICE_KINDS.has(kind) && deviceId !== null ? { deviceId } : {}),
  };
}

/** Which unresolved alarm a trigger joins; an absent field does not narrow the match. */
export interface OpenAlarmKey {
  gatewayId: string;
  kind: string;
  /** null: an alarm of no particular resident. Absent: any resident's. */
  residentId?: string | null;
  deviceId?: string;
}

/** The newest unresolved alarm a trigger with this key joins, if any (the join-or-open query). */
export async function findOpenAlarm(
  trx: Transaction<Database>,
  key: OpenAlarmKey,
): Promise<AlarmRow | undefined> {
  let query = trx
    .selectFrom('alarms')
    .selectAll()
    .where('gateway_id', '=', key.gatewayId)
    .where('kind', '=', key.kind)
    .where(statusIn('status', UNRESOLVED));
  if (key.residentId !== undefined)
    query = query.where('resident_id', key.residentId === null ? 'is' : '=', key.residentId);
  if (key.deviceId !== undefined) query = query.where('device_id', '=', key.deviceId);
  return query.orderBy('raised_at', 'desc').limit(1).executeTakeFirst();
}

/**
 * One more trigger on an unresolved alarm: the columns that change. A device's trigger from a
 * gateway not in test mode (`gatewayTest` 0) takes the alarm's gateway-test mark off: it is no
 * longer only a test.
 */
export function joinedColumns(
  open: AlarmRow,
  observedAt: number,
  gatewayTest?: number,
): Pick<AlarmRow, 'trigger_count' | 'last_trigger_at' | 'gateway_test'> {
  return {
    trigger_count: open.trigger_count + 1,
    last_trigger_at: Math.max(open.last_trigger_at, observedAt),
    gateway_test: open.gateway_test === 1 && gatewayTest !== 0 ? 1 : 0,
  };
}

/** One more trigger on an unresolved alarm (joinedColumns), inside the caller's transaction. */
export async function joinAlarm(
  trx: Transaction<Database>,
  open: AlarmRow,
  observedAt: number,
  gatewayTest?: number,
): Promise<AlarmRow> {
  return trx
    .updateTable('alarms')
    .set(joinedColumns(open, observedAt, gatewayTest))
    .where('id', '=', open.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/**
 * The joining rule: the unresolved alarm `open` (found with findOpenAlarm) grows by one trigger,
 * or, if there is none, `fresh` is opened. Either way the alarm is marked in `touched`. `writes`
 * is the caller's statement set (statements.ts), inside its transaction.
 */
export async function raiseOrJoin(
  writes: AlarmJoinWrites,
  open: AlarmRow | undefined,
  fresh: NewAlarm,
  touched: Touched,
): Promise<AlarmRow> {
  if (open) {
    const row = await writes.joinAlarm(open, fresh.lastTriggerAt, fresh.gatewayTest);
    touched.mark(row, false);
    return row;
  }
  const row = await writes.insertAlarm(fresh);
  touched.mark(row, true);
  return row;
}

/** A resident's own cancel, recorded on the alarm (never deleting it). */
export async function markCancelledByResident(
  trx: Transaction<Database>,
  alarmId: string,
  at: number,
): Promise<AlarmRow> {
  return trx
    .updateTable('alarms')
    .set({ cancelled_by_resident_at: at })
    .where('id', '=', alarmId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** One timeline entry; `alarm_id` null keeps a clear/cancel that matched no alarm. */
export async function appendTrigger(
  trx: Transaction<Database>,
  trigger: Omit<Insertable<AlarmTriggersTable>, 'id'>,
): Promise<void> {
  await trx.insertInto('alarm_triggers').values(trigger).execute();
}

/** Sets an alarm's lifecycle columns (acknowledge, resolve, reopen) and returns the new row. */
export async function setAlarmState(
  trx: Transaction<Database>,
  alarmId: string,
  state: Partial<
    Pick<
      AlarmRow,
      | 'status'
      | 'acknowledged_at'
      | 'acknowledged_by'
      | 'resolved_at'
      | 'resolved_by'
      | 'outcome'
      | 'notes'
    >
  >,
): Promise<AlarmRow> {
  return trx
    .updateTable('alarms')
    .set(state)
    .where('id', '=', alarmId)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An audit entry about an alarm; `actor` null is the system. */
export async function auditAlarm(
  trx: Transaction<Database>,
  at: number,
  actor: Actor | null,
  action: string,
  alarmId: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await trx
    .insertInto('audit_log')
    .values({
      at,
      user_id: actor ? actor.userId : null,
      username: actor ? actor.username : 'system',
      action,
      target_type: 'alarm',
      target_id: alarmId,
      detail_json: JSON.stringify(detail),
    })
    .execute();
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
  const row = await setAlarmState(trx, alarmId, {
    status: 'resolved',
    resolved_at: now,
    resolved_by: 'system',
    notes: reason,
  });
  await auditAlarm(trx, now, null, 'alarm.auto_resolve', alarmId, { reason, ...detail });
  return row;
}

/** A resident was deleted: their alarms stay (history), no longer naming them. */
export async function detachResidentFromAlarms(
  trx: Transaction<Database>,
  residentId: string,
): Promise<void> {
  await trx
    .updateTable('alarms')
    .set({ resident_id: null })
    .where('resident_id', '=', residentId)
    .execute();
}
