/**
 * The alarm lane's two statement sets (statements.ts) agree: the same gateways' batches — new
 * alarms, joins, cancels, clears, replays, seq conflicts, shared homes, a home in test mode, an
 * unknown gateway, upkeep kinds per device — go through the Kysely set on one SQLite file and
 * through the prepared set on another, and every outcome and every row of `alarms`,
 * `alarm_triggers` and `event_receipts` is the same (alarm ids, which are random, compared by
 * their order of appearance).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlarmEvent } from '@anxin/protocol';
import { openDatabase, sqliteConnectionOf } from '../store/db.js';
import { GatewayStore } from '../store/gateways.js';
import type { Database } from '../store/schema.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { alarmEvent } from '../testing/harness.js';
import { applyBatch } from './device-batches.js';
import { SqliteAlarmStatements } from './sqlite-statements.js';
import { kyselyAlarmStatements, type AlarmBatchStatements } from './statements.js';

const log = pino({ level: 'silent' });
let dir: string;
let viaKysely: Kysely<Database>;
let viaPrepared: Kysely<Database>;

async function seeded(file: string): Promise<Kysely<Database>> {
  const { db } = await openDatabase(join(dir, file), log);
  await seedGatewayHome(db);
  // home-1 is shared: Wang owns pendant-1, Li lives there too. home-2 (one resident) is in test mode.
  await sql`insert into residents (id, home_id, name, created_at, updated_at)
            values ('r-wang', 'home-1', 'Wang', 0, 0), ('r-li', 'home-1', 'Li', 0, 0)`.execute(db);
  await sql`insert into devices (gateway_id, device_id, first_seen_at, resident_id)
            values ('gw-1', 'pendant-1', 0, 'r-wang')`.execute(db);
  await sql`insert into homes (id, area_id, address, test_mode, created_at, updated_at)
            values ('home-2', 'd1', 'y', 1, 0, 0)`.execute(db);
  await sql`insert into residents (id, home_id, name, created_at, updated_at)
            values ('r-zhao', 'home-2', 'Zhao', 0, 0)`.execute(db);
  await new GatewayStore(db).upsertCredentials('gw-2', 'hash', 'home-2', 0);
  await sql`update gateways set test_mode = 1 where id = 'gw-2'`.execute(db);
  return db;
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-alarm-statements-'));
  viaKysely = await seeded('kysely.db');
  viaPrepared = await seeded('prepared.db');
});

afterEach(async () => {
  await viaKysely.destroy();
  await viaPrepared.destroy();
  rmSync(dir, { recursive: true, force: true });
});

type Batch = { gatewayId: string; events: AlarmEvent[]; receivedAt: number };

let seq = 0;
/** The next alarm event (fixed times: both runs get the very same events). */
const event = (over: Partial<AlarmEvent> = {}): AlarmEvent => {
  seq += 1;
  return alarmEvent(seq, { observedAt: 1000 + seq, ...over });
};

/** Group commits of batches, each group in one transaction as AlarmStore.applyBatches runs it. */
function scenario(): Batch[][] {
  const first = event();
  const joined = event({ observedAt: 900 }); // older than the alarm's last trigger
  const wangSos = event({ kind: 'sos', deviceId: 'pendant-1' });
  const clearNoAlarm = event({ kind: 'smoke', deviceId: 'smoke-1', action: 'clear' });
  const conflict = { ...event(), seq: first.seq }; // a new event under a stored seq
  const reused = { ...first, seq: 999 }; // a stored event under a new seq
  const at = (receivedAt: number, gatewayId: string, ...events: AlarmEvent[]) => ({
    gatewayId,
    events,
    receivedAt,
  });
  return [
    [at(5000, 'gw-1', first)],
    [
      at(5001, 'gw-1', joined, event({ action: 'cancel' }), event({ action: 'cancel' })),
      at(5001, 'gw-2', event({ kind: 'sos', deviceId: 'button-1', test: true })),
    ],
    [
      at(5002, 'gw-1', wangSos, event({ kind: 'sos', deviceId: 'button-hall' })),
      at(5002, 'gw-1', event({ kind: 'sos', deviceId: 'pendant-1', detail: { press: 2 } })),
    ],
    [
      at(5003, 'gw-1', first, conflict, reused, clearNoAlarm),
      at(5003, 'gw-3', event({ kind: 'water_leak', deviceId: 'leak-1' })),
      at(5003, 'gw-2', event({ kind: 'sos', deviceId: 'button-1', test: true })),
    ],
    [
      at(
        5004,
        'gw-1',
        event({ kind: 'low_battery', deviceId: 'bed-1' }),
        event({ kind: 'low_battery', deviceId: 'door-1' }),
        event({ kind: 'low_battery', deviceId: 'bed-1' }),
        event({ kind: 'fall', action: 'clear' }),
      ),
      at(5004, 'gw-2', event({ kind: 'sos', deviceId: 'button-1' })), // not a test: the mark goes
    ],
  ];
}

async function run(
  db: Kysely<Database>,
  statements: (trx: Parameters<typeof kyselyAlarmStatements>[0]) => AlarmBatchStatements,
  groups: Batch[][],
): Promise<string> {
  const outcomes = [];
  for (const group of groups)
    outcomes.push(
      await db.transaction().execute(async (trx) => {
        const set = statements(trx);
        const out = [];
        for (const b of group) {
          const outcome = await applyBatch(
            trx,
            set,
            undefined,
            b.gatewayId,
            b.events,
            b.receivedAt,
          );
          // A Map serializes as {}: its entries are compared.
          out.push({ gatewayId: b.gatewayId, ...outcome, careFields: [...outcome.careFields] });
        }
        return out;
      }),
    );
  const tables = {
    alarms: await db.selectFrom('alarms').selectAll().orderBy('raised_at').orderBy('id').execute(),
    triggers: await db.selectFrom('alarm_triggers').selectAll().orderBy('id').execute(),
    receipts: await db
      .selectFrom('event_receipts')
      .selectAll()
      .orderBy('gateway_id')
      .orderBy('seq')
      .execute(),
  };
  return normalizeAlarmIds(JSON.stringify({ outcomes, tables }), tables.alarms);
}

/** Alarm ids are random: each becomes its rank among the alarms (raised_at order). */
function normalizeAlarmIds(text: string, alarms: readonly { id: string }[]): string {
  let out = text;
  alarms.forEach((a, i) => (out = out.split(a.id).join(`alarm#${i}`)));
  return out;
}

describe('the alarm batch statements: prepared (SQLite) and Kysely agree', () => {
  it('stores the same rows and answers the same outcomes for every kind of batch', async () => {
    const groups = scenario();
    const sqlite = sqliteConnectionOf(viaPrepared);
    if (!sqlite) throw new Error('openDatabase gave no SQLite connection');
    const prepared = new SqliteAlarmStatements(sqlite);
    const kysely = await run(viaKysely, kyselyAlarmStatements, groups);
    const direct = await run(viaPrepared, () => prepared, groups);
    expect(direct).toEqual(kysely);
    // The scenario did what it says (not two empty runs agreeing).
    const summary = JSON.parse(kysely) as { tables: Record<string, unknown[]> };
    expect(summary.tables.alarms).toHaveLength(7);
    expect(kysely).toContain('SEQ_CONFLICT');
    expect(kysely).toMatch(/"cancelled_by_resident_at":\d+/);
    expect(kysely).toContain('"resident_id":"r-wang"');
  });
});
