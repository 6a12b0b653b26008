/**
 * Residents of a home: every read of a record is audited; family see only their relatives.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  CreateResidentRequestSchema,
  ResidentListResponseSchema,
  ResidentResponseSchema,
  UpdateResidentRequestSchema,
  type ResidentListResponse,
  type ResidentResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careResidentRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care } = kit;
  const idParams = { params: IdParamsSchema };

  // ── residents ──

  app.get(
    '/api/v1/homes/:id/residents',
    {
      ...kit.authed,
      schema: { tags: ['residents'], ...idParams, response: { 200: ResidentListResponseSchema } },
    },
    async (request): Promise<ResidentListResponse> => {
      const { id } = request.params;
      const { actor } = await kit.homeOr404(request, id, 'residents.read');
      const residents = kit.visibleResidents(actor, await care.listResidents(id));
      await kit.audit(actor, 'resident.read', 'home', id, {
        residentIds: residents.map((r) => r.id),
      });
      return { residents };
    },
  );

  app.post(
    '/api/v1/homes/:id/residents',
    {
      ...kit.authed,
      schema: {
        tags: ['residents'],
        ...idParams,
        body: CreateResidentRequestSchema,
        response: { 201: ResidentResponseSchema },
      },
    },
    async (request, reply): Promise<ResidentResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'resident.create');
      const body = request.body;
      if (body.id !== undefined && (await care.getResident(body.id)))
        throw new HttpError('CONFLICT', `resident ${body.id} exists`);
      const resident = await care.createResident(id, body, kit.now());
      await kit.audit(actor, 'resident.create', 'resident', resident.id, { homeId: id });
      void reply.status(201);
      return { resident };
    },
  );

  app.get(
    '/api/v1/residents/:id',
    {
      ...kit.authed,
      schema: { tags: ['residents'], ...idParams, response: { 200: ResidentResponseSchema } },
    },
    async (request): Promise<ResidentResponse> => {
      const { id } = request.params;
      const { actor, resident } = await kit.residentOr404(request, id, 'resident.read');
      await kit.audit(actor, 'resident.read', 'resident', id);
      return { resident };
    },
  );

  app.patch(
    '/api/v1/residents/:id',
    {
      ...kit.authed,
      schema: {
        tags: ['residents'],
        ...idParams,
        body: UpdateResidentRequestSchema,
        response: { 200: ResidentResponseSchema },
      },
    },
    async (request): Promise<ResidentResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'resident.update', 'resident', id);
      await kit.residentOr404(request, id, 'resident.update');
      const body = request.body;
      await care.updateResident(id, body, kit.now());
      await kit.audit(actor, 'resident.update', 'resident', id, { fields: Object.keys(body) });
      const resident = await care.getResident(id);
      if (!resident) throw new HttpError('NOT_FOUND', `resident ${id} not found`);
      return { resident };
    },
  );

  app.delete(
    '/api/v1/residents/:id',
    {
      ...kit.authed,
      // 204: the resident is gone and there is no body to describe.
      schema: { tags: ['residents'], ...idParams, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'resident.delete', 'resident', id);
      const { resident } = await kit.residentOr404(request, id, 'resident.delete');
      await care.deleteResident(id);
      await kit.audit(actor, 'resident.delete', 'resident', id, {
        homeId: resident.homeId,
        name: resident.name,
      });
      return reply.status(204).send();
    },
  );

  return Promise.resolve();
}
