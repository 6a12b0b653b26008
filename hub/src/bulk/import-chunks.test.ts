/**
 * A real import never holds up an alarm, and an interrupted one is completed by running it again
 * (import-apply.ts, import-jobs.ts), on a real SQL state (SQLite file, or PostgreSQL in that
 * project). Ordering is asserted by the events each side records, never by timing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newEventId } from '@anxin/protocol';
import { AlarmStore } from '../alarms/store.js';
import { ScopeResolver } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { homesFile as bulkHomesFile, homesImport } from '../testing/import-request.js';
import { openTestDatabase, testEngine } from '../testing/test-database.js';
import { IMPORT_CHUNK } from './import-apply.js';
import { ImportService, type ImportRequest } from './import-service.js';

const log = pino({ level: 'silent' });
const ROWS = IMPORT_CHUNK * 4;
let dir: string;
let db: Kysely<Database>;
let imports: ImportService;

const homesFile = bulkHomesFile('BULK', ROWS);
const request = (over: Partial<ImportRequest> = {}) => homesImport(homesFile, over);

const bulkHomes = async () =>
  Number(
    (
      await db
        .selectFrom('homes')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('id', 'like', 'BULK-%')
        .executeTakeFirstOrThrow()
    ).n,
  );

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-import-chunks-'));
  db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
  await seedGatewayHome(db);
  const scopes = new ScopeResolver(db);
  await scopes.load();
  imports = new ImportService(db, scopes);
});

afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('a real import in chunks', () => {
  /*
   * On SQLite the hub has one connection: transactions run one after another, and the import
   * yields to the event loop after each chunk, so an alarm that arrives mid-import is committed
   * before the import's next chunk, which this asserts without holding the import back. On
   * PostgreSQL the alarm runs on its own pooled connection beside the import, so which commits
   * first is timing, not design; what holds there (and is asserted) is that the alarm is not
   * blocked until the import ends: the import waits after its second chunk for the alarm to
   * commit, which would never happen (the test would time out) if the import held a lock the
   * alarm needs across chunks.
   */
  it('an alarm ingested while a large import runs is committed before the import finishes', async () => {
    const events: string[] = [];
    let alarm: Promise<unknown> | undefined;
    let jobAtAlarm: { status: string; rows_done: number } | undefined;
    const report = await imports.run(
      request({
        afterChunk: async (done) => {
          events.push(`chunk ${done}`);
          if (done === IMPORT_CHUNK * 2 && testEngine() === 'postgres') await alarm;
          if (done !== IMPORT_CHUNK) return;
          // A gateway's SOS arrives while the import still has three chunks to write.
          alarm = new AlarmStore(db)
            .applyBatches([
              {
                gatewayId: 'gw-1',
                receivedAt: 5000,
                events: [
                  {
                    type: 'alarm',
                    id: newEventId(),
                    seq: 1,
                    observedAt: 4000,
                    deviceId: 'pendant-1',
                    kind: 'sos',
                    action: 'raise',
                  },
                ],
              },
            ])
            .then(async () => {
              events.push('alarm committed');
              jobAtAlarm = await db
                .selectFrom('import_jobs')
                .select(['status', 'rows_done'])
                .executeTakeFirstOrThrow();
            });
        },
      }),
    );
    events.push('import finished');
    await alarm;
    expect(report).toMatchObject({ applied: true, rows: ROWS, created: ROWS });
    expect(events.indexOf('alarm committed')).toBeGreaterThan(
      events.indexOf(`chunk ${IMPORT_CHUNK}`),
    );
    expect(events.indexOf('alarm committed')).toBeLessThan(events.indexOf(`chunk ${ROWS}`));
    expect(events.at(-1)).toBe('import finished');
    // The import was still under way (its job unfinished) when the alarm was durable.
    expect(jobAtAlarm?.status).toBe('running');
    expect(Number(jobAtAlarm?.rows_done)).toBeLessThan(ROWS);
    if (testEngine() === 'sqlite')
      // One connection: the import yielded, and the alarm went in before its next chunk.
      expect(events.indexOf('alarm committed')).toBeLessThan(
        events.indexOf(`chunk ${IMPORT_CHUNK * 2}`),
      );
    const alarms = await db.selectFrom('alarms').select('kind').execute();
    expect(alarms.map((a) => a.kind)).toEqual(['sos']);
    expect(await bulkHomes()).toBe(ROWS);
  });

  it('an import interrupted mid-way and run again ends with exactly the file’s rows', async () => {
    const crash = new Error('hub killed');
    await expect(
      imports.run(
        request({
          afterChunk: (done) => {
            if (done === IMPORT_CHUNK * 2) throw crash;
          },
        }),
      ),
    ).rejects.toBe(crash);
    // What the job says is done is what is committed: two chunks.
    expect(await bulkHomes()).toBe(IMPORT_CHUNK * 2);
    const stalled = await db.selectFrom('import_jobs').selectAll().executeTakeFirstOrThrow();
    expect(stalled).toMatchObject({ status: 'running', kind: 'homes' });
    expect(Number(stalled.rows_done)).toBe(IMPORT_CHUNK * 2);
    expect(Number(stalled.rows_total)).toBe(ROWS);

    const written: number[] = [];
    const resumed = await imports.run(request({ afterChunk: (done) => void written.push(done) }));
    expect(resumed).toMatchObject({
      applied: true,
      rows: ROWS,
      job: { id: stalled.id, resumed: true, rowsSkipped: IMPORT_CHUNK * 2 },
    });
    // Only the two chunks that were missing are written.
    expect(written).toEqual([IMPORT_CHUNK * 3, ROWS]);
    expect(await bulkHomes()).toBe(ROWS);
    const jobs = await db.selectFrom('import_jobs').selectAll().execute();
    expect(jobs.map((j) => [j.status, Number(j.rows_done)])).toEqual([['done', ROWS]]);

    // A finished job is not resumed: the same file again is a new job that updates every row.
    const again = await imports.run(request());
    expect(again).toMatchObject({ applied: true, created: 0, updated: ROWS });
    expect(again.job).toMatchObject({ resumed: false, rowsSkipped: 0 });
    expect(again.job?.id).not.toBe(stalled.id);
    expect(await bulkHomes()).toBe(ROWS);
  });

  it('a file with one invalid row writes nothing and records no job', async () => {
    const bad = Buffer.from(`${homesFile.toString()}\nBULK-X,nowhere,`);
    const report = await imports.run(request({ bytes: bad }));
    expect(report.applied).toBe(false);
    expect(report.errorCount).toBeGreaterThan(0);
    expect(report.job).toBeUndefined();
    expect(await bulkHomes()).toBe(0);
    expect(await db.selectFrom('import_jobs').selectAll().execute()).toEqual([]);
  });
});
