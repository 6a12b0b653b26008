/**
 * Bulk import routes (protocol/src/import.ts), a Fastify plugin of their own: the file arrives as
 * the raw body (CSV or XLSX, up to IMPORT_MAX_BYTES) through content-type parsers that exist only
 * inside this plugin, so the rest of the API stays JSON-only. Admins import anywhere, supervisors
 * within their areas; every other role gets 403. Dry runs and real runs are audited. A real
 * import while another runs in the district gets 409 IMPORT_IN_PROGRESS with Retry-After.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  IMPORT_COLUMNS,
  IMPORT_MAX_BYTES,
  ImportParamsSchema,
  ImportQuerySchema,
  ImportReportSchema,
  TemplateQuerySchema,
  XLSX_CONTENT_TYPE,
  type ImportReport,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { AuditLog } from '../care/audit.js';
import { csvLine, UTF8_BOM } from '../bulk/csv.js';
import { IMPORT_LEASE_TTL_MS, ImportInProgress, ImportLeaseLost } from '../bulk/import-lease.js';
import type { ImportRequest, ImportService } from '../bulk/import-service.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';
import { CSV_ANSWER } from './csv-answer.js';

export interface ImportRouteDeps {
  access: Access;
  audit: AuditLog;
  imports: ImportService;
}

/** Content types a file may arrive with (browsers call a .csv "application/vnd.ms-excel" on Windows). */
const FILE_TYPES = [
  'text/csv',
  'application/csv',
  'application/vnd.ms-excel',
  'application/octet-stream',
  XLSX_CONTENT_TYPE,
];

/** XLSX is a ZIP package: it starts with "PK\x03\x04". */
const isZip = (bytes: Buffer): boolean =>
  bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 3 && bytes[3] === 4;

/** A real import refused or stopped by another one's lease (import-lease.ts): 409 + Retry-After. */
async function runExclusive(imports: ImportService, req: ImportRequest): Promise<ImportReport> {
  try {
    return await imports.run(req);
  } catch (e) {
    if (e instanceof ImportInProgress)
      throw new HttpError('IMPORT_IN_PROGRESS', e.message, undefined, {
        'retry-after': String(e.retryAfterS),
      });
    if (e instanceof ImportLeaseLost)
      throw new HttpError(
        'IMPORT_IN_PROGRESS',
        `${e.message}; the rows written so far are kept: run the same file again to complete it`,
        undefined,
        { 'retry-after': String(IMPORT_LEASE_TTL_MS / 1000) },
      );
    throw e;
  }
}

function formatOf(request: FastifyRequest, bytes: Buffer): 'csv' | 'xlsx' {
  // A ZIP package is never CSV text, whatever the browser called it.
  if (isZip(bytes)) return 'xlsx';
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return type === XLSX_CONTENT_TYPE ? 'xlsx' : 'csv';
}

export async function registerImportRoutes(
  server: FastifyInstance,
  deps: ImportRouteDeps,
): Promise<void> {
  const app = typed(server);
  const { access, audit, imports } = deps;
  // A plugin (encapsulation): its content-type parsers do not reach the rest of the API.
  await app.register((plain, _opts, done) => {
    const scoped = typed(plain);
    scoped.addContentTypeParser(
      FILE_TYPES,
      { parseAs: 'buffer', bodyLimit: IMPORT_MAX_BYTES },
      (_r, body, done) => done(null, body),
    );

    scoped.get(
      '/api/v1/import/:kind/template',
      {
        preHandler: access.authenticate,
        schema: {
          tags: ['import'],
          params: ImportParamsSchema,
          querystring: TemplateQuerySchema,
          response: CSV_ANSWER,
        },
      },
      async (request, reply) => {
        const { kind } = request.params;
        await access.requireRole(request, 'data.import', 'import', kind);
        const { lang } = request.query;
        const header = IMPORT_COLUMNS[kind].map((c) => (lang === 'zh-CN' ? c.zh : c.key));
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="anxin-${kind}-template.csv"`)
          .send(UTF8_BOM + csvLine(header));
      },
    );

    scoped.post(
      '/api/v1/import/:kind',
      {
        preHandler: access.authenticate,
        bodyLimit: IMPORT_MAX_BYTES,
        schema: {
          tags: ['import'],
          params: ImportParamsSchema,
          querystring: ImportQuerySchema,
          response: { 200: ImportReportSchema },
        },
      },
      async (request): Promise<ImportReport> => {
        const { kind } = request.params;
        const actor = await access.requireRole(request, 'data.import', 'import', kind);
        const query = request.query;
        // JSON (the API's other parser) is not a file.
        if (request.body !== undefined && !Buffer.isBuffer(request.body))
          throw new HttpError('UNSUPPORTED_MEDIA_TYPE', 'send the file as text/csv or .xlsx');
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const dryRun = query.dryRun ?? true;
        const report = await runExclusive(imports, {
          kind,
          bytes,
          format: formatOf(request, bytes),
          encoding: query.encoding ?? 'utf-8',
          dryRun,
          scope: actor.scope,
          actor: {
            id: actor.user.id,
            username: actor.user.username,
            displayName: actor.user.displayName,
          },
        });
        await audit.record({
          user: { id: actor.user.id, username: actor.user.username },
          action: dryRun ? 'data.import_dry_run' : 'data.import',
          targetType: 'import',
          targetId: kind,
          detail: {
            bytes: bytes.length,
            rows: report.rows,
            created: report.created,
            updated: report.updated,
            errorCount: report.errorCount + report.fileErrors.length,
            applied: report.applied,
          },
        });
        if (!dryRun && !report.applied) {
          // Nothing was written: say why, with the first errors (a dry run lists them all).
          const details = [
            ...report.fileErrors.map((e) => ({
              path: '/file',
              message: `${e.code}: ${e.message}`,
            })),
            ...report.errors.slice(0, 100).map((e) => ({
              path: `/rows/${e.row}${e.column ? `/${e.column}` : ''}`,
              message: `${e.code}: ${e.message}`,
            })),
          ];
          throw new HttpError(
            'VALIDATION_FAILED',
            report.rows === 0 && details.length === 0
              ? 'the file has no rows; nothing was written'
              : `the file has ${report.errorCount + report.fileErrors.length} error(s); nothing was written (run a dry run to list them all)`,
            details.length > 0 ? details : [{ path: '/file', message: 'EMPTY_FILE: no rows' }],
          );
        }
        return report;
      },
    );
    done();
  });
}
