/**
 * `anxin db copy` against a real PostgreSQL (a temp cluster): a SQLite hub with demo data, a
 * gateway's alarms and an operator's actions is copied; every table's rows arrive; a hub started
 * on PostgreSQL serves the same state, takes a replayed event as a duplicate and inserts new rows
 * (identity sequences moved past the copied ids). A non-empty target is refused without --force,
 * and a copy that fails part-way leaves the target empty (one transaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedDemo } from '@anxin/hub';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../hub/src/store/db.js';
import { tableRowCounts } from '../../../hub/src/store/copy.js';
import {
  alarmEvent,
  callApi,
  login,
  startHub,
  TestGateway,
} from '../../../hub/src/testing/harness.js';
import { LocalPostgres } from '../../../hub/src/local-engines/postgres.js';
import { pino } from 'pino';
import { run } from '../run.js';
import { captureIo } from '../capture-io.js';

const log = pino({ level: 'silent' });
const GW = 'gw-copy-1';
const SECRET = 'secret-of-gw-copy-1';

const capture = captureIo;

const counts = tableRowCounts;

let pg: LocalPostgres;
let dir: string;
let file: string;
let sourceCounts: Record<string, number>;
let eventSeq1: ReturnType<typeof alarmEvent>;

beforeAll(async () => {
  pg = await LocalPostgres.create();
  dir = mkdtempSync(join(tmpdir(), 'anxin-copy-'));
  file = join(dir, 'anxin.db');
  // A real SQLite hub with state in every kind of table: the demo's areas (a tree), homes,
  // residents, users; a gateway's alarm with its trigger and receipt; an operator's acknowledge.
  const h = await startHub({ database: { driver: 'sqlite', file } });
  await seedDemo(h.hub, { homes: 3 });
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET, homeId: 'home-0001' });
  await h.hub.createUser({ username: 'op-copy', password: 'operator-pass-1', role: 'operator' });
  const gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
  eventSeq1 = alarmEvent(1, { kind: 'fall' });
  await gw.sendAlarms([eventSeq1, alarmEvent(2, { kind: 'smoke' })]);
  await gw.waitForAck((a) => a.acked.includes(2));
  await gw.close();
  const cookie = await login(h.httpUrl, 'op-copy', 'operator-pass-1');
  const list = await callApi(h.httpUrl, cookie, 'GET', '/api/v1/alarms');
  const alarms = (list.body as { alarms: { id: string; kind: string }[] }).alarms;
  const fall = alarms.find((a) => a.kind === 'fall');
  expect(fall).toBeDefined();
  expect(
    (await callApi(h.httpUrl, cookie, 'POST', `/api/v1/alarms/${fall?.id}/acknowledge`)).status,
  ).toBe(200);
  await h.hub.close(); // the state stays in `file`
  const src = await openDatabase(file, log);
  sourceCounts = await counts(src.db);
  await src.db.destroy();
}, 120_000);

afterAll(async () => {
  await pg?.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('anxin db copy', () => {
  it('copies every table into PostgreSQL; a hub on PostgreSQL carries on from there', async () => {
    const url = await pg.createDatabase();
    const c = capture();
    expect(await run(['db', 'copy', '--from', file, '--to', url, '--batch', '7'], c.io)).toBe(0);
    const report = JSON.parse(c.out()) as {
      ok: boolean;
      rows: number;
      tables: { table: string; rows: number }[];
    };
    expect(report.ok).toBe(true);
    // Every table of the schema, each with the source's row count.
    expect(Object.fromEntries(report.tables.map((t) => [t.table, t.rows]))).toEqual(sourceCounts);
    for (const t of [
      'areas',
      'homes',
      'residents',
      'users',
      'gateways',
      'alarms',
      'alarm_triggers',
      'event_receipts',
      'audit_log',
    ])
      expect(sourceCounts[t], t).toBeGreaterThan(0);
    expect(report.rows).toBe(Object.values(sourceCounts).reduce((a, b) => a + b, 0));
    const target = await openDatabase(
      { driver: 'postgres', pool: { connectionString: url }, display: url },
      log,
    );
    expect(await counts(target.db)).toEqual(sourceCounts);
    await target.db.destroy();

    const h = await startHub({ database: { driver: 'postgres', postgres: { url } } });
    try {
      const cookie = await login(h.httpUrl, 'op-copy', 'operator-pass-1');
      const list = await callApi(h.httpUrl, cookie, 'GET', '/api/v1/alarms');
      const alarms = (list.body as { alarms: { id: string; kind: string; status: string }[] })
        .alarms;
      expect(alarms.map((a) => `${a.kind}/${a.status}`).sort()).toEqual([
        'fall/acknowledged',
        'smoke/open',
      ]);
      // The gateway's receipts came along: its replay of seq 1 is acked, not stored twice.
      const gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
      await gw.sendAlarms([eventSeq1, alarmEvent(3, { kind: 'sos' })]);
      const ack = await gw.waitForAck((a) => a.acked.includes(3));
      expect(ack.rejected).toEqual([]);
      await gw.close();
      // New audit rows get fresh ids (the identity sequence was moved past the copied ones).
      const smoke = alarms.find((a) => a.kind === 'smoke');
      expect(
        (await callApi(h.httpUrl, cookie, 'POST', `/api/v1/alarms/${smoke?.id}/acknowledge`))
          .status,
      ).toBe(200);
      const after = await callApi(h.httpUrl, cookie, 'GET', '/api/v1/alarms');
      expect((after.body as { alarms: unknown[] }).alarms).toHaveLength(3);
      const state = await h.openDatabase();
      const now = await counts(state.db);
      await state.db.destroy();
      // seq 1 was a duplicate (no second trigger); seq 3 is one new trigger and receipt.
      expect(now.alarm_triggers).toBe((sourceCounts.alarm_triggers ?? 0) + 1);
      expect(now.event_receipts).toBe((sourceCounts.event_receipts ?? 0) + 1);
      expect(now.audit_log).toBeGreaterThan(sourceCounts.audit_log ?? 0);
    } finally {
      await h.hub.close();
    }
  });

  it('refuses a target that holds data unless --force, and replaces it with --force', async () => {
    const url = await pg.createDatabase();
    expect(await run(['db', 'copy', '--from', file, '--to', url], capture().io)).toBe(0);
    const again = capture();
    expect(await run(['db', 'copy', '--from', file, '--to', url], again.io)).toBe(2);
    expect(again.err()).toContain('TARGET_NOT_EMPTY');
    expect(JSON.parse(again.out())).toMatchObject({ ok: false, code: 'TARGET_NOT_EMPTY' });
    const forced = capture();
    expect(await run(['db', 'copy', '--from', file, '--to', url, '--force'], forced.io)).toBe(0);
    const target = await openDatabase(
      { driver: 'postgres', pool: { connectionString: url }, display: url },
      log,
    );
    expect(await counts(target.db)).toEqual(sourceCounts);
    await target.db.destroy();
  });

  it('leaves the target empty when a row cannot be copied (one transaction)', async () => {
    const badDir = mkdtempSync(join(tmpdir(), 'anxin-copy-bad-'));
    try {
      const bad = join(badDir, 'anxin.db');
      const src = new BetterSqlite3(file);
      src.prepare('vacuum into ?').run(bad);
      src.close();
      // SQLite keeps a text in an integer column; PostgreSQL will not take it.
      const b = new BetterSqlite3(bad);
      b.prepare("update alarms set priority = 'urgent' where kind = 'smoke'").run();
      b.close();
      const url = await pg.createDatabase();
      const c = capture();
      expect(await run(['db', 'copy', '--from', bad, '--to', url], c.io)).toBe(1);
      expect(c.err()).toMatch(/invalid input syntax for type integer/);
      const target = await openDatabase(
        { driver: 'postgres', pool: { connectionString: url }, display: url },
        log,
      );
      const after = await counts(target.db);
      expect(Object.values(after).every((n) => n === 0)).toBe(true);
      await target.db.destroy();
    } finally {
      rmSync(badDir, { recursive: true, force: true });
    }
  });

  it('answers bad arguments with exit 2 and what to give', async () => {
    const cases: [string[], RegExp][] = [
      [['db'], /anxin db copy/],
      [['db', 'copy', '--to', 'postgres://u@h/db'], /--from/],
      [['db', 'copy', '--from', 'x.db'], /--to/],
      [['db', 'copy', '--from', 'x.db', '--to', 'mysql://h/db'], /--to/],
      [['db', 'copy', '--from', 'x.db', '--to', 'y.db'], /--to must be a postgres/],
      [['db', 'copy', '--from', 'x.db', '--to', 'postgres://u@h/db', '--batch', '0'], /--batch/],
    ];
    const missing = capture();
    expect(
      await run(
        ['db', 'copy', '--from', join(dir, 'no-such.db'), '--to', pg.url('anxin_none')],
        missing.io,
      ),
    ).toBe(2);
    expect(missing.err()).toContain('SOURCE_MISSING');
    for (const [argv, message] of cases) {
      const c = capture();
      expect(await run(argv, c.io), argv.join(' ')).toBe(2);
      expect(c.err()).toMatch(message);
    }
  });
});
