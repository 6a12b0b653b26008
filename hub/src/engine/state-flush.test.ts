/**
 * Rule state is written in pieces (AlarmEngine.flush): every changed gateway's row lands, more
 * gateways than one piece holds, and no piece starts while the alarm lane is busy — one write of
 * 2,000 gateways held the hub's event loop ~70 ms, in front of any alarm that arrived then.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { Value } from '@sinclair/typebox/value';
import type { TelemetryEvent } from '@anxin/protocol';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openTestDatabase } from '../testing/test-database.js';
import type { Database } from '../store/schema.js';
import { CareLookup } from './care-lookup.js';
import { EngineConfigSchema, type EngineConfig } from './config.js';
import { DerivedAlarms } from './derived-alarms.js';
import { AlarmEngine } from './engine.js';
import { engineDb } from './tables.js';

const log = pino({ level: 'silent' });
let dir: string;
let db: Kysely<Database>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-state-flush-'));
  db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const reading = (seq: number, at: number): TelemetryEvent => ({
  type: 'telemetry',
  id: `01J0000000000000000000${String(seq).padStart(4, '0')}`,
  seq,
  observedAt: at,
  deviceId: 'meter-1',
  fields: { power_w: 12 },
});

it('writes every changed gateway in pieces, each only once the alarm lane is idle', async () => {
  const now = 1_800_000_000_000;
  let alarmsBusy: Promise<void> | undefined;
  let release = () => {};
  let idleWaits = 0;
  const care = new CareLookup(db);
  const config: EngineConfig = {
    ...(Value.Default(EngineConfigSchema, {}) as EngineConfig),
    tickIntervalMs: 3_600_000,
  };
  const engine = new AlarmEngine({
    db,
    care,
    derived: new DerivedAlarms(db, care),
    config,
    log,
    clock: () => now,
    onChanges: () => undefined,
    alarmsIdle: () => {
      idleWaits += 1;
      return alarmsBusy ?? Promise.resolve();
    },
  });
  await engine.start();
  alarmsBusy = new Promise<void>((resolve) => {
    release = resolve;
  });
  const gateways = Array.from({ length: 450 }, (_, i) => `gw-${String(i).padStart(3, '0')}`);
  gateways.forEach((id, i) => engine.onTelemetry(id, [reading(i + 1, now - 1000)]));

  // The first piece waits for the busy alarm lane: nothing is written yet.
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(idleWaits).toBe(1);
  const count = async () =>
    Number(
      (
        await engineDb(db)
          .selectFrom('engine_state')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  expect(await count()).toBe(0);

  alarmsBusy = undefined;
  release();
  await engine.idle();
  // 450 rows in pieces of 200: three waits for the alarm lane, and every row with its state.
  expect(idleWaits).toBe(3);
  const rows = await engineDb(db)
    .selectFrom('engine_state')
    .selectAll()
    .orderBy('gateway_id')
    .execute();
  expect(rows.map((r) => r.gateway_id)).toEqual(gateways);
  for (const r of rows) {
    expect(r.updated_at).toBe(now);
    expect(JSON.parse(r.state_json)).toMatchObject({ heardAt: now });
  }
  await engine.close();
});
