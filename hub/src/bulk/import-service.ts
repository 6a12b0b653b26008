/**
 * One import, start to end: read the file, map the header, validate every row (import-rows.ts),
 * check them against the hub (import-plan.ts) and, for a real run without a single error, write
 * them in short chunked transactions under an import job (import-apply.ts, import-jobs.ts), so
 * alarms never wait for an import and an interrupted import is completed by running it again.
 * The report lists every error either way. A real import holds the district's import lease
 * (import-lease.ts) from before it reads the hub's data until it ends, so two never interleave.
 */
import type { Kysely } from 'kysely';
import {
  IMPORT_MAX_ERRORS,
  type ImportKind,
  type ImportReport,
  type ImportRowError,
} from '@anxin/protocol';
import type { Scope, ScopeResolver } from '../auth/scope.js';
import { systemClock, type Clock } from '../clock.js';
import type { Database } from '../store/schema.js';
import '../care/tables.js';
import { localDay } from '../operations/schedule.js';
import type { OpsActor } from '../operations/tasks.js';
import '../operations/tables.js';
import { applyImport, type ApplyJob } from './import-apply.js';
import { fileSha256, finishImportJob, startImportJob } from './import-jobs.js';
import { readImportFile } from './import-file.js';
import { IMPORT_LEASE_RENEW_MS, ImportInProgress, ImportLeases } from './import-lease.js';
import { contactKey, planImport, planKey, type ImportLookups } from './import-plan.js';
import type { AssigneeCandidate } from '../operations/assignees.js';
import { isBlankRow, mapHeader, validateRow, type ImportRecord } from './import-rows.js';

export interface ImportRequest {
  kind: ImportKind;
  bytes: Buffer;
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030';
  dryRun: boolean;
  scope: Scope;
  /** Who imports (audit entries of welfare plans name them). */
  actor: OpsActor;
  /** Tests only: called after each chunk's commit (interrupt, interleave). */
  afterChunk?: ApplyJob['afterChunk'];
}

const SLICE = 500;

