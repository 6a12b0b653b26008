/**
 * One import, start to end: read the file, map the header, validate every row (import-rows.ts),
 * check them against the hub (import-plan.ts) and, for a real run without a single error, write
 * them in one transaction (import-apply.ts). The report lists every error either way.
 */
import type { Kysely } from 'kysely';
import {
  IMPORT_MAX_ERRORS,
  type ImportKind,
  type ImportReport,
  type ImportRowError,
} from '@anxin/protocol';
import type { Scope, ScopeResolver } from '../auth/scope.js';
import type { Database } from '../store/schema.js';
import '../care/tables.js';
import { applyImport } from './import-apply.js';
import { readImportFile } from './import-file.js';
import { contactKey, planImport, type ImportLookups } from './import-plan.js';
import { isBlankRow, mapHeader, validateRow, type ImportRecord } from './import-rows.js';

export interface ImportRequest {
  kind: ImportKind;
  bytes: Buffer;
  format: 'csv' | 'xlsx';
  encoding: 'utf-8' | 'gb18030';
  dryRun: boolean;
  scope: Scope;
}

const SLICE = 500;

export class ImportService {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly scopes: ScopeResolver,
    private readonly clock: () => number = Date.now,
  ) {}

  async run(req: ImportRequest): Promise<ImportReport> {
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

    if (!req.dryRun && errors.length === 0 && report.rows > 0) {
      await applyImport(this.db, plan, this.clock());
      // New homes and moved homes change who may see what (areas).
      if (req.kind === 'homes') await this.scopes.load();
      report.applied = true;
    }
    return finish();
  }

  private async lookups(scope: Scope, records: readonly ImportRecord[]): Promise<ImportLookups> {
    const residentIds: string[] = [];
    const homeIds = new Set<string>();
    for (const r of records) {
      if (r.kind === 'residents') residentIds.push(r.value.id);
      if (r.kind === 'contacts') homeIds.add(r.value.homeId);
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
    return {
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
