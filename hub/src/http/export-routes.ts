/**
 * CSV exports and care-operation figures (protocol/src/export.ts, care-figures.ts). Admins see
 * everything, supervisors their areas (an `areaId` outside them answers 404, audited); every other
 * role 403. Exports stream page by page; each one is audited as `data.export`.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import {
  CareFiguresQuerySchema,
  CareFiguresResponseSchema,
  EXPORT_MAX_DAYS,
  ExportParamsSchema,
  ExportQuerySchema,
  type CareFiguresResponse,
  type ExportQuery,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { AuditLog } from '../care/audit.js';
import { careFiguresCsv, loadCareFigures } from '../bulk/care-figures-load.js';
import { exportCsv } from '../bulk/export.js';
import { exportLang } from '../bulk/export-labels.js';
import { localDay } from '../operations/schedule.js';
import type { Database } from '../store/schema.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';
import { CSV_ANSWER } from './csv-answer.js';

export interface ExportRouteDeps {
  db: Kysely<Database>;
  access: Access;
  audit: AuditLog;
  /** The hub's time zone (operations.timeZone): welfare checks are due on local days. */
  timeZone: string;
  now?: () => number;
}

const DAY = 86_400_000;

export function registerExportRoutes(server: FastifyInstance, deps: ExportRouteDeps): void {
  const app = typed(server);
  const { db, access, audit, timeZone } = deps;
  const now = deps.now ?? Date.now;
  const authed = { preHandler: access.authenticate };

  /** The period and the areas the caller may and asked to see. */
  const resolve = async (request: FastifyRequest, query: ExportQuery, action: string) => {
    const actor = await access.requireRole(request, 'data.export', 'export', action);
    const t = now();
    const to = query.to ? Date.parse(query.to) : t;
    const from = query.from ? Date.parse(query.from) : to - 31 * DAY;
    if (!(from < to) || to - from > EXPORT_MAX_DAYS * DAY)
      throw new HttpError(
        'VALIDATION_FAILED',
        `from must be before to, at most ${EXPORT_MAX_DAYS} days`,
        [{ path: '/from', message: 'period out of range' }],
      );
    const scopes = access.scopes;
    const scope = actor.scope;
    let areaIds: ReadonlySet<string> | null = scope.kind === 'areas' ? scope.areaIds : null;
    if (scope.kind === 'homes') throw new HttpError('FORBIDDEN', 'exports are by area');
    if (query.areaId !== undefined) {
      const exists = scopes.areaExists(query.areaId);
      if (!exists || (scope.kind === 'areas' && !scope.areaIds.has(query.areaId)))
        return access.notFound(request, 'area', query.areaId, action, exists);
      areaIds = scopes.subtree(query.areaId);
    }
    return { actor, from, to, now: t, areaIds, areaId: query.areaId ?? null };
  };

  app.get(
    '/api/v1/export/:dataset',
    {
      ...authed,
      schema: {
        tags: ['export'],
        params: ExportParamsSchema,
        querystring: ExportQuerySchema,
        response: CSV_ANSWER,
      },
    },
    async (request, reply) => {
      const { dataset } = request.params;
      const query = request.query;
      const r = await resolve(request, query, `export.${dataset}`);
      await audit.record({
        user: { id: r.actor.user.id, username: r.actor.user.username },
        action: 'data.export',
        targetType: 'export',
        targetId: dataset,
        detail: {
          from: new Date(r.from).toISOString(),
          to: new Date(r.to).toISOString(),
          areaId: r.areaId,
        },
      });
      const stamp = new Date(r.to).toISOString().slice(0, 10);
      void reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="anxin-${dataset}-${stamp}.csv"`)
        .header('cache-control', 'no-store');
      const lang = exportLang(request, query.lang);
      if (dataset === 'figures') return careFiguresCsv(await loadCareFigures(db, r), lang);
      const stream = Readable.from(
        exportCsv(
          db,
          dataset,
          {
            from: r.from,
            to: r.to,
            // Welfare checks are due on local days: the period's first and last local day.
            fromDay: localDay(r.from, timeZone),
            toDay: localDay(r.to, timeZone),
            areaIds: r.areaIds,
          },
          lang,
        ),
      );
      return reply.send(stream);
    },
  );

  app.get(
    '/api/v1/care-figures',
    {
      ...authed,
      schema: {
        tags: ['figures'],
        querystring: CareFiguresQuerySchema,
        response: { 200: CareFiguresResponseSchema },
      },
    },
    async (request): Promise<CareFiguresResponse> => {
      const r = await resolve(request, request.query, 'care_figures.read');
      return loadCareFigures(db, r);
    },
  );
}
