/**
 * Areas (district > street > community): listed within the caller's scope, written by admins.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  AreaListResponseSchema,
  AreaResponseSchema,
  CreateAreaRequestSchema,
  UpdateAreaRequestSchema,
  type AreaListResponse,
  type AreaResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careAreaRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, scopes } = kit;
  const idParams = { params: IdParamsSchema };

  const AREA_PARENT: Record<string, string | null> = {
    district: null,
    street: 'district',
    community: 'street',
  };
  // ── areas ──

  app.get(
    '/api/v1/areas',
    { ...kit.authed, schema: { tags: ['areas'], response: { 200: AreaListResponseSchema } } },
    async (request): Promise<AreaListResponse> => {
      const actor = access.actor(request);
      const areas = await care.listAreas();
      if (actor.scope.kind === 'all') return { areas };
      if (actor.scope.kind === 'areas') {
        const allowed = actor.scope.areaIds;
        return { areas: areas.filter((a) => allowed.has(a.id)) };
      }
      const homeAreas = new Set(
        [...actor.scope.homeIds].map((h) => scopes.areaOfHome(h)).filter((a) => a !== undefined),
      );
      return { areas: areas.filter((a) => homeAreas.has(a.id)) };
    },
  );

  app.post(
    '/api/v1/areas',
    {
      ...kit.authed,
      schema: {
        tags: ['areas'],
        body: CreateAreaRequestSchema,
        response: { 201: AreaResponseSchema },
      },
    },
    async (request, reply): Promise<AreaResponse> => {
      const actor = await access.requireRole(request, 'area.write', 'area', null);
      const body = request.body;
      const parentId = body.parentId ?? null;
      const wantParent = AREA_PARENT[body.kind] ?? null;
      if (wantParent === null && parentId !== null)
        throw new HttpError('VALIDATION_FAILED', 'a district has no parent', [
          { path: '/parentId', message: 'must be absent for a district' },
        ]);
      if (wantParent !== null) {
        const parent = parentId === null ? undefined : await care.getArea(parentId);
        if (!parent || parent.kind !== wantParent)
          throw new HttpError('VALIDATION_FAILED', `a ${body.kind} needs a ${wantParent} parent`, [
            { path: '/parentId', message: `must be the id of a ${wantParent}` },
          ]);
      }
      if (body.id !== undefined && (await care.getArea(body.id)))
        throw new HttpError('CONFLICT', `area ${body.id} exists`);
      const area = await care.createArea(
        { ...(body.id ? { id: body.id } : {}), parentId, kind: body.kind, name: body.name },
        kit.now(),
      );
      await scopes.load();
      await kit.audit(actor, 'area.create', 'area', area.id, body);
      void reply.status(201);
      return { area };
    },
  );

  app.patch(
    '/api/v1/areas/:id',
    {
      ...kit.authed,
      schema: {
        tags: ['areas'],
        ...idParams,
        body: UpdateAreaRequestSchema,
        response: { 200: AreaResponseSchema },
      },
    },
    async (request): Promise<AreaResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'area.write', 'area', id);
      const body = request.body;
      if (!(await care.getArea(id))) throw new HttpError('NOT_FOUND', `area ${id} not found`);
      if (body.name !== undefined) await care.renameArea(id, body.name);
      await kit.audit(actor, 'area.update', 'area', id, body);
      const area = await care.getArea(id);
      if (!area) throw new HttpError('NOT_FOUND', `area ${id} not found`);
      return { area };
    },
  );

  return Promise.resolve();
}