export class ImportService {
  private readonly leases: ImportLeases;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly scopes: ScopeResolver,
    private readonly clock: () => number = Date.now,
    /** operations.timeZone: a plan without a start day starts today, here. */
    private readonly timeZone = 'Asia/Shanghai',
    /** Runs the lease's renewal timer (tests: a ManualClock). */
    private readonly timers: Pick<Clock, 'every'> = systemClock,
  ) {
    this.leases = new ImportLeases(db);
  }

  /**
   * A dry run, or a real run under the import lease. Throws ImportInProgress while another real
   * import holds it, and ImportLeaseLost when this one lost it mid-way (its chunks so far stay
   * committed under its job; running the file again completes it).
   */
  async run(req: ImportRequest): Promise<ImportReport> {
    if (req.dryRun) return this.check(req);
    const actorId = req.actor?.id ?? null;
    const lease = await this.leases.acquire({ kind: req.kind, actorId, now: this.clock() });
    if (!lease.ok) throw new ImportInProgress(lease.busy, this.clock());
    // Renewed on a timer while the file is read and checked, and in every chunk's transaction.
    const stop = this.timers.every(IMPORT_LEASE_RENEW_MS, () =>
      // A failed renewal is caught by the next chunk's check (ImportLeaseLost).
      this.leases.renew(lease.holder, this.clock()).catch(() => false),
    );
    try {
      return await this.check(req, lease.holder);
    } finally {
      stop();
      // A release that fails (database gone) lapses by itself within the lease's TTL.
      await this.leases.release(lease.holder).catch(() => undefined);
    }
  }

  private async check(req: ImportRequest, holder?: string): Promise<ImportReport> {
    const started = this.clock();
    const report: ImportReport = {
      kind: req.kind,
      dryRun: req.dryRun,
      applied: false,
      rows: 0,
      created: 0,
      updated: 0,
      fileErrors: [],
      errors: [],
      errorCount: 0,
      errorsTruncated: false,
      durationMs: 0,
    };
    const finish = () => ({ ...report, durationMs: Math.max(0, this.clock() - started) });

    const file = await readImportFile(req.bytes, req.format, req.encoding);
    if (!file.ok) {
      report.fileErrors.push(file.error);
      return finish();
    }
    const [header = [], ...body] = file.rows;
    const mapped = mapHeader(req.kind, header);
    if (!mapped.ok) {
      report.fileErrors.push(...mapped.errors);
      return finish();
    }

    const errors: ImportRowError[] = [];
    const records: ImportRecord[] = [];
    body.forEach((cells, i) => {
      if (isBlankRow(cells)) return;
      report.rows += 1;
      const checked = validateRow(req.kind, mapped.columns, cells, file.headerRow + 1 + i);
      errors.push(...checked.errors);
      if (checked.record) records.push(checked.record);
    });

    const plan = planImport(records, await this.lookups(req.scope, records));
    errors.push(...plan.errors);
    errors.sort((a, b) => a.row - b.row || (a.column ?? '').localeCompare(b.column ?? ''));
    report.errorCount = errors.length;
    report.errorsTruncated = errors.length > IMPORT_MAX_ERRORS;
    report.errors = errors.slice(0, IMPORT_MAX_ERRORS);
    report.updated = plan.accepted.filter((a) => a.update).length;
    report.created = plan.accepted.length - report.updated;

    if (holder !== undefined && errors.length === 0 && report.rows > 0) {
      const now = this.clock();
      const job = await startImportJob(this.db, {
        kind: req.kind,
        sha256: fileSha256(req.bytes),
        rowsTotal: plan.accepted.length,
        actorId: req.actor?.id ?? null,
        now,
      });
      report.job = { id: job.id, resumed: job.resumed, rowsSkipped: job.rowsDone };
      try {
        await applyImport(
          this.db,
          plan,
          now,
          { actor: req.actor, today: localDay(now, this.timeZone), timeZone: this.timeZone },
          {
            id: job.id,
            rowsDone: job.rowsDone,
            inChunk: (trx) => this.leases.renewIn(trx, holder, this.clock()),
            ...(req.afterChunk ? { afterChunk: req.afterChunk } : {}),
          },
        );
      } finally {
        // New homes and moved homes change who may see what (areas), also those of a part-run.
        if (req.kind === 'homes') await this.scopes.load();
      }
      await finishImportJob(this.db, job.id, this.clock());
      report.applied = true;
    }
    return finish();
  }

  private async lookups(scope: Scope, records: readonly ImportRecord[]): Promise<ImportLookups> {
    const residentIds: string[] = [];
    const homeIds = new Set<string>();
    const usernames = new Set<string>();
    for (const r of records) {
      if (r.kind === 'residents') residentIds.push(r.value.id);
      if (r.kind === 'contacts') homeIds.add(r.value.homeId);
      if (r.kind === 'welfare_plans') {
        residentIds.push(r.value.residentId);
        if (r.value.assignee !== null) usernames.add(r.value.assignee);
      }
    }
    const residentHome = new Map<string, string>();
    for (let i = 0; i < residentIds.length; i += SLICE) {
      const rows = await this.db
        .selectFrom('residents')
        .select(['id', 'home_id'])
        .where('id', 'in', residentIds.slice(i, i + SLICE))
        .execute();
      for (const row of rows) residentHome.set(row.id, row.home_id);
    }
    const contactKeys = new Set<string>();
    const homes = [...homeIds];
    for (let i = 0; i < homes.length; i += SLICE) {
      const rows = await this.db
        .selectFrom('contacts')
        .select(['home_id', 'call_order'])
        .where('home_id', 'in', homes.slice(i, i + SLICE))
        .execute();
      for (const row of rows) contactKeys.add(contactKey(row.home_id, Number(row.call_order)));
    }
    const planIds = new Map<string, string>();
    const users = new Map<string, AssigneeCandidate & { id: string }>();
    if (records.some((r) => r.kind === 'welfare_plans')) {
      for (let i = 0; i < residentIds.length; i += SLICE) {
        // Oldest first, so the first plan of a resident and kind is the one the file updates.
        const rows = await this.db
          .selectFrom('welfare_plans')
          .select(['id', 'resident_id', 'kind'])
          .where('resident_id', 'in', residentIds.slice(i, i + SLICE))
          .orderBy('created_at')
          .orderBy('id')
          .execute();
        for (const row of rows) {
          const key = planKey(row.resident_id, row.kind);
          if (!planIds.has(key)) planIds.set(key, row.id);
        }
      }
      const names = [...usernames];
      for (let i = 0; i < names.length; i += SLICE) {
        const rows = await this.db
          .selectFrom('users')
          .select(['id', 'username', 'role', 'disabled'])
          .where('username', 'in', names.slice(i, i + SLICE))
          .execute();
        for (const u of rows)
          users.set(u.username, { id: u.id, role: u.role, disabled: u.disabled === 1 });
      }
    }
    return {
      planIds,
      users,
      areaExists: (id) => this.scopes.areaExists(id),
      areaInScope: (id) =>
        scope.kind === 'all' || (scope.kind === 'areas' && scope.areaIds.has(id)),
      homeArea: (id) => this.scopes.areaOfHome(id),
      homeInScope: (id) => this.scopes.homeInScope(scope, id),
      residentHome,
      contactKeys,
    };
  }
}
