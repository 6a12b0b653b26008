/**
 * The alarm owner's behaviour in a real SQL state (SQLite file, or PostgreSQL in that project):
 * devices and rules share one joining rule, a resident's cancel and a clear are kept in the
 * timeline, replays change nothing, operator changes are audited and conflict where they must,
 * and a deleted resident's alarms stay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEventId, type AlarmEvent } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { openTestDatabase } from '../testing/test-database.js';
import { AlarmStore } from './store.js';

const log = pino({ level: 'silent' });
const operator = { userId: 'u-1', username: 'op' };
let dir: string;
let db: Kysely<Database>;
let alarms: AlarmStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-alarm-owner-'));
  db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
  await seedGatewayHome(db);
  alarms = new AlarmStore(db);
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;
const event = (over: Partial<AlarmEvent> = {}): AlarmEvent => ({
  type: 'alarm',
  id: newEventId(),
  seq: ++seq,
  observedAt: 1000 + seq,
  deviceId: 'radar-1',
  kind: 'fall',
  action: 'raise',
  ...over,
});

async function apply(...events: AlarmEvent[]) {
  const [outcome] = await alarms.applyBatches([{ gatewayId: 'gw-1', events, receivedAt: 5000 }]);
  if (!outcome) throw new Error('no outcome');
  return outcome;
}

describe('AlarmStore (the alarm owner)', () => {
  it('joins a second raise to the open alarm, keeps a cancel and a clear, and ignores replays', async () => {
    const first = event();
    const opened = await apply(first);
    expect(opened.created).toHaveLength(1);
    const id = opened.created[0]?.id ?? '';
    const joined = await apply(event(), event({ action: 'cancel' }), event({ action: 'clear' }));
    expect(joined.created).toEqual([]);
    expect(joined.updated.map((a) => [a.id, a.triggerCount])).toEqual([[id, 2]]);
    expect(joined.updated[0]?.cancelledByResidentAt).not.toBeNull();
    const replay = await apply(first);
    expect(replay).toMatchObject({ acked: [first.seq], stored: 0, created: [], updated: [] });
    const detail = await alarms.get(id);
    expect(detail?.timeline.map((t) => t.action)).toEqual(['raise', 'raise', 'cancel', 'clear']);
  });

  it('keeps a clear that matches no alarm as a trigger without an alarm', async () => {
    const outcome = await apply(event({ action: 'clear', kind: 'smoke' }));
    expect(outcome).toMatchObject({ stored: 1, created: [], updated: [] });
    const rows = await db.selectFrom('alarm_triggers').select('alarm_id').execute();
    expect(rows).toEqual([{ alarm_id: null }]);
  });

  it("joins a rule's finding to a device's open alarm of the same kind (one joining rule)", async () => {
    const device = await apply(event({ kind: 'water_leak' }));
    const id = device.created[0]?.id;
    const rule = await alarms.applyDerived(
      { gatewayId: 'gw-1', homeId: 'home-1', test: 0 },
      [{ kind: 'water_leak', deviceId: 'meter-1', at: 9000, rule: 'leak', detail: { slots: 48 } }],
      [],
      9500,
    );
    expect(rule.created).toEqual([]);
    expect(rule.updated.map((a) => [a.id, a.triggerCount])).toEqual([[id, 2]]);
    const timeline = (await alarms.get(id ?? ''))?.timeline ?? [];
    expect(timeline.at(-1)?.detail).toEqual({ rule: 'leak', slots: 48 });
  });

  it('keeps one upkeep alarm per device (two low batteries, two silent devices) but one incident per kind', async () => {
    const target = { gatewayId: 'gw-1', homeId: 'home-1', test: 0 };
    // Two devices' low batteries: two alarms (two batteries to change); the same device again joins.
    const mat = await apply(event({ kind: 'low_battery', deviceId: 'bed-1' }));
    const door = await apply(event({ kind: 'low_battery', deviceId: 'door-1' }));
    expect([mat.created.length, door.created.length]).toEqual([1, 1]);
    const ruleOnMat = await alarms.applyDerived(
      target,
      [{ kind: 'low_battery', deviceId: 'bed-1', at: 9000, rule: 'battery', detail: {} }],
      [],
      9000,
    );
    expect(ruleOnMat.updated.map((a) => [a.id, a.triggerCount])).toEqual([[mat.created[0]?.id, 2]]);
    // Two silent devices: two device_offline alarms, each resolved by its own device's recovery.
    const silent = (deviceId: string) => ({
      kind: 'device_offline' as const,
      deviceId,
      at: 9100,
      rule: 'device_silent',
      detail: {},
    });
    const both = await alarms.applyDerived(target, [silent('radar-1'), silent('door-1')], [], 9100);
    expect(both.created.map((a) => a.deviceId)).toEqual(['radar-1', 'door-1']);
    const back = await alarms.applyDerived(
      target,
      [],
      [{ kind: 'device_offline', deviceId: 'door-1', at: 9200, rule: 'device_silent' }],
      9200,
    );
    expect(back.updated.map((a) => [a.deviceId, a.status])).toEqual([['door-1', 'resolved']]);
    // Life-safety kinds stay one incident per home: a second button's SOS joins the first.
    const sos = await apply(event({ kind: 'sos', deviceId: 'button-1' }));
    const second = await apply(event({ kind: 'sos', deviceId: 'button-2' }));
    expect(second.created).toEqual([]);
    expect(second.updated.map((a) => a.id)).toEqual([sos.created[0]?.id]);
  });

  it('acknowledges, resolves and reopens with an audit entry each, and refuses what conflicts', async () => {
    const id = (await apply(event())).created[0]?.id ?? '';
    expect(await alarms.reopen(id, operator, 'why', 6000)).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    expect(await alarms.acknowledge(id, operator, 6000)).toMatchObject({ ok: true, changed: true });
    expect(await alarms.acknowledge(id, operator, 6001)).toMatchObject({
      ok: true,
      changed: false,
    });
    const resolved = await alarms.resolve(id, operator, 'false_alarm', 'checked', 7000);
    expect(resolved).toMatchObject({
      ok: true,
      alarm: { status: 'resolved', outcome: 'false_alarm' },
    });
    expect(await alarms.resolve(id, operator, 'false_alarm', undefined, 7001)).toMatchObject({
      ok: false,
      reason: 'conflict',
    });
    const reopened = await alarms.reopen(id, operator, 'fell again', 8000);
    expect(reopened).toMatchObject({ ok: true, alarm: { status: 'acknowledged', outcome: null } });
    expect(await alarms.acknowledge('nope', operator, 1)).toMatchObject({
      ok: false,
      reason: 'not_found',
    });
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'username'])
      .where('target_id', '=', id)
      .orderBy('id')
      .execute();
    expect(audit.map((a) => a.action)).toEqual([
      'alarm.acknowledge',
      'alarm.resolve',
      'alarm.reopen',
    ]);
    expect(new Set(audit.map((a) => a.username))).toEqual(new Set(['op']));
  });

  it("keeps a deleted resident's alarms, no longer naming them", async () => {
    await sql`insert into residents (id, home_id, name, created_at, updated_at)
              values ('r-1', 'home-1', 'Wang', 0, 0)`.execute(db);
    await sql`insert into devices (gateway_id, device_id, first_seen_at, resident_id)
              values ('gw-1', 'pendant-1', 0, 'r-1')`.execute(db);
    const id = (await apply(event({ kind: 'sos', deviceId: 'pendant-1' }))).created[0]?.id ?? '';
    const named = await db
      .selectFrom('alarms')
      .select('resident_id')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(named?.resident_id).toBe('r-1');
    await db.transaction().execute((trx) => alarms.detachResident(trx, 'r-1'));
    const after = await db
      .selectFrom('alarms')
      .select('resident_id')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(after?.resident_id).toBeNull();
  });
});
