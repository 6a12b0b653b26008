/**
 * The alarm batch's statements (statements.ts) prepared once on the hub's SQLite connection and
 * run synchronously: no query building, no compiling and no promise per statement on the alarm
 * lane (why, with the figures: statements.ts). The SQL says what the Kysely set says; the parity
 * test (sqlite-statements.test.ts) runs the same batches through both and compares every row.
 *
 * Only ever called inside a Kysely transaction on the same database: Kysely's SQLite driver has
 * one connection, held by the transaction until it commits, so these statements are part of that
 * transaction and nothing else can run on the connection in between.
 */
import type BetterSqlite3 from 'better-sqlite3';
import type { AlarmRow } from '../store/schema.js';
import { residentsOfAlarm } from '../store/device-resident.js';
import { UNRESOLVED } from './rows.js';
import type { AlarmBatchStatements, GatewayInfo, NewTrigger } from './statements.js';
import { joinedColumns, newAlarmRow, type NewAlarm, type OpenAlarmKey } from './writes.js';

type Param = string | number | null;
type Statement<R> = BetterSqlite3.Statement<Param[], R>;
type NamedStatement<R> = BetterSqlite3.Statement<[Record<string, Param>], R>;

/**
 * `status IN ('open', 'acknowledged')` written out as literals, in UNRESOLVED's order, as
 * status-filter.ts does: SQLite uses the partial index alarms_unresolved_key only when the
 * statement's own terms imply the index's clause (unresolved-indexes.test.ts checks the plans).
 */
const UNRESOLVED_TERM = `status in (${UNRESOLVED.map((s) => `'${s}'`).join(', ')})`;

/** The statements whose text never changes, prepared together on first use. */
function prepareFixed(sqlite: BetterSqlite3.Database) {
  return {
    receipt: sqlite.prepare<Param[], { event_id: string }>(
      'select event_id from event_receipts where gateway_id = ? and seq = ?',
    ),
    storedEvent: sqlite.prepare<Param[], { event_id: string }>(
      'select event_id from alarm_triggers where event_id = ?',
    ),
    gateway: sqlite.prepare<Param[], { home_id: string | null; test_mode: number }>(
      'select home_id, test_mode from gateways where id = ?',
    ),
    insertReceipt: sqlite.prepare<Param[]>(
      `insert into event_receipts (gateway_id, seq, event_id, lane, received_at)
       values (?, ?, ?, 'alarm', ?)`,
    ),
    // As store/device-resident.ts alarmResidents: the device's resident if they live in the
    // home, the home's first resident, and how many live there.
    residents: sqlite.prepare<Param[], { device: string | null; first: string | null; n: number }>(
      `select
         (select devices.resident_id from devices
            inner join residents on residents.id = devices.resident_id
            where devices.gateway_id = ? and devices.device_id = ? and residents.home_id = ?
            limit 1) as device,
         (select min(id) from residents where home_id = ?) as first,
         (select count(*) from residents where home_id = ?) as n`,
    ),
  };
}

export class SqliteAlarmStatements implements AlarmBatchStatements {
  private fixedStatements: ReturnType<typeof prepareFixed> | undefined;
  /** By SQL text. The texts are few and fixed: a key's shape (at most six), or the column lists
   *  of the hub's own row builders — never input — so these stay small. */
  private readonly openAlarmLookups = new Map<string, Statement<AlarmRow>>();
  private readonly alarmWrites = new Map<string, NamedStatement<AlarmRow>>();
  private readonly triggerInserts = new Map<string, NamedStatement<unknown>>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  private get fixed(): ReturnType<typeof prepareFixed> {
    this.fixedStatements ??= prepareFixed(this.sqlite);
    return this.fixedStatements;
  }

  receipts(gatewayId: string, seqs: readonly number[]): Map<number, string> {
    const found = new Map<number, string>();
    for (const seq of seqs) {
      const row = this.fixed.receipt.get(gatewayId, seq);
      if (row) found.set(seq, row.event_id);
    }
    return found;
  }

