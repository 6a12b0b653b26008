/**
 * One real import at a time per district (import-lease.ts), on SQLite and a real PostgreSQL:
 * a second import while one runs is refused (service and REST: 409 IMPORT_IN_PROGRESS with
 * Retry-After) and a dry run is not; the lease is renewed while a long import runs; a lease whose
 * holder died expires after the TTL and is taken over; an import whose lease was taken over
 * writes no further chunk. Time is a ManualClock: nothing sleeps through a TTL.
 */
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ImportReport } from '@anxin/protocol';
import { ScopeResolver } from '../auth/scope.js';
import { seedDemo } from '../care/seed.js';
import type { Database } from '../store/schema.js';
import { describeEngines } from '../testing/engines.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { startHub } from '../testing/harness.js';
import { homesFile as bulkHomesFile, homesImport } from '../testing/import-request.js';
import { errorCodeOf, inject, injectLogin } from '../testing/inject.js';
import { ManualClock } from '../testing/manual-clock.js';
import { IMPORT_CHUNK } from './import-apply.js';
import {
  IMPORT_LEASE_RENEW_MS,
  IMPORT_LEASE_TTL_MS,
  ImportInProgress,
  ImportLeaseLost,
  ImportLeases,
} from './import-lease.js';
import { ImportService, type ImportRequest } from './import-service.js';

const ROWS = IMPORT_CHUNK * 4;
const T0 = Date.UTC(2026, 11, 5, 8, 0, 0);

const homesFile = (prefix: string) => bulkHomesFile(prefix, ROWS);
const request = (over: Partial<ImportRequest> = {}) => homesImport(homesFile('BULK'), over);

/** The rejection of `p` (fails the test when it resolves). */
async function refusal(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a refusal');
}

function inProgress(e: unknown): ImportInProgress {
  if (e instanceof ImportInProgress) return e;
  throw new Error(`expected ImportInProgress, got ${String(e)}`);
}

