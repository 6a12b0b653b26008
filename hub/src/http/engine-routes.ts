/**
 * Routes of the alarm engine, escalation and figures (protocol/src/escalation.ts and figures.ts):
 *
 *   GET  /api/v1/figures?from&to                  supervisor, admin
 *   GET  /api/v1/homes/:id/rules                  → { homeId, settings, overrides }   console roles, installer (assigned)
 *   PUT  /api/v1/homes/:id/rules                  RuleSettingsOverride → same          supervisor, admin, installer (assigned)
 *   GET  /api/v1/alarms/:id/escalation            console roles, family (a contact of the home)
 *   POST /api/v1/alarms/:id/escalation/accept     family (a contact of the home), supervisor, admin
 *   GET  /api/v1/escalation/accept?token          what a signed link is for (no session; changes nothing)
 *   POST /api/v1/escalation/accept                { token } (no session: the signed token is the credential)
 *   POST /api/v1/alarms/:id/reopen                { reason } supervisor, admin (audited)
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import {
  AcceptByTokenRequestSchema,
  AcceptEscalationRequestSchema,
  AlarmResponseSchema,
  EscalationLinkResponseSchema,
  EscalationResponseSchema,
  EscalationTokenQuerySchema,
  FiguresQuerySchema,
  FiguresResponseSchema,
  ReopenAlarmRequestSchema,
  type AlarmDto,
  type AlarmResponse,
  type EscalationLinkResponse,
  type EscalationResponse,
  type FiguresResponse,
  type UserDto,
} from '@anxin/protocol';
import type { Kysely } from 'kysely';
import type { CareLookup } from '../engine/care-lookup.js';
import type { AlarmEngine } from '../engine/engine.js';
import { reopenAlarm } from '../engine/reopen.js';
import { HomeRulesResponseSchema, RuleSettingsOverrideSchema } from '../engine/settings.js';
import type { AcceptResult, Escalator } from '../escalation/escalator.js';
import type { ScopeResolver } from '../auth/scope.js';
import type { FiguresService } from '../figures/figures.js';
import type { Database } from '../store/schema.js';
import { CONSOLE_ROLES, requireSession, type Authenticator } from './auth.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export interface EngineRouteDeps {
  db: Kysely<Database>;
  auth: Authenticator;
  engine: AlarmEngine;
  escalator: Escalator;
  figures: FiguresService;
  care: CareLookup;
  /** The care model's scopes: operators and supervisors see the homes of their areas only. */
  scopes: ScopeResolver;
  alarmUpdated: (alarm: AlarmDto) => void;
  /** Adds residentId and responders, as every other alarm answer has them (ScopedAlarms). */
  enrichAlarm: (alarm: AlarmDto) => Promise<AlarmDto>;
}

const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const MAX_RANGE_MS = 366 * 86_400_000;

function user(request: FastifyRequest): UserDto {
  const u = request.session?.user;
  if (!u) throw new HttpError('UNAUTHENTICATED', 'log in first');
  return u;
}

function acceptResponse(result: AcceptResult): EscalationResponse {
  if (result.ok) return { escalation: result.escalation };
  throw new HttpError(
    result.reason === 'not_found'
      ? 'NOT_FOUND'
      : result.reason === 'forbidden'
        ? 'FORBIDDEN'
        : 'CONFLICT',
    result.message,
  );
}

