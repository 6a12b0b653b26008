/**
 * Service requests (protocol/src/service-requests.ts), one Fastify plugin. Reads are scoped like
 * every care route (404 for unknown or out of scope, audited); a family member gets only their
 * relatives' requests in the family view; a community worker only requests assigned to them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AddNoteRequestSchema,
  AssignRequestSchema,
  CreateServiceRequestRequestSchema,
  OpsIdParamsSchema,
  ServiceRequestListQuerySchema,
  ServiceRequestListResponseSchema,
  ServiceRequestResponseSchema,
  TaskStatusRequestSchema,
  type ServiceRequestDto,
  type ServiceRequestListResponse,
  type ServiceRequestResponse,
  type TaskStatus,
} from '@anxin/protocol';
import { familyView } from '../operations/service-requests.js';
import { HttpError } from './errors.js';
import {
  assignableUser,
  opsActor,
  splitStatuses,
  taskValue,
  type OpsRouteDeps,
} from './ops-shared.js';
import { typed } from './typed.js';

const ASSIGNABLE_ROLES = ['community_worker', 'installer', 'operator', 'supervisor'];

export function serviceRequestRoutes(
  server: FastifyInstance,
  { ops, access }: OpsRouteDeps,
): Promise<void> {
  const app = typed(server);
  const authed = { preHandler: access.authenticate };

  const shown = (request: FastifyRequest, dto: ServiceRequestDto): ServiceRequestDto =>
    access.actor(request).user.role === 'family' ? familyView(dto) : dto;

  /** The request, if this user may see it: scope (home, family's residents), a worker's own. */
  const visible = async (request: FastifyRequest, id: string, action: string) => {
    const actor = access.actor(request);
    const dto = await ops.requests.get(id);
    const inScope =
      dto !== undefined &&
      access.scopes.homeInScope(actor.scope, dto.homeId) &&
      (actor.user.role !== 'family' ||
        (dto.residentId !== null && access.scopes.residentInScope(actor.scope, dto.residentId))) &&
      (actor.user.role !== 'community_worker' || dto.assignee?.userId === actor.user.id);
    if (!dto || !inScope)
      return access.notFound(request, 'service_request', id, action, dto !== undefined);
    return dto;
  };

  app.get(
    '/api/v1/service-requests',
    {
      ...authed,
      schema: {
        querystring: ServiceRequestListQuerySchema,
        response: { 200: ServiceRequestListResponseSchema },
      },
    },
    async (request): Promise<ServiceRequestListResponse> => {
      const actor = await access.requireRole(
        request,
        'service_request.read',
        'service_request',
        null,
      );
      const q = request.query;
      const mine = q.mine === true || actor.user.role === 'community_worker';
      const list = await ops.requests.list(actor.scope, {
        statuses: splitStatuses<TaskStatus>(q.status, ['open', 'assigned', 'in_progress']),
        ...(q.homeId !== undefined ? { homeId: q.homeId } : {}),
        ...(q.residentId !== undefined ? { residentId: q.residentId } : {}),
        ...(mine ? { assigneeUserId: actor.user.id } : {}),
        limit: q.limit ?? 200,
      });
      return { serviceRequests: list.map((dto) => shown(request, dto)) };
    },
  );

  app.post(
    '/api/v1/service-requests',
    {
      ...authed,
      schema: {
        body: CreateServiceRequestRequestSchema,
        response: { 201: ServiceRequestResponseSchema },
      },
    },
    async (request, reply): Promise<ServiceRequestResponse> => {
      await access.requireRole(request, 'service_request.create', 'service_request', null);
      const body = request.body;
      const homeId = await ops.residentHome(body.residentId);
      if (homeId === undefined)
        return access.notFound(
          request,
          'resident',
          body.residentId,
          'service_request.create',
          false,
        );
      await access.requireHome(request, homeId, 'service_request.create');
      const dto = await ops.requests.create(
        {
          homeId,
          residentId: body.residentId,
          category: body.category,
          description: body.description,
          urgency: body.urgency ?? 'normal',
          requestedFor: body.requestedFor ? Date.parse(body.requestedFor) : null,
          source: 'call',
        },
        opsActor(access, request),
        ops.now(),
      );
      void reply.status(201);
      return { serviceRequest: dto };
    },
  );

  app.get(
    '/api/v1/service-requests/:id',
    {
      ...authed,
      schema: { params: OpsIdParamsSchema, response: { 200: ServiceRequestResponseSchema } },
    },
    async (request): Promise<ServiceRequestResponse> => {
      await access.requireRole(request, 'service_request.read', 'service_request', null);
      const { id } = request.params;
      return { serviceRequest: shown(request, await visible(request, id, 'service_request.read')) };
    },
  );

  app.post(
    '/api/v1/service-requests/:id/assign',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: AssignRequestSchema,
        response: { 200: ServiceRequestResponseSchema },
      },
    },
    async (request): Promise<ServiceRequestResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'service_request.assign', 'service_request', id);
      await visible(request, id, 'service_request.assign');
      const body = request.body;
      let assignee: { userId: string | null; name: string; phone: string | null };
      if (body.userId !== undefined) {
        const u = await assignableUser(ops, body.userId, ASSIGNABLE_ROLES);
        assignee = { userId: u.id, name: body.name ?? u.name, phone: body.phone ?? null };
      } else if (body.name !== undefined) {
        assignee = { userId: null, name: body.name, phone: body.phone ?? null };
      } else
        throw new HttpError('VALIDATION_FAILED', 'give userId or name', [
          { path: '/name', message: 'userId or name is required' },
        ]);
      const r = await ops.requests.change(
        id,
        { kind: 'assign', assignee, ...(body.note !== undefined ? { note: body.note } : {}) },
        opsActor(access, request),
        ops.now(),
      );
      return { serviceRequest: taskValue(r) };
    },
  );

  app.post(
    '/api/v1/service-requests/:id/status',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: TaskStatusRequestSchema,
        response: { 200: ServiceRequestResponseSchema },
      },
    },
    async (request): Promise<ServiceRequestResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'service_request.work', 'service_request', id);
      await visible(request, id, 'service_request.status');
      const body = request.body;
      if (body.status !== 'in_progress' && body.outcome === undefined)
        throw new HttpError(
          'VALIDATION_FAILED',
          `an outcome is required to close as ${body.status}`,
          [{ path: '/outcome', message: `required for ${body.status}` }],
        );
      const r = await ops.requests.change(
        id,
        {
          kind: 'status',
          status: body.status,
          ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
          ...(body.note !== undefined ? { note: body.note } : {}),
        },
        opsActor(access, request),
        ops.now(),
      );
      return { serviceRequest: taskValue(r) };
    },
  );

  app.post(
    '/api/v1/service-requests/:id/notes',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: AddNoteRequestSchema,
        response: { 200: ServiceRequestResponseSchema },
      },
    },
    async (request): Promise<ServiceRequestResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'service_request.work', 'service_request', id);
      await visible(request, id, 'service_request.note');
      const body = request.body;
      const r = await ops.requests.change(
        id,
        { kind: 'note', note: body.text, familyVisible: body.familyVisible ?? false },
        opsActor(access, request),
        ops.now(),
      );
      return { serviceRequest: taskValue(r) };
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