describeEngines('import lease', (engine) => {
  let db: Kysely<Database>;
  let clock: ManualClock;
  let imports: ImportService;

  const homesLike = async (prefix: string) =>
    Number(
      (
        await db
          .selectFrom('homes')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('id', 'like', `${prefix}-%`)
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeEach(async () => {
    db = (await engine.open()).db;
    await seedGatewayHome(db);
    const scopes = new ScopeResolver(db);
    await scopes.load();
    clock = new ManualClock(T0);
    imports = new ImportService(db, scopes, () => clock.now(), 'Asia/Shanghai', clock);
  });

  afterEach(async () => {
    await db.destroy();
  });

  it('refuses a second real import while one runs, allows a dry run, and frees the lease at the end', async () => {
    let second: unknown;
    let dry: ImportReport | undefined;
    const first = await imports.run(
      request({
        afterChunk: async (done) => {
          if (done !== IMPORT_CHUNK) return;
          second = await refusal(imports.run(request({ bytes: homesFile('OTHER') })));
          dry = await imports.run(request({ bytes: homesFile('OTHER'), dryRun: true }));
        },
      }),
    );
    expect(first).toMatchObject({ applied: true, created: ROWS });
    const busy = inProgress(second);
    expect(busy.busy.kind).toBe('homes');
    expect(busy.message).toMatch(/another import \(homes, started 0 s ago\)/);
    expect(busy.retryAfterS).toBeGreaterThanOrEqual(1);
    expect(busy.retryAfterS).toBeLessThanOrEqual(IMPORT_LEASE_TTL_MS / 1000);
    // The dry run reads and writes nothing of the running import's.
    expect(dry).toMatchObject({ dryRun: true, applied: false, created: ROWS, errorCount: 0 });
    expect(await homesLike('OTHER')).toBe(0);
    // Released: the next import runs at once, and no renewal timer is left behind.
    expect(clock.pending).toBe(0);
    const next = await imports.run(request({ bytes: homesFile('OTHER') }));
    expect(next).toMatchObject({ applied: true, created: ROWS });
    expect(await db.selectFrom('import_leases').selectAll().execute()).toEqual([]);
  });

  it('renews the lease while an import runs longer than its TTL', async () => {
    const competitor = new ImportLeases(db);
    const refusedAt: number[] = [];
    const report = await imports.run(
      request({
        afterChunk: async () => {
          // Each chunk "takes" more than the renewal period; the timer renews meanwhile.
          await clock.advance(IMPORT_LEASE_RENEW_MS + 5_000);
          const other = await competitor.acquire({
            kind: 'contacts',
            actorId: null,
            now: clock.now(),
          });
          if (!other.ok) refusedAt.push(clock.now() - T0);
        },
      }),
    );
    expect(report.applied).toBe(true);
    // Four chunks, 80 s in all, beyond the 60 s TTL: the competitor was refused every time.
    expect(clock.now() - T0).toBeGreaterThan(IMPORT_LEASE_TTL_MS);
    expect(refusedAt).toHaveLength(4);
    expect(
      (await competitor.acquire({ kind: 'contacts', actorId: null, now: clock.now() })).ok,
    ).toBe(true);
  });

  it('takes over a lease whose holder died once it expires (injected clock)', async () => {
    // A hub took the lease and was killed: nothing renews or releases it.
    const dead = await new ImportLeases(db).acquire({ kind: 'residents', actorId: null, now: T0 });
    expect(dead.ok).toBe(true);
    await clock.advance(IMPORT_LEASE_TTL_MS - 1);
    const early = inProgress(await refusal(imports.run(request())));
    expect(early.busy.kind).toBe('residents');
    expect(early.retryAfterS).toBe(1);
    expect(await homesLike('BULK')).toBe(0);

    await clock.advance(1);
    const report = await imports.run(request());
    expect(report).toMatchObject({ applied: true, created: ROWS });
    expect(await homesLike('BULK')).toBe(ROWS);
    // The dead holder, were it to wake up, holds nothing any more.
    if (dead.ok) expect(await new ImportLeases(db).renew(dead.holder, clock.now())).toBe(false);
  });

  it('an import that lost its lease to a takeover writes no further chunk', async () => {
    // Renewal timers that never fire: the import's hub stalls past its lease.
    const stalledTimers = new ManualClock(T0);
    const scopes = new ScopeResolver(db);
    await scopes.load();
    const stalling = new ImportService(
      db,
      scopes,
      () => clock.now(),
      'Asia/Shanghai',
      stalledTimers,
    );
    let takeover: Awaited<ReturnType<ImportLeases['acquire']>> | undefined;
    const lost = await refusal(
      stalling.run(
        request({
          afterChunk: async (done) => {
            if (done !== IMPORT_CHUNK) return;
            await clock.advance(IMPORT_LEASE_TTL_MS + 1);
            takeover = await new ImportLeases(db).acquire({
              kind: 'contacts',
              actorId: null,
              now: clock.now(),
            });
          },
        }),
      ),
    );
    expect(takeover?.ok).toBe(true);
    expect(lost).toBeInstanceOf(ImportLeaseLost);
    // The chunk that found the lease gone rolled back: one chunk written, and the job says so.
    expect(await homesLike('BULK')).toBe(IMPORT_CHUNK);
    const job = await db.selectFrom('import_jobs').selectAll().executeTakeFirstOrThrow();
    expect([job.status, Number(job.rows_done)]).toEqual(['running', IMPORT_CHUNK]);
    // Its release did not free the other import's lease.
    const held = await db.selectFrom('import_leases').select('kind').execute();
    expect(held).toEqual([{ kind: 'contacts' }]);
  });

  it('REST: 409 IMPORT_IN_PROGRESS with Retry-After while another hub imports; a dry run still answers', async () => {
    const h = await startHub({ database: await engine.hubConfig() });
    try {
      const { logins } = await seedDemo(h.hub, { homes: 1 });
      const admin = logins.find((l) => l.role === 'admin');
      if (!admin) throw new Error('demo has no admin');
      const cookie = await injectLogin(h.hub.http, admin.username, admin.password);
      const csv = 'home_code,area_id,address\nLEASE-1,community-west-1,长乐街 9 号';
      const post = (dryRun: boolean) =>
        inject(h.hub.http, cookie, 'POST', `/api/v1/import/homes?dryRun=${dryRun}`, csv);

      // Another hub on the same database holds the district's lease.
      const other = await h.openDatabase();
      const leases = new ImportLeases(other.db);
      const held = await leases.acquire({ kind: 'contacts', actorId: null, now: Date.now() });
      try {
        const refused = await post(false);
        expect(refused.status).toBe(409);
        expect(errorCodeOf(refused)).toBe('IMPORT_IN_PROGRESS');
        expect(refused.text).toMatch(/another import \(contacts, started \d+ s ago\)/);
        const retry = Number(refused.headers['retry-after']);
        expect(retry).toBeGreaterThanOrEqual(1);
        expect(retry).toBeLessThanOrEqual(IMPORT_LEASE_TTL_MS / 1000);
        expect((await post(true)).status).toBe(200);
        if (held.ok) await leases.release(held.holder);
        const done = await post(false);
        expect(done.status).toBe(200);
        expect((done.json as ImportReport).applied).toBe(true);
      } finally {
        await other.db.destroy();
      }
    } finally {
      await h.close();
    }
  });
});
