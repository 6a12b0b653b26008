/**
 * The routes every care task shares (service requests and work orders, operations/tasks.ts):
 * read one, assign, change status, add a note. Each resource plugin names its path, its audit
 * target, its store and who may see an item; the steps (role → visible or 404 → change → the
 * one error shape) are written once here, so the two kinds of task cannot answer differently.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import {
  AddNoteRequestSchema,
  AssignRequestSchema,
  OpsIdParamsSchema,
  TaskStatusRequestSchema,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { OpsApi } from '../operations/ops-api.js';
import type { changeTask, NoteTarget, OpsActor, TaskResult } from '../operations/tasks.js';
import { HttpError } from './errors.js';
import { assignableUser, opsActor, taskValue } from './ops-shared.js';
import type { ApiServer } from './typed.js';

/** One change of a task, as operations/tasks.ts applies it. */
type TaskChange = Parameters<typeof changeTask>[4];

export interface TaskRouteSpec<D, S extends TSchema> {
  /** The collection's path, e.g. `/api/v1/work-orders`. */
  base: string;
  /** The audit target type, also the prefix of the policy actions (`<target>.read` …). */
  target: NoteTarget;
  store: {
    change(id: string, change: TaskChange, actor: OpsActor, now: number): Promise<TaskResult<D>>;
  };
  /** The item if this user may see it; otherwise a 404 (audited) is thrown. */
  visible(request: FastifyRequest, id: string, action: string): Promise<D>;
  /** The item as this user is shown it (a family member sees less). */
  shown(request: FastifyRequest, dto: D): D;
  /** Roles work of this kind may be assigned to. */
  assignableRoles: readonly string[];
  /** The answer's schema and how an item is wrapped in it (`{ workOrder }`). */
  responseSchema: S;
  answer(dto: D): Static<S>;
}

export function taskRoutes<D, S extends TSchema>(
  app: ApiServer,
  { ops, access }: { ops: OpsApi; access: Access },
  spec: TaskRouteSpec<D, S>,
): void {
  const { base, target, store } = spec;
  const authed = { preHandler: access.authenticate };
  // Widened to TSchema for Fastify's reply typing (it cannot resolve a generic schema); the
  // spec's `answer` is what ties each reply to the schema's static type.
  const response: { 200: TSchema } = { 200: spec.responseSchema };
  const change = async (request: FastifyRequest, id: string, c: TaskChange) =>
    spec.answer(taskValue(await store.change(id, c, opsActor(access, request), ops.now())));

  app.get(
    `${base}/:id`,
    { ...authed, schema: { params: OpsIdParamsSchema, response } },
    async (request) => {
      await access.requireRole(request, `${target}.read`, target, null);
      const { id } = request.params;
      return spec.answer(spec.shown(request, await spec.visible(request, id, `${target}.read`)));
    },
  );

  app.post(
    `${base}/:id/assign`,
    { ...authed, schema: { params: OpsIdParamsSchema, body: AssignRequestSchema, response } },
    async (request) => {
      const { id } = request.params;
      await access.requireRole(request, `${target}.assign`, target, id);
      await spec.visible(request, id, `${target}.assign`);
      const body = request.body;
      let assignee: { userId: string | null; name: string; phone: string | null };
      if (body.userId !== undefined) {
        const u = await assignableUser(ops, body.userId, spec.assignableRoles);
        assignee = { userId: u.id, name: body.name ?? u.name, phone: body.phone ?? null };
      } else if (body.name !== undefined)
        assignee = { userId: null, name: body.name, phone: body.phone ?? null };
      else
        throw new HttpError('VALIDATION_FAILED', 'give userId or name', [
          { path: '/name', message: 'userId or name is required' },
        ]);
      const note = body.note !== undefined ? { note: body.note } : {};
      return change(request, id, { kind: 'assign', assignee, ...note });
    },
  );

  app.post(
    `${base}/:id/status`,
    { ...authed, schema: { params: OpsIdParamsSchema, body: TaskStatusRequestSchema, response } },
    async (request) => {
      const { id } = request.params;
      await access.requireRole(request, `${target}.work`, target, id);
      await spec.visible(request, id, `${target}.status`);
      const body = request.body;
      if (body.status !== 'in_progress' && body.outcome === undefined)
        throw new HttpError(
          'VALIDATION_FAILED',
          `an outcome is required to close as ${body.status}`,
          [{ path: '/outcome', message: `required for ${body.status}` }],
        );
      return change(request, id, {
        kind: 'status',
        status: body.status,
        ...(body.outcome !== undefined ? { outcome: body.outcome } : {}),
        ...(body.note !== undefined ? { note: body.note } : {}),
      });
    },
  );

  app.post(
    `${base}/:id/notes`,
    { ...authed, schema: { params: OpsIdParamsSchema, body: AddNoteRequestSchema, response } },
    async (request) => {
      const { id } = request.params;
      await access.requireRole(request, `${target}.work`, target, id);
      await spec.visible(request, id, `${target}.note`);
      const body = request.body;
      const familyVisible = body.familyVisible ?? false;
      return change(request, id, { kind: 'note', note: body.text, familyVisible });
    },
  );
}
