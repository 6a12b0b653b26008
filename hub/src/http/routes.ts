/**
 * REST routes under /api/v1, exactly as protocol/src/api.ts lists them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ALARM_STATUSES,
  AlarmDetailResponseSchema,
  AlarmListResponseSchema,
  AlarmResponseSchema,
  LoginRequestSchema,
  ResolveAlarmRequestSchema,
  SESSION_COOKIE,
  SessionResponseSchema,
  type AlarmDetailResponse,
  type AlarmListResponse,
  type AlarmResponse,
  type AlarmStatus,
  type SessionResponse,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { ScopedAlarms } from '../care/alarm-scope.js';
import type { AlarmStore, LifecycleResult } from '../store/alarms.js';
import type { Authenticator } from './auth.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export interface RouteDeps {
  alarms: AlarmStore;
  auth: Authenticator;
  secureCookie: boolean;
  /** Pushes a changed alarm to consoles (alarm:updated). */
  alarmUpdated: (alarm: AlarmResponse['alarm']) => void;
  /** Sessions resolved into users with scopes; alarms filtered by scope (issue 5). */
  access: Access;
  scopedAlarms: ScopedAlarms;
}

const STATUS_LIST_PATTERN = `^(${ALARM_STATUSES.join('|')})(,(${ALARM_STATUSES.join('|')}))*$`;
const ListQuerySchema = Type.Object(
  {
    status: Type.Optional(Type.String({ pattern: STATUS_LIST_PATTERN, maxLength: 64 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
const AlarmParamsSchema = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export function registerApiRoutes(server: FastifyInstance, deps: RouteDeps): void {
  const app = typed(server);
  // Any logged-in user reads the alarms of their scope (family: their relatives' homes);
  // acknowledging and resolving stay with the call centre. Out of scope answers 404 (audited).
  const authed = { preHandler: deps.access.authenticate };
  /** The changed alarm as every other answer and push shows it (residentId, responders). */
  const answer = async (result: LifecycleResult): Promise<AlarmResponse> => {
    if (!result.ok)
      throw new HttpError(result.reason === 'not_found' ? 'NOT_FOUND' : 'CONFLICT', result.message);
    return { alarm: await deps.scopedAlarms.enrich(result.alarm) };
  };
  const alarmInScope = async (request: FastifyRequest, id: string, action: string) => {
    const actor = deps.access.actor(request);
    const found = await deps.alarms.get(id);
    if (!found || !deps.access.scopes.homeInScope(actor.scope, found.alarm.homeId))
      return deps.access.notFound(request, 'alarm', id, action, found !== undefined);
    return found;
  };

  app.post(
    '/api/v1/session',
    { schema: { body: LoginRequestSchema, response: { 200: SessionResponseSchema } } },
    async (request, reply): Promise<SessionResponse> => {
      const body = request.body;
      const { token, session } = await deps.auth.login(
        request.ip,
        body.username,
        body.password,
        Date.now(),
      );
      void reply.setCookie(SESSION_COOKIE, token, {
        httpOnly: true,
        sameSite: 'lax',
        path: '/',
        secure: deps.secureCookie,
        expires: new Date(session.expiresAt),
      });
      return { user: session.user, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );

  app.get(
    '/api/v1/session',
    { schema: { response: { 200: SessionResponseSchema } } },
    async (request): Promise<SessionResponse> => {
      const session = await deps.auth.sessionFromToken(request.cookies[SESSION_COOKIE], Date.now());
      if (!session) throw new HttpError('UNAUTHENTICATED', 'not logged in');
      return { user: session.user, expiresAt: new Date(session.expiresAt).toISOString() };
    },
  );

  app.delete(
    '/api/v1/session',
    // 204: the session is gone and there is no body to describe.
    { schema: { response: { 204: { type: 'null' } } } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await deps.auth.logout(token);
      void reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/alarms',
    {
      ...authed,
      schema: { querystring: ListQuerySchema, response: { 200: AlarmListResponseSchema } },
    },
    async (request): Promise<AlarmListResponse> => {
      const query = request.query;
      const statuses = (
        query.status ? [...new Set(query.status.split(','))] : ['open', 'acknowledged']
      ) as AlarmStatus[];
      const actor = deps.access.actor(request);
      return { alarms: await deps.scopedAlarms.list(actor.scope, statuses, query.limit ?? 200) };
    },
  );

  app.get(
    '/api/v1/alarms/:id',
    {
      ...authed,
      schema: { params: AlarmParamsSchema, response: { 200: AlarmDetailResponseSchema } },
    },
    async (request): Promise<AlarmDetailResponse> => {
      const { id } = request.params;
      const found = await alarmInScope(request, id, 'alarm.read');
      return { ...found, alarm: await deps.scopedAlarms.enrich(found.alarm) };
    },
  );

  app.post(
    '/api/v1/alarms/:id/acknowledge',
    {
      ...authed,
      schema: { params: AlarmParamsSchema, response: { 200: AlarmResponseSchema } },
    },
    async (request): Promise<AlarmResponse> => {
      const { id } = request.params;
      await deps.access.requireRole(request, 'alarm.handle', 'alarm', id);
      await alarmInScope(request, id, 'alarm.acknowledge');
      const user = request.session?.user;
      if (!user) throw new HttpError('UNAUTHENTICATED', 'log in first');
      const result = await deps.alarms.acknowledge(
        id,
        { userId: user.id, username: user.username },
        Date.now(),
      );
      const response = await answer(result);
      if (result.ok && result.changed) deps.alarmUpdated(result.alarm);
      return response;
    },
  );

  app.post(
    '/api/v1/alarms/:id/resolve',
    {
      ...authed,
      schema: {
        params: AlarmParamsSchema,
        body: ResolveAlarmRequestSchema,
        response: { 200: AlarmResponseSchema },
      },
    },
    async (request): Promise<AlarmResponse> => {
      const { id } = request.params;
      await deps.access.requireRole(request, 'alarm.handle', 'alarm', id);
      await alarmInScope(request, id, 'alarm.resolve');
      const body = request.body;
      const user = request.session?.user;
      if (!user) throw new HttpError('UNAUTHENTICATED', 'log in first');
      const result = await deps.alarms.resolve(
        id,
        { userId: user.id, username: user.username },
        body.outcome,
        body.notes,
        Date.now(),
      );
      const response = await answer(result);
      if (result.ok && result.changed) deps.alarmUpdated(result.alarm);
      return response;
    },
  );
}
