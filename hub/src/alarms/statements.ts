/**
 * The statements a gateway's alarm batch runs inside its transaction (device-batches.ts), behind
 * one interface with two implementations, so the batch's logic — replay, conflict, join-or-open,
 * cancel, timeline — is written once:
 *  - `kyselyAlarmStatements(trx)` (here): Kysely over the transaction, for either engine. The hub
 *    uses it on PostgreSQL, and the parity test on SQLite.
 *  - `SqliteAlarmStatements` (sqlite-statements.ts): the same statements prepared once on the
 *    SQLite connection and run synchronously. The hub uses it on SQLite.
 * Why a second one (issue 12): at 5 alarms/s the code runs cold, and building and compiling each
 * of a new alarm's ~10 statements through Kysely is most of its transaction. Measured on the
 * 2-core machine, one new alarm after 200 ms idle, `synchronous = OFF`: 2.3 ms through Kysely,
 * of which 0.7 ms in SQLite; 0.97 ms through the prepared set (Kysely still begins and commits
 * the transaction; all of it by hand was 0.73 ms). With FULL: 3.2 → 1.8 ms.
 *
 * Every method runs inside the caller's transaction; a method that throws fails the whole group
 * commit (nothing is acknowledged, the gateways send again).
 */
import type { Insertable, Transaction } from 'kysely';
import type { AlarmTriggersTable, AlarmRow, Database } from '../store/schema.js';
import { alarmResidents } from '../store/device-resident.js';
import {
  appendTrigger,
  findOpenAlarm,
  insertNewAlarm,
  joinAlarm,
  markCancelledByResident,
  type AlarmJoinWrites,
  type Awaitable,
  type OpenAlarmKey,
} from './writes.js';

export type { AlarmJoinWrites, Awaitable } from './writes.js';

/** What an alarm event needs to know about its gateway (none: a gateway not provisioned here). */
export type GatewayInfo = { home_id: string | null; test_mode: number } | undefined;

/** A trigger's row as the timeline stores it (its id is the database's). */
export type NewTrigger = Omit<Insertable<AlarmTriggersTable>, 'id'>;

export interface AlarmBatchStatements extends AlarmJoinWrites {
  /** The event ids already stored under these seqs of the gateway (replays, or conflicts). */
  receipts(gatewayId: string, seqs: readonly number[]): Awaitable<Map<number, string>>;
  /** Which of these event ids the timeline already holds, under whatever seq. */
  storedEventIds(eventIds: readonly string[]): Awaitable<Set<string>>;
  gateway(gatewayId: string): Awaitable<GatewayInfo>;
  /** Records that the gateway's `seq` holds `eventId` (the idempotency key, contract clause 4). */
  insertReceipt(
    gatewayId: string,
    seq: number,
    eventId: string,
    receivedAt: number,
  ): Awaitable<void>;
  /** The device's own resident and the home's sole one (store/device-resident.ts, alarmResidents). */
  residents(
    gatewayId: string,
    deviceId: string | null,
    homeId: string | null,
  ): Awaitable<{ device: string | null; sole: string | null }>;
  /** The unresolved alarm a trigger with this key joins, if any (writes.ts, findOpenAlarm). */
  findOpenAlarm(key: OpenAlarmKey): Awaitable<AlarmRow | undefined>;
  /** The resident's own cancel on the unresolved alarm `open`; returns its new row. */
  markCancelledByResident(open: AlarmRow, at: number): Awaitable<AlarmRow>;
  appendTrigger(trigger: NewTrigger): Awaitable<void>;
}

/** The batch's statements through Kysely, on the transaction `trx` (any engine). */
export function kyselyAlarmStatements(trx: Transaction<Database>): AlarmBatchStatements {
  return {
    async receipts(gatewayId, seqs) {
      const rows = await trx
        .selectFrom('event_receipts')
        .select(['seq', 'event_id'])
        .where('gateway_id', '=', gatewayId)
        .where('seq', 'in', [...seqs])
        .execute();
      return new Map(rows.map((r) => [Number(r.seq), r.event_id]));
    },
    async storedEventIds(eventIds) {
      const rows = await trx
        .selectFrom('alarm_triggers')
        .select('event_id')
        .where('event_id', 'in', [...eventIds])
        .execute();
      return new Set(rows.map((r) => r.event_id));
    },
    gateway: (gatewayId) =>
      trx
        .selectFrom('gateways')
        .select(['home_id', 'test_mode'])
        .where('id', '=', gatewayId)
        .executeTakeFirst(),
    async insertReceipt(gatewayId, seq, eventId, receivedAt) {
      await trx
        .insertInto('event_receipts')
        .values({
          gateway_id: gatewayId,
          seq,
          event_id: eventId,
          lane: 'alarm',
          received_at: receivedAt,
        })
        .execute();
    },
    residents: (gatewayId, deviceId, homeId) => alarmResidents(trx, gatewayId, deviceId, homeId),
    findOpenAlarm: (key) => findOpenAlarm(trx, key),
    insertAlarm: (a) => insertNewAlarm(trx, a),
    joinAlarm: (open, observedAt, gatewayTest) => joinAlarm(trx, open, observedAt, gatewayTest),
    markCancelledByResident: (open, at) => markCancelledByResident(trx, open.id, at),
    appendTrigger: (trigger) => appendTrigger(trx, trigger),
  };
}