export function registerEngineRoutes(server: FastifyInstance, deps: EngineRouteDeps): void {
  const app = typed(server);
  const session = (roles: readonly UserDto['role'][]) => ({
    preHandler: requireSession(deps.auth, roles),
  });

  /**
   * 404 unless this user may see the home: the same scope as every care route (areas for the call
   * centre, assignments for installers, followed residents for family), plus, for family, being
   * one of the home's contacts (an escalation may call a neighbour who follows no resident).
   */
  const homeVisible = async (u: UserDto, homeId: string | null): Promise<boolean> => {
    if (!homeId) return u.role === 'admin';
    if (deps.scopes.homeInScope(await deps.scopes.scopeOf(u), homeId)) return true;
    if (u.role !== 'family') return false;
    return (await deps.care.contacts(homeId)).some((c) => c.userId === u.id);
  };

  app.get(
    '/api/v1/figures',
    {
      ...session(['supervisor', 'admin']),
      schema: { querystring: FiguresQuerySchema, response: { 200: FiguresResponseSchema } },
    },
    async (request): Promise<FiguresResponse> => {
      const q = request.query;
      const now = Date.now();
      const to = q.to ? Date.parse(q.to) : now;
      const from = q.from ? Date.parse(q.from) : to - 7 * 86_400_000;
      if (!(from < to))
        throw new HttpError('VALIDATION_FAILED', 'from must be before to', [
          { path: '/from', message: 'must be before to' },
        ]);
      if (to - from > MAX_RANGE_MS)
        throw new HttpError('VALIDATION_FAILED', 'range longer than 366 days', [
          { path: '/from', message: 'range longer than 366 days' },
        ]);
      const scope = await deps.scopes.scopeOf(user(request));
      return deps.figures.figures(from, to, now, (homeId) =>
        deps.scopes.homeInScope(scope, homeId),
      );
    },
  );

  app.get(
    '/api/v1/homes/:id/rules',
    {
      ...session([...CONSOLE_ROLES, 'installer']),
      schema: { params: IdParams, response: { 200: HomeRulesResponseSchema } },
    },
    async (request) => {
      const { id } = request.params;
      if (!(await homeVisible(user(request), id)))
        throw new HttpError('NOT_FOUND', `home ${id} not found`);
      return {
        homeId: id,
        settings: await deps.engine.settingsForHome(id),
        overrides: (await deps.engine.homeOverride(id)) ?? {},
      };
    },
  );

  app.put(
    '/api/v1/homes/:id/rules',
    {
      ...session(['supervisor', 'admin', 'installer']),
      schema: {
        params: IdParams,
        body: RuleSettingsOverrideSchema,
        response: { 200: HomeRulesResponseSchema },
      },
    },
    async (request) => {
      const { id } = request.params;
      const u = user(request);
      if (!(await homeVisible(u, id))) throw new HttpError('NOT_FOUND', `home ${id} not found`);
      const body = request.body;
      const settings = await deps.engine.setHomeOverride(id, body, u.username);
      await deps.db
        .insertInto('audit_log')
        .values({
          at: Date.now(),
          user_id: u.id,
          username: u.username,
          action: 'home.rules_update',
          target_type: 'home',
          target_id: id,
          detail_json: JSON.stringify(body),
        })
        .execute();
      return { homeId: id, settings, overrides: body };
    },
  );

  app.get(
    '/api/v1/alarms/:id/escalation',
    {
      ...session([...CONSOLE_ROLES, 'family']),
      schema: { params: IdParams, response: { 200: EscalationResponseSchema } },
    },
    async (request): Promise<EscalationResponse> => {
      const { id } = request.params;
      const alarm = await deps.db
        .selectFrom('alarms')
        .select('home_id')
        .where('id', '=', id)
        .executeTakeFirst();
      if (!alarm || !(await homeVisible(user(request), alarm.home_id)))
        throw new HttpError('NOT_FOUND', `alarm ${id} not found`);
      const escalation = await deps.escalator.get(id);
      if (!escalation) throw new HttpError('NOT_FOUND', `alarm ${id} has no escalation`);
      return { escalation };
    },
  );

  app.post(
    '/api/v1/alarms/:id/escalation/accept',
    {
      ...session(['family', 'supervisor', 'admin']),
      schema: { params: IdParams, response: { 200: EscalationResponseSchema } },
    },
    async (request): Promise<EscalationResponse> => {
      const { id } = request.params;
      // The body is optional (a bodiless POST accepts), so it is checked here, not by the schema.
      const body = request.body;
      if (body !== undefined && !Value.Check(AcceptEscalationRequestSchema, body))
        throw new HttpError('VALIDATION_FAILED', 'invalid body: expected { note?: string }', [
          { path: '/', message: 'expected { note?: string (≤ 500) }' },
        ]);
      return acceptResponse(await deps.escalator.acceptByUser(id, user(request), body?.note));
    },
  );

  app.get(
    '/api/v1/escalation/accept',
    {
      schema: {
        querystring: EscalationTokenQuerySchema,
        response: { 200: EscalationLinkResponseSchema },
      },
    },
    async (request): Promise<EscalationLinkResponse> => {
      const { token } = request.query;
      const r = await deps.escalator.describeToken(token);
      if (!r.ok)
        throw new HttpError(r.reason === 'not_found' ? 'NOT_FOUND' : 'FORBIDDEN', r.message);
      return {
        alarmId: r.alarm.id,
        kind: r.alarm.kind,
        contactName: r.contact.name,
        stage: r.stage,
        acceptUrl: '/api/v1/escalation/accept',
      };
    },
  );

  app.post(
    '/api/v1/escalation/accept',
    {
      schema: { body: AcceptByTokenRequestSchema, response: { 200: EscalationResponseSchema } },
    },
    async (request): Promise<EscalationResponse> => {
      const { token } = request.body;
      return acceptResponse(await deps.escalator.acceptByToken(token));
    },
  );

  app.post(
    '/api/v1/alarms/:id/reopen',
    {
      ...session(['supervisor', 'admin']),
      schema: {
        params: IdParams,
        body: ReopenAlarmRequestSchema,
        response: { 200: AlarmResponseSchema },
      },
    },
    async (request): Promise<AlarmResponse> => {
      const { id } = request.params;
      const { reason } = request.body;
      const u = user(request);
      const result = await reopenAlarm(
        deps.db,
        id,
        { userId: u.id, username: u.username },
        reason,
        Date.now(),
      );
      if (!result.ok)
        throw new HttpError(
          result.reason === 'not_found' ? 'NOT_FOUND' : 'CONFLICT',
          result.message,
        );
      deps.alarmUpdated(result.alarm);
      return { alarm: await deps.enrichAlarm(result.alarm) };
    },
  );
}
