/**
 * Welfare plans and checks (protocol/src/welfare.ts), one Fastify plugin. Operators see today's
 * calls and visits, due and overdue; a community worker sees the visits of their areas only and
 * records their results. A check made for a wellbeing alarm resolves it when the resident was
 * reached (or a concern was raised and followed up), linked both ways.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  CreateWelfareCheckRequestSchema,
  CreateWelfarePlanRequestSchema,
  OpsIdParamsSchema,
  RecordWelfareResultRequestSchema,
  UpdateWelfarePlanRequestSchema,
  WelfareAssigneeListResponseSchema,
  WelfareCheckListQuerySchema,
  WelfareCheckListResponseSchema,
  WelfareCheckResponseSchema,
  WelfarePlanListQuerySchema,
  WelfarePlanListResponseSchema,
  WelfarePlanResponseSchema,
  type WelfareAssigneeListResponse,
  type WelfareCheckDto,
  type WelfareCheckListResponse,
  type WelfareCheckResponse,
  type WelfarePlanListResponse,
  type WelfarePlanResponse,
} from '@anxin/protocol';
import { CHECK_ASSIGNEES } from '../operations/assignees.js';
import { isValidDay } from '../operations/schedule.js';
import { HttpError } from './errors.js';
import { assignableUser, opsActor, type OpsRouteDeps } from './ops-shared.js';
import { typed } from './typed.js';

function badDay(path: string): never {
  throw new HttpError('VALIDATION_FAILED', `${path.slice(1)} is not a calendar day`, [
    { path, message: 'not a calendar day' },
  ]);
}

export function welfareRoutes(
  server: FastifyInstance,
  { ops, access }: OpsRouteDeps,
): Promise<void> {
  const app = typed(server);
  const authed = { preHandler: access.authenticate };

  /** The resident's home, in the caller's scope (404 otherwise, audited). */
  const residentInScope = async (request: FastifyRequest, residentId: string, action: string) => {
    const homeId = await ops.residentHome(residentId);
    if (homeId === undefined)
      return access.notFound(request, 'resident', residentId, action, false);
    await access.requireHome(request, homeId, action);
    return homeId;
  };

  const checkVisible = async (
    request: FastifyRequest,
    id: string,
    action: string,
  ): Promise<WelfareCheckDto> => {
    const actor = access.actor(request);
    const dto = await ops.welfare.getCheck(ops.db, id, ops.today());
    const inScope =
      dto !== undefined &&
      access.scopes.homeInScope(actor.scope, dto.homeId) &&
      (actor.user.role !== 'community_worker' ||
        (dto.kind === 'visit' &&
          (dto.assigneeUserId === null || dto.assigneeUserId === actor.user.id)));
    if (!dto || !inScope)
      return access.notFound(request, 'welfare_check', id, action, dto !== undefined);
    return dto;
  };

  app.get(
    '/api/v1/welfare-plans',
    {
      ...authed,
      schema: {
        querystring: WelfarePlanListQuerySchema,
        response: { 200: WelfarePlanListResponseSchema },
      },
    },
    async (request): Promise<WelfarePlanListResponse> => {
      const actor = await access.requireRole(request, 'welfare.read', 'welfare_plan', null);
      const q = request.query;
      return {
        plans: await ops.welfare.listPlans(actor.scope, {
          ...(q.residentId !== undefined ? { residentId: q.residentId } : {}),
          ...(q.homeId !== undefined ? { homeId: q.homeId } : {}),
          // An unknown area lists nothing (its subtree is empty), as one out of scope does.
          ...(q.areaId !== undefined ? { areaIds: access.scopes.subtree(q.areaId) } : {}),
          ...(q.active !== undefined ? { active: q.active } : {}),
        }),
      };
    },
  );

  app.post(
    '/api/v1/welfare-plans',
    {
      ...authed,
      schema: {
        body: CreateWelfarePlanRequestSchema,
        response: { 201: WelfarePlanResponseSchema },
      },
    },
    async (request, reply): Promise<WelfarePlanResponse> => {
      await access.requireRole(request, 'welfare.plan', 'welfare_plan', null);
      const body = request.body;
      if (body.startDay !== undefined && !isValidDay(body.startDay)) badDay('/startDay');
      const homeId = await residentInScope(request, body.residentId, 'welfare_plan.create');
      if (body.assigneeUserId !== undefined)
        await assignableUser(ops, body.assigneeUserId, CHECK_ASSIGNEES);
      const plan = await ops.welfare.createPlan(
        {
          residentId: body.residentId,
          homeId,
          kind: body.kind,
          cadence: body.cadence,
          count: body.count,
          startDay: body.startDay ?? ops.today(),
          assigneeUserId: body.assigneeUserId ?? null,
          notes: body.notes ?? null,
        },
        opsActor(access, request),
        ops.now(),
      );
      void reply.status(201);
      return { plan };
    },
  );

  app.patch(
    '/api/v1/welfare-plans/:id',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: UpdateWelfarePlanRequestSchema,
        response: { 200: WelfarePlanResponseSchema },
      },
    },
    async (request): Promise<WelfarePlanResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'welfare.plan', 'welfare_plan', id);
      const existing = await ops.welfare.getPlan(id);
      if (!existing || !access.scopes.homeInScope(actor.scope, existing.homeId))
        return access.notFound(request, 'welfare_plan', id, 'welfare_plan.update', !!existing);
      const body = request.body;
      if (body.startDay !== undefined && !isValidDay(body.startDay)) badDay('/startDay');
      if (typeof body.assigneeUserId === 'string')
        await assignableUser(ops, body.assigneeUserId, CHECK_ASSIGNEES);
      const plan = await ops.welfare.updatePlan(id, body, opsActor(access, request), ops.now());
      if (!plan) return access.notFound(request, 'welfare_plan', id, 'welfare_plan.update', false);
      return { plan };
    },
  );

  app.delete(
    '/api/v1/welfare-plans/:id',
    // 204: the plan is gone and there is no body to describe.
    { ...authed, schema: { params: OpsIdParamsSchema, response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'welfare.plan', 'welfare_plan', id);
      const existing = await ops.welfare.getPlan(id);
      if (!existing || !access.scopes.homeInScope(actor.scope, existing.homeId))
        return access.notFound(request, 'welfare_plan', id, 'welfare_plan.delete', !!existing);
      if (!(await ops.welfare.deletePlan(id, opsActor(access, request), ops.now())))
        return access.notFound(request, 'welfare_plan', id, 'welfare_plan.delete', false);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/welfare-assignees',
    { ...authed, schema: { response: { 200: WelfareAssigneeListResponseSchema } } },
    async (request): Promise<WelfareAssigneeListResponse> => {
      // Those who make plans choose whom to give them to.
      const actor = await access.requireRole(request, 'welfare.plan', 'welfare_plan', null);
      return { assignees: await ops.welfare.listAssignees(actor.scope) };
    },
  );

  app.get(
    '/api/v1/welfare-checks',
    {
      ...authed,
      schema: {
        querystring: WelfareCheckListQuerySchema,
        response: { 200: WelfareCheckListResponseSchema },
      },
    },
    async (request): Promise<WelfareCheckListResponse> => {
      const actor = await access.requireRole(request, 'welfare.read', 'welfare_check', null);
      const q = request.query;
      if (q.day !== undefined && !isValidDay(q.day)) badDay('/day');
      const day = q.day ?? ops.today();
      // Community workers make visits; the call list is the call centre's.
      const worker = actor.user.role === 'community_worker';
      const view = worker ? 'visits' : (q.view ?? 'today');
      const checks = await ops.welfare.listChecks(actor.scope, {
        view,
        // Their own visits and the unassigned ones, never another worker's.
        ...(worker ? { worker: actor.user.id } : {}),
        day,
        ...(q.kind !== undefined ? { kind: q.kind } : {}),
        ...(q.residentId !== undefined ? { residentId: q.residentId } : {}),
        limit: q.limit ?? 500,
      });
      return { day, checks };
    },
  );

  app.post(
    '/api/v1/welfare-checks',
    {
      ...authed,
      schema: {
        body: CreateWelfareCheckRequestSchema,
        response: { 201: WelfareCheckResponseSchema },
      },
    },
    async (request, reply): Promise<WelfareCheckResponse> => {
      await access.requireRole(request, 'welfare.check_create', 'welfare_check', null);
      const body = request.body;
      if (body.dueDay !== undefined && !isValidDay(body.dueDay)) badDay('/dueDay');
      const homeId = await residentInScope(request, body.residentId, 'welfare_check.create');
      if (body.alarmId !== undefined) {
        const found = await ops.alarm(body.alarmId);
        if (!found || found.alarm.homeId !== homeId)
          throw new HttpError('VALIDATION_FAILED', 'the alarm is not of this resident’s home', [
            { path: '/alarmId', message: 'no such alarm in this home' },
          ]);
        if (found.alarm.status === 'resolved')
          throw new HttpError('CONFLICT', `ALARM_RESOLVED: alarm ${body.alarmId} is resolved`);
      }
      if (body.assigneeUserId !== undefined)
        await assignableUser(ops, body.assigneeUserId, CHECK_ASSIGNEES);
      const today = ops.today();
      const check = await ops.welfare.createCheck(
        {
          residentId: body.residentId,
          homeId,
          kind: body.kind,
          dueDay: body.dueDay ?? today,
          alarmId: body.alarmId ?? null,
          assigneeUserId: body.assigneeUserId ?? null,
        },
        opsActor(access, request),
        ops.now(),
        today,
      );
      void reply.status(201);
      return { check };
    },
  );

  app.get(
    '/api/v1/welfare-checks/:id',
    {
      ...authed,
      schema: { params: OpsIdParamsSchema, response: { 200: WelfareCheckResponseSchema } },
    },
    async (request): Promise<WelfareCheckResponse> => {
      await access.requireRole(request, 'welfare.read', 'welfare_check', null);
      const { id } = request.params;
      return { check: await checkVisible(request, id, 'welfare_check.read') };
    },
  );

  app.post(
    '/api/v1/welfare-checks/:id/result',
    {
      ...authed,
      schema: {
        params: OpsIdParamsSchema,
        body: RecordWelfareResultRequestSchema,
        response: { 200: WelfareCheckResponseSchema },
      },
    },
    async (request): Promise<WelfareCheckResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'welfare.check_record', 'welfare_check', id);
      await checkVisible(request, id, 'welfare_check.result');
      const body = request.body;
      const r = await ops.welfare.recordResult(
        id,
        body.result,
        body.note ?? null,
        opsActor(access, request),
        ops.now(),
      );
      if (!r.ok)
        throw new HttpError(
          r.reason === 'not_found' ? 'NOT_FOUND' : 'CONFLICT',
          r.reason === 'conflict' ? `CHECK_DONE: ${r.message}` : r.message,
        );
      const check = r.check;
      // A wellbeing alarm is answered once someone reached the resident or raised a concern
      // (which opened a follow-up); "not reached" leaves it open: the worry stands.
      if (check.alarmId !== null && body.result !== 'not_reached')
        await ops.resolveAlarmByCheck(
          check.alarmId,
          actor.user,
          check.kind === 'visit' ? 'responder_dispatched' : 'handled_by_phone',
          `Welfare ${check.kind} ${check.id}: ${body.result}${body.note ? ` — ${body.note}` : ''}`,
        );
      return { check };
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
