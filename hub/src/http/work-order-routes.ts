/**
 * Work orders (protocol/src/work-orders.ts), one Fastify plugin: lists in scope (installers: the
 * homes assigned to them; community workers: orders assigned to them), orders from a resolved
 * alarm, and the shared task changes.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AddNoteRequestSchema,
  AssignRequestSchema,
  CreateAlarmWorkOrderRequestSchema,
  CreateWorkOrderRequestSchema,
  OpsIdParamsSchema,
  TaskStatusRequestSchema,
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
import {
  assignableUser,
  opsActor,
  splitStatuses,
  taskValue,
  type OpsRouteDeps,
} from './ops-shared.js';
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

  app.get(
    '/api/v1/work-orders/:id',
    {
      ...authed,
      schema: { params: OpsIdParamsSchema, response: { 200: WorkOrderResponseSchema } },
    },
    async (request): Promise<WorkOrderResponse> => {
      await access.requireRole(request, 'work_order.read', 'work_order', null);
      const { id } = request.params;
      return { workOrder: await visible(request, id, 'work_order.read') };
    },
  );

  app.post(
    '/api/v1/work-orders/:id/assign',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: AssignRequestSchema,
        response: { 200: WorkOrderResponseSchema },
      },
    },
    async (request): Promise<WorkOrderResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'work_order.assign', 'work_order', id);
      await visible(request, id, 'work_order.assign');
      const body = request.body;
      let assignee: { userId: string | null; name: string; phone: string | null };
      if (body.userId !== undefined) {
        const u = await assignableUser(ops, body.userId, ASSIGNABLE_ROLES);
        assignee = { userId: u.id, name: body.name ?? u.name, phone: body.phone ?? null };
      } else if (body.name !== undefined)
        assignee = { userId: null, name: body.name, phone: body.phone ?? null };
      else
        throw new HttpError('VALIDATION_FAILED', 'give userId or name', [
          { path: '/name', message: 'userId or name is required' },
        ]);
      const r = await ops.workOrders.change(
        id,
        { kind: 'assign', assignee, ...(body.note !== undefined ? { note: body.note } : {}) },
        opsActor(access, request),
        ops.now(),
      );
      return { workOrder: taskValue(r) };
    },
  );

  app.post(
    '/api/v1/work-orders/:id/status',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: TaskStatusRequestSchema,
        response: { 200: WorkOrderResponseSchema },
      },
    },
    async (request): Promise<WorkOrderResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'work_order.work', 'work_order', id);
      await visible(request, id, 'work_order.status');
      const body = request.body;
      if (body.status !== 'in_progress' && body.outcome === undefined)
        throw new HttpError(
          'VALIDATION_FAILED',
          `an outcome is required to close as ${body.status}`,
          [{ path: '/outcome', message: `required for ${body.status}` }],
        );
      const r = await ops.workOrders.change(
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
      return { workOrder: taskValue(r) };
    },
  );

  app.post(
    '/api/v1/work-orders/:id/notes',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: AddNoteRequestSchema,
        response: { 200: WorkOrderResponseSchema },
      },
    },
    async (request): Promise<WorkOrderResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'work_order.work', 'work_order', id);
      await visible(request, id, 'work_order.note');
      const body = request.body;
      const r = await ops.workOrders.change(
        id,
        { kind: 'note', note: body.text, familyVisible: body.familyVisible ?? false },
        opsActor(access, request),
        ops.now(),
      );
      return { workOrder: taskValue(r) };
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