  storedEventIds(eventIds: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const id of eventIds) if (this.fixed.storedEvent.get(id)) found.add(id);
    return found;
  }

  gateway(gatewayId: string): GatewayInfo {
    return this.fixed.gateway.get(gatewayId);
  }

  insertReceipt(gatewayId: string, seq: number, eventId: string, receivedAt: number): void {
    this.fixed.insertReceipt.run(gatewayId, seq, eventId, receivedAt);
  }

  residents(
    gatewayId: string,
    deviceId: string | null,
    homeId: string | null,
  ): { device: string | null; sole: string | null } {
    if (homeId === null) return { device: null, sole: null };
    const row = this.fixed.residents.get(gatewayId, deviceId ?? '', homeId, homeId, homeId);
    return residentsOfAlarm(deviceId, row);
  }

  findOpenAlarm(key: OpenAlarmKey): AlarmRow | undefined {
    const { text, params } = openAlarmQuery(key);
    return cached(this.openAlarmLookups, text, () =>
      this.sqlite.prepare<Param[], AlarmRow>(text),
    ).get(...params);
  }

  insertAlarm(a: NewAlarm): AlarmRow {
    const values = definedColumns(newAlarmRow(a));
    const text = insertText('alarms', Object.keys(values)) + ' returning *';
    const row = cached(this.alarmWrites, text, () =>
      this.sqlite.prepare<[Record<string, Param>], AlarmRow>(text),
    ).get(values);
    if (row === undefined) throw new Error('insert into alarms returned no row');
    return row;
  }

  joinAlarm(open: AlarmRow, observedAt: number, gatewayTest?: number): AlarmRow {
    return this.updateAlarm(open.id, joinedColumns(open, observedAt, gatewayTest));
  }

  markCancelledByResident(alarmId: string, at: number): AlarmRow {
    return this.updateAlarm(alarmId, { cancelled_by_resident_at: at });
  }

  appendTrigger(trigger: NewTrigger): void {
    const values = definedColumns(trigger);
    const text = insertText('alarm_triggers', Object.keys(values));
    cached(this.triggerInserts, text, () => this.sqlite.prepare<[Record<string, Param>]>(text)).run(
      values,
    );
  }

  /** Sets `columns` on alarm `alarmId` and returns its row; the alarm must exist. */
  private updateAlarm(alarmId: string, columns: Readonly<Record<string, unknown>>): AlarmRow {
    const values = definedColumns(columns);
    const sets = Object.keys(values).map((c) => `"${c}" = @${c}`);
    // `@alarm_id_`: a name no column has, so the key cannot collide with a column set.
    const text = `update alarms set ${sets.join(', ')} where id = @alarm_id_ returning *`;
    const row = cached(this.alarmWrites, text, () =>
      this.sqlite.prepare<[Record<string, Param>], AlarmRow>(text),
    ).get({ ...values, alarm_id_: alarmId });
    if (row === undefined) throw new Error(`alarm ${alarmId} not found`);
    return row;
  }
}

/**
 * The join-or-open lookup for `key`, narrowed as writes.ts findOpenAlarm narrows it (an absent
 * field does not narrow): one text per shape of key, at most six.
 */
export function openAlarmQuery(key: OpenAlarmKey): { text: string; params: Param[] } {
  const terms = ['gateway_id = ?', 'kind = ?', UNRESOLVED_TERM];
  const params: Param[] = [key.gatewayId, key.kind];
  if (key.residentId === null) terms.push('resident_id is null');
  else if (key.residentId !== undefined) {
    terms.push('resident_id = ?');
    params.push(key.residentId);
  }
  if (key.deviceId !== undefined) {
    terms.push('device_id = ?');
    params.push(key.deviceId);
  }
  return {
    text: `select * from alarms where ${terms.join(' and ')} order by raised_at desc limit 1`,
    params,
  };
}

function cached<S>(statements: Map<string, S>, text: string, prepare: () => S): S {
  let stmt = statements.get(text);
  if (stmt === undefined) {
    stmt = prepare();
    statements.set(text, stmt);
  }
  return stmt;
}

/** `insert into table ("a", "b") values (@a, @b)`: the columns are the hub's own row keys. */
function insertText(table: 'alarms' | 'alarm_triggers', columns: string[]): string {
  const names = columns.map((c) => `"${c}"`).join(', ');
  return `insert into ${table} (${names}) values (${columns.map((c) => `@${c}`).join(', ')})`;
}

/**
 * The row's columns that have a value: an undefined one is left to its default, as Kysely leaves
 * it out of the insert (and better-sqlite3 cannot bind undefined).
 */
function definedColumns(row: Readonly<Record<string, unknown>>): Record<string, Param> {
  const values: Record<string, Param> = {};
  for (const [column, value] of Object.entries(row)) {
    if (value === undefined) continue;
    if (value !== null && typeof value !== 'string' && typeof value !== 'number')
      throw new TypeError(`column ${column}: cannot bind a ${typeof value}`);
    values[column] = value;
  }
  return values;
}
