/**
 * Work orders (protocol/src/work-orders.ts), one Fastify plugin: lists in scope (installers: the
 * homes assigned to them; community workers: orders assigned to them), orders from a resolved
 * alarm, and the shared task changes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CreateAlarmWorkOrderRequestSchema,
  CreateWorkOrderRequestSchema,
  OpsIdParamsSchema,
  WORK_ORDER_ALARM_OUTCOMES,
  WorkOrderListQuerySchema,
  WorkOrderListResponseSchema,
  WorkOrderResponseSchema,
  type TaskStatus,
  type WorkOrderDto,
  type WorkOrderListResponse,
  type WorkOrderResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import { opsActor, splitStatuses, type OpsRouteDeps } from './ops-shared.js';
import { taskRoutes } from './task-routes.js';
import { typed } from './typed.js';

const ASSIGNABLE_ROLES = ['installer', 'community_worker', 'operator', 'supervisor'];
const KIND_TEXT: Record<WorkOrderDto['kind'], string> = {
  visit: 'Visit the resident',
  device_repair: 'Repair or replace the device',
  battery_change: 'Change the battery',
};

export function workOrderRoutes(
  server: FastifyInstance,
  { ops, access }: OpsRouteDeps,
): Promise<void> {
  const app = typed(server);
  const authed = { preHandler: access.authenticate };

  const visible = async (request: FastifyRequest, id: string, action: string) => {
    const actor = access.actor(request);
    const dto = await ops.workOrders.get(id);
    const inScope =
      dto !== undefined &&
      access.scopes.homeInScope(actor.scope, dto.homeId) &&
      (actor.user.role !== 'community_worker' || dto.assignee?.userId === actor.user.id);
    if (!dto || !inScope)
      return access.notFound(request, 'work_order', id, action, dto !== undefined);
    return dto;
  };

  app.get(
    '/api/v1/work-orders',
    {
      ...authed,
      schema: {
        querystring: WorkOrderListQuerySchema,
        response: { 200: WorkOrderListResponseSchema },
      },
    },
    async (request): Promise<WorkOrderListResponse> => {
      const actor = await access.requireRole(request, 'work_order.read', 'work_order', null);
      const q = request.query;
      const mine = q.mine === true || actor.user.role === 'community_worker';
      return {
        workOrders: await ops.workOrders.list(actor.scope, {
          statuses: splitStatuses<TaskStatus>(q.status, ['open', 'assigned', 'in_progress']),
          ...(q.homeId !== undefined ? { homeId: q.homeId } : {}),
          ...(q.kind !== undefined ? { kind: q.kind } : {}),
          ...(q.overdue !== undefined ? { overdue: q.overdue } : {}),
          ...(mine ? { assigneeUserId: actor.user.id } : {}),
          limit: q.limit ?? 200,
        }),
      };
    },
  );

  app.post(
    '/api/v1/work-orders',
    {
      ...authed,
      schema: { body: CreateWorkOrderRequestSchema, response: { 201: WorkOrderResponseSchema } },
    },
    async (request, reply): Promise<WorkOrderResponse> => {
      await access.requireRole(request, 'work_order.create', 'work_order', null);
      const body = request.body;
      await access.requireHome(request, body.homeId, 'work_order.create');
      if (
        body.residentId !== undefined &&
        (await ops.residentHome(body.residentId)) !== body.homeId
      )
        throw new HttpError('VALIDATION_FAILED', 'the resident does not live in this home', [
          { path: '/residentId', message: 'not a resident of homeId' },
        ]);
      const now = ops.now();
      const dto = await ops.workOrders.create(
        {
          homeId: body.homeId,
          residentId: body.residentId ?? null,
          kind: body.kind,
          description: body.description,
          source: 'manual',
          gatewayId: body.gatewayId ?? null,
          deviceId: body.deviceId ?? null,
          dueAt: body.dueAt ? Date.parse(body.dueAt) : null,
        },
        opsActor(access, request),
        now,
      );
      if (!dto) throw new Error('work order not stored');
      void reply.status(201);
      return { workOrder: dto };
    },
  );

  app.post(
    '/api/v1/alarms/:id/work-orders',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: CreateAlarmWorkOrderRequestSchema,
        response: { 201: WorkOrderResponseSchema },
      },
    },
    async (request, reply): Promise<WorkOrderResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'work_order.create', 'alarm', id);
      const found = await ops.alarm(id);
      if (!found || !access.scopes.homeInScope(actor.scope, found.alarm.homeId))
        return access.notFound(request, 'alarm', id, 'work_order.create', found !== undefined);
      const alarm = found.alarm;
      const outcomes: readonly string[] = WORK_ORDER_ALARM_OUTCOMES;
      if (
        alarm.status !== 'resolved' ||
        alarm.outcome === null ||
        !outcomes.includes(alarm.outcome)
      )
        throw new HttpError(
          'CONFLICT',
          `ALARM_OUTCOME: a work order is made from an alarm resolved as ${WORK_ORDER_ALARM_OUTCOMES.join(' or ')}`,
        );
      const body = request.body;
      const now = ops.now();
      const dto = await ops.workOrders.create(
        {
          homeId: alarm.homeId,
          residentId: alarm.residentId ?? null,
          kind: body.kind,
          description: body.description ?? `${KIND_TEXT[body.kind]} (alarm ${alarm.kind})`,
          source: 'alarm',
          alarmId: alarm.id,
          gatewayId: alarm.gatewayId,
          deviceId: alarm.deviceId,
          dueAt: body.dueAt
            ? Date.parse(body.dueAt)
            : now + ops.config.alarmWorkOrderDueHours * 3_600_000,
        },
        opsActor(access, request),
        now,
      );
      if (!dto) throw new Error('work order not stored');
      void reply.status(201);
      return { workOrder: dto };
    },
  );

  taskRoutes(
    app,
    { ops, access },
    {
      base: '/api/v1/work-orders',
      target: 'work_order',
      store: ops.workOrders,
      visible,
      shown: (_request, dto) => dto,
      assignableRoles: ASSIGNABLE_ROLES,
      responseSchema: WorkOrderResponseSchema,
      answer: (workOrder) => ({ workOrder }),
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
