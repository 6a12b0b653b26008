/**
 * Users (admins manage them and their scope) and the audit log they read.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  AuditListResponseSchema,
  AuditQuerySchema,
  CareUserResponseSchema,
  CreateUserRequestSchema,
  definedJson,
  UpdateUserRequestSchema,
  UserListQuerySchema,
  UserListResponseSchema,
  type AuditListResponse,
  type CareUserResponse,
  type UserListResponse,
} from '@anxin/protocol';
import { hashSecret, USER_PASSWORD_COST } from '../security/password.js';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careUserRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, deps } = kit;
  const idParams = { params: IdParamsSchema };

  // ── users ──

  const checkScopeIds = async (
    areaIds: string[] | undefined,
    residentIds: string[] | undefined,
  ) => {
    const details: { path: string; message: string }[] = [];
    if (areaIds) {
      const known = await care.existingIds('areas', areaIds);
      areaIds.forEach((a, i) => {
        if (!known.has(a)) details.push({ path: `/areaIds/${i}`, message: 'no such area' });
      });
    }
    if (residentIds) {
      const known = await care.existingIds('residents', residentIds);
      residentIds.forEach((r, i) => {
        if (!known.has(r)) details.push({ path: `/residentIds/${i}`, message: 'no such resident' });
      });
    }
    if (details.length > 0) throw new HttpError('VALIDATION_FAILED', 'unknown ids', details);
  };

  app.get(
    '/api/v1/users',
    {
      ...kit.authed,
      schema: {
        tags: ['users'],
        querystring: UserListQuerySchema,
        response: { 200: UserListResponseSchema },
      },
    },
    async (request): Promise<UserListResponse> => {
      await access.requireRole(request, 'user.list', 'user', null);
      const q = request.query;
      return { users: await care.listUsers(q.role) };
    },
  );

  app.post(
    '/api/v1/users',
    {
      ...kit.authed,
      schema: {
        tags: ['users'],
        body: CreateUserRequestSchema,
        response: { 201: CareUserResponseSchema },
      },
    },
    async (request, reply): Promise<CareUserResponse> => {
      const actor = await access.requireRole(request, 'user.manage', 'user', null);
      const body = request.body;
      if (await care.userRowByUsername(body.username))
        throw new HttpError('CONFLICT', `user ${body.username} exists`);
      await checkScopeIds(body.areaIds, body.residentIds);
      const user = await deps.createUser({
        username: body.username,
        password: body.password,
        role: body.role,
        ...(body.displayName ? { displayName: body.displayName } : {}),
      });
      await care.setUserScope(user.id, body.areaIds ?? [], body.residentIds ?? []);
      await kit.audit(
        actor,
        'user.create',
        'user',
        user.id,
        definedJson({
          username: body.username,
          role: body.role,
          areaIds: body.areaIds,
          residentIds: body.residentIds,
        }),
      );
      const row = await care.userRow(user.id);
      if (!row) throw new Error('user vanished after insert');
      void reply.status(201);
      return { user: await care.careUser(row) };
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      ...kit.authed,
      schema: {
        tags: ['users'],
        ...idParams,
        body: UpdateUserRequestSchema,
        response: { 200: CareUserResponseSchema },
      },
    },
    async (request): Promise<CareUserResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'user.manage', 'user', id);
      const body = request.body;
      if (!(await care.userRow(id))) throw new HttpError('NOT_FOUND', `user ${id} not found`);
      await checkScopeIds(body.areaIds, body.residentIds);
      await care.updateUserRow(id, {
        ...(body.displayName !== undefined ? { display_name: body.displayName } : {}),
        ...(body.role !== undefined ? { role: body.role } : {}),
        ...(body.password !== undefined
          ? { password_hash: await hashSecret(body.password, USER_PASSWORD_COST) }
          : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled ? 1 : 0 } : {}),
      });
      await care.setUserScope(id, body.areaIds, body.residentIds);
      // Rooms were chosen from the old scope: reconnecting recomputes them.
      deps.disconnectUser(id);
      await kit.audit(actor, 'user.update', 'user', id, {
        ...body,
        ...(body.password !== undefined ? { password: '***' } : {}),
      });
      const row = await care.userRow(id);
      if (!row) throw new HttpError('NOT_FOUND', `user ${id} not found`);
      return { user: await care.careUser(row) };
    },
  );

  // ── audit ──

  app.get(
    '/api/v1/audit',
    {
      ...kit.authed,
      schema: {
        tags: ['audit'],
        querystring: AuditQuerySchema,
        response: { 200: AuditListResponseSchema },
      },
    },
    async (request): Promise<AuditListResponse> => {
      await access.requireRole(request, 'audit.read', 'audit', null);
      return { entries: await kit.deps.audit.query(request.query) };
    },
  );

  return Promise.resolve();
}
