/**
 * Derived alarms in the SQL state (a real SQLite file): opened with the kind's priority, joined by
 * later findings, auto-resolved when a silent device reports again (audited), marked as tests in
 * a test-mode home; and the engine's start-up grace with a fake clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { pino } from 'pino';
import { Value } from '@sinclair/typebox/value';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../testing/test-database.js';
import { GatewayStore } from '../store/gateways.js';
import type { Database } from '../store/schema.js';
import { CareLookup } from './care-lookup.js';
import { EngineConfigSchema, type EngineConfig } from './config.js';
import { DerivedAlarms } from './derived-alarms.js';
import { AlarmEngine } from './engine.js';
import type { Finding } from './rules.js';

const log = pino({ level: 'silent' });
let dir: string;
let db: Kysely<Database>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-derived-'));
  db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
  const gateways = new GatewayStore(db);
  await sql`insert into areas (id, parent_id, kind, name, created_at) values ('d1', null, 'district', 'D', 0)`.execute(
    db,
  );
  for (const [home, test] of [
    ['home-1', 0],
    ['home-t', 1],
  ] as const)
    await sql`insert into homes (id, area_id, address, test_mode, created_at, updated_at)
              values (${home}, 'd1', 'x', ${test}, 0, 0)`.execute(db);
  await gateways.upsertCredentials('gw-1', 'hash', 'home-1', 0);
  await gateways.upsertCredentials('gw-t', 'hash', 'home-t', 0);
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const finding = (over: Partial<Finding> = {}): Finding => ({
  rule: 'device_silent',
  kind: 'device_offline',
  deviceId: 'pir-1',
  at: 1000,
  detail: { expected_interval_s: 600 },
  ...over,
});

describe('DerivedAlarms', () => {
  it('opens, joins, and auto-resolves an untaken device_offline (audited)', async () => {
    const d = new DerivedAlarms(db, new CareLookup(db));
    const first = await d.apply('gw-1', [finding()], [], 2000);
    expect(first.created).toMatchObject([
      {
        kind: 'device_offline',
        priority: 3,
        homeId: 'home-1',
        test: false,
        raisedAt: new Date(1000).toISOString(),
      },
    ]);
    const second = await d.apply('gw-1', [finding({ at: 5000 })], [], 6000);
    expect(second.created).toEqual([]);
    expect(second.updated).toMatchObject([{ triggerCount: 2 }]);
    const back = await d.apply(
      'gw-1',
      [],
      [{ rule: 'device_silent', kind: 'device_offline', deviceId: 'pir-1', at: 7000 }],
      7000,
    );
    expect(back.updated).toMatchObject([{ status: 'resolved', resolvedBy: 'system' }]);
    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'username'])
      .where('action', '=', 'alarm.auto_resolve')
      .execute();
    expect(audit).toEqual([{ action: 'alarm.auto_resolve', username: 'system' }]);
    const triggers = await db
      .selectFrom('alarm_triggers')
      .select(['action', 'detail_json'])
      .orderBy('id')
      .execute();
    expect(triggers.map((t) => t.action)).toEqual(['raise', 'raise', 'clear']);
  });

  it('marks alarms of a test-mode home as tests', async () => {
    const d = new DerivedAlarms(db, new CareLookup(db));
    const r = await d.apply(
      'gw-t',
      [finding({ kind: 'door_open_night', rule: 'door_open_night' })],
      [],
      1,
    );
    expect(r.created).toMatchObject([{ kind: 'door_open_night', priority: 2, test: true }]);
  });
});

describe('AlarmEngine start-up grace (fake clock)', () => {
  it('judges silence only after the grace, then raises device_offline once', async () => {
    let now = 10_000_000;
    await db.updateTable('gateways').set({ last_seen_at: now }).where('id', '=', 'gw-1').execute();
    await db
      .insertInto('devices')
      .values({
        gateway_id: 'gw-1',
        device_id: 'pir-1',
        driver: 'zigbee2mqtt',
        first_seen_at: 0,
        last_seen_at: now - 10 * 3_600_000,
        online: 1,
        battery_pct: null,
        signal: null,
        frames_ok: 0,
        decode_errors: 0,
      })
      .execute();
    // Declared interval 10 min (care model); a device with none is event-only, never silent.
    await sql`update devices set expected_interval_s = 600 where device_id = 'pir-1'`.execute(db);
    await db
      .insertInto('devices')
      .values({
        gateway_id: 'gw-1',
        device_id: 'sos-1',
        driver: 'zigbee2mqtt',
        first_seen_at: 0,
        last_seen_at: now - 10 * 3_600_000,
        online: 1,
        battery_pct: null,
        signal: null,
        frames_ok: 0,
        decode_errors: 0,
      })
      .execute();
    const care = new CareLookup(db);
    const changes: string[] = [];
    const config: EngineConfig = {
      ...(Value.Default(EngineConfigSchema, {}) as EngineConfig),
      startupGraceS: 60,
      gatewayFreshS: 3600,
    };
    const engine = new AlarmEngine({
      db,
      care,
      derived: new DerivedAlarms(db, care),
      config: { ...config, enabled: false }, // no interval timer: the test drives tick()
      log,
      clock: () => now,
      onChanges: (created) => changes.push(...created.map((a) => a.kind)),
    });
    await engine.start();
    await engine.tick(now + 30_000);
    expect(changes).toEqual([]);
    now += 61_000;
    await engine.tick(now);
    expect(changes).toEqual(['device_offline']);
    await engine.tick(now + 1000);
    expect(changes).toEqual(['device_offline']);
    // the fired flag is persisted: a new engine on the same state does not raise it again
    const again = new AlarmEngine({
      db,
      care,
      derived: new DerivedAlarms(db, care),
      config: { ...config, enabled: false, startupGraceS: 0 },
      log,
      clock: () => now,
      onChanges: (created) => changes.push(...created.map((a) => a.kind)),
    });
    await again.start();
    await again.tick(now + 2000);
    expect(changes).toEqual(['device_offline']);
    await engine.close();
    await again.close();
  });
});
