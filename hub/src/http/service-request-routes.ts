/**
 * Service requests (protocol/src/service-requests.ts), one Fastify plugin. Reads are scoped like
 * every care route (404 for unknown or out of scope, audited); a family member gets only their
 * relatives' requests in the family view; a community worker only requests assigned to them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CreateServiceRequestRequestSchema,
  ServiceRequestListQuerySchema,
  ServiceRequestListResponseSchema,
  ServiceRequestResponseSchema,
  type ServiceRequestDto,
  type ServiceRequestListResponse,
  type ServiceRequestResponse,
  type TaskStatus,
} from '@anxin/protocol';
import { familyView } from '../operations/service-requests.js';
import { opsActor, splitStatuses, type OpsRouteDeps } from './ops-shared.js';
import { taskRoutes } from './task-routes.js';
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

  taskRoutes(
    app,
    { ops, access },
    {
      base: '/api/v1/service-requests',
      target: 'service_request',
      store: ops.requests,
      visible,
      shown,
      assignableRoles: ASSIGNABLE_ROLES,
      responseSchema: ServiceRequestResponseSchema,
      answer: (serviceRequest) => ({ serviceRequest }),
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
