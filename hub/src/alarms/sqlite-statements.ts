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
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { checkerFor } from '@anxin/protocol';
import type { AlarmRow } from '../store/schema.js';
import { residentsOfAlarm } from '../store/device-resident.js';
import { UNRESOLVED } from './rows.js';
import type { AlarmBatchStatements, GatewayInfo, NewTrigger } from './statements.js';
import { joinedColumns, newAlarmRow, type NewAlarm, type OpenAlarmKey } from './writes.js';

type Param = string | number | null;
/** better-sqlite3 types a row as whatever it is told; these return `unknown`, read by readRow. */
type Statement = BetterSqlite3.Statement<Param[]>;
type NamedStatement = BetterSqlite3.Statement<[Record<string, Param>]>;

const Text = Type.String();
const TextOrNull = Type.Union([Type.String(), Type.Null()]);
const NumberOrNull = Type.Union([Type.Number(), Type.Null()]);

/** An `alarms` row as SQLite returns it; AlarmRowMatches keeps it equal to Kysely's AlarmRow. */
const AlarmRowSchema = Type.Object({
  id: Text,
  gateway_id: Text,
  device_id: TextOrNull,
  home_id: TextOrNull,
  kind: Text,
  priority: Type.Number(),
  status: Text,
  test: Type.Number(),
  gateway_test: Type.Number(),
  raised_at: Type.Number(),
  received_at: Type.Number(),
  last_trigger_at: Type.Number(),
  trigger_count: Type.Number(),
  acknowledged_at: NumberOrNull,
  acknowledged_by: TextOrNull,
  resolved_at: NumberOrNull,
  resolved_by: TextOrNull,
  outcome: TextOrNull,
  notes: TextOrNull,
  cancelled_by_resident_at: NumberOrNull,
  resident_id: TextOrNull,
});
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a migration adds or changes a column of `alarms` and not the schema. */
const AlarmRowMatches: Same<Static<typeof AlarmRowSchema>, AlarmRow> = true;
void AlarmRowMatches;

const EventIdRow = Type.Object({ event_id: Text });
const GatewayInfoRow = Type.Object({ home_id: TextOrNull, test_mode: Type.Number() });
const ResidentsRow = Type.Object({ device: TextOrNull, first: TextOrNull, n: Type.Number() });

/**
 * A row read back, checked against its schema (a compiled TypeBox check, ~1 µs): undefined when
 * there is none; a row of another shape — a schema the code does not know — throws, failing the
 * transaction (nothing is acknowledged; the gateway sends again) instead of storing nonsense.
 */
function readRow<T extends TSchema>(schema: T, row: unknown, what: string): Static<T> | undefined {
  if (row === undefined) return undefined;
  if (!checkerFor(schema).Check(row)) throw new Error(`${what}: unexpected row from SQLite`);
  return row;
}

/**
 * `status IN ('open', 'acknowledged')` written out as literals, in UNRESOLVED's order, as
 * status-filter.ts does: SQLite uses the partial index alarms_unresolved_key only when the
 * statement's own terms imply the index's clause (unresolved-indexes.test.ts checks the plans).
 */
const UNRESOLVED_TERM = `status in (${UNRESOLVED.map((s) => `'${s}'`).join(', ')})`;

/** The statements whose text never changes, prepared together on first use. */
function prepareFixed(sqlite: BetterSqlite3.Database) {
  return {
    receipt: sqlite.prepare<Param[]>(
      'select event_id from event_receipts where gateway_id = ? and seq = ?',
    ),
    storedEvent: sqlite.prepare<Param[]>('select event_id from alarm_triggers where event_id = ?'),
    gateway: sqlite.prepare<Param[]>('select home_id, test_mode from gateways where id = ?'),
    insertReceipt: sqlite.prepare<Param[]>(
      `insert into event_receipts (gateway_id, seq, event_id, lane, received_at)
       values (?, ?, ?, 'alarm', ?)`,
    ),
    // As store/device-resident.ts alarmResidents: the device's resident if they live in the
    // home, the home's first resident, and how many live there.
    residents: sqlite.prepare<Param[]>(
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
  private readonly openAlarmLookups = new Map<string, Statement>();
  private readonly namedWrites = new Map<string, NamedStatement>();

  constructor(private readonly sqlite: BetterSqlite3.Database) {}

  private get fixed(): ReturnType<typeof prepareFixed> {
    this.fixedStatements ??= prepareFixed(this.sqlite);
    return this.fixedStatements;
  }

  receipts(gatewayId: string, seqs: readonly number[]): Map<number, string> {
    const found = new Map<number, string>();
    for (const seq of seqs) {
      const row = readRow(EventIdRow, this.fixed.receipt.get(gatewayId, seq), 'event_receipts');
      if (row) found.set(seq, row.event_id);
    }
    return found;
  }

  storedEventIds(eventIds: readonly string[]): Set<string> {
    const found = new Set<string>();
    for (const id of eventIds) if (this.fixed.storedEvent.get(id) !== undefined) found.add(id);
    return found;
  }

  gateway(gatewayId: string): GatewayInfo {
    return readRow(GatewayInfoRow, this.fixed.gateway.get(gatewayId), 'gateways');
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
    return residentsOfAlarm(deviceId, readRow(ResidentsRow, row, 'residents'));
  }

  findOpenAlarm(key: OpenAlarmKey): AlarmRow | undefined {
    const { text, params } = openAlarmQuery(key);
    const stmt = cached(this.openAlarmLookups, text, () => this.sqlite.prepare<Param[]>(text));
    return readRow(AlarmRowSchema, stmt.get(...params), 'alarms');
  }

  insertAlarm(a: NewAlarm): AlarmRow {
    // Every column is given, so the stored row is the one built: nothing to read back.
    const row = newAlarmRow(a);
    const values = definedColumns(row);
    this.named(insertText('alarms', Object.keys(values))).run(values);
    return row;
  }

  joinAlarm(open: AlarmRow, observedAt: number, gatewayTest?: number): AlarmRow {
    return this.updateAlarm(open, joinedColumns(open, observedAt, gatewayTest));
  }

  markCancelledByResident(open: AlarmRow, at: number): AlarmRow {
    return this.updateAlarm(open, { cancelled_by_resident_at: at });
  }

  appendTrigger(trigger: NewTrigger): void {
    const values = definedColumns(trigger);
    this.named(insertText('alarm_triggers', Object.keys(values))).run(values);
  }

  /**
   * Sets `columns` on the alarm `open` (read in this transaction) and returns its new row: `open`
   * with those columns, as nothing else in the transaction writes it.
   */
  private updateAlarm<C extends Partial<AlarmRow>>(open: AlarmRow, columns: C): AlarmRow {
    const values = definedColumns(columns);
    const sets = Object.keys(values).map((c) => `"${c}" = @${c}`);
    // `@alarm_id_`: a name no column has, so the key cannot collide with a column set.
    const text = `update alarms set ${sets.join(', ')} where id = @alarm_id_`;
    const { changes } = this.named(text).run({ ...values, alarm_id_: open.id });
    if (changes !== 1) throw new Error(`alarm ${open.id} not found`);
    return { ...open, ...columns };
  }

  private named(text: string): NamedStatement {
    return cached(this.namedWrites, text, () => this.sqlite.prepare<[Record<string, Param>]>(text));
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
