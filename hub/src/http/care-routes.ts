/**
 * Care-model routes under /api/v1, exactly as protocol/src/care.ts lists them. Every route needs
 * a session; writes are checked against the role policy (403) and every target against the
 * user's scope (404, same as unknown). Refusals, record reads and changes are audited.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AuditQuerySchema,
  ClaimGatewayRequestSchema,
  ContactParamsSchema,
  CreateAreaRequestSchema,
  CreateCommissioningRecordRequestSchema,
  CreateDeviceRequestSchema,
  CreateGatewayRequestSchema,
  CreateHomeRequestSchema,
  CreateResidentRequestSchema,
  CreateUserRequestSchema,
  DecommissionGatewayRequestSchema,
  DeviceParamsSchema,
  GatewayListQuerySchema,
  HomeListQuerySchema,
  IdParamsSchema,
  KEY_SAFE_CODE_ROLES,
  PlanParamsSchema,
  ReplaceContactsRequestSchema,
  RespondingRequestSchema,
  SetInstallersRequestSchema,
  SetResponsePlanRequestSchema,
  SetTestModeRequestSchema,
  TelemetryQuerySchema,
  UpdateAreaRequestSchema,
  UpdateContactRequestSchema,
  UpdateDeviceRequestSchema,
  UpdateHomeRequestSchema,
  UpdateResidentRequestSchema,
  UpdateUserRequestSchema,
  UserListQuerySchema,
  type AlarmDto,
  type AlarmResponse,
  type AreaListResponse,
  type AreaResponse,
  type AuditListResponse,
  type ClaimGatewayResponse,
  type CommissioningRecordListResponse,
  type CommissioningRecordResponse,
  type ContactListResponse,
  type ContactResponse,
  type CreateGatewayResponse,
  type CareUserResponse,
  type DeviceListResponse,
  type DeviceResponse,
  type GatewayListResponse,
  type GatewayResponse,
  type HomeCardResponse,
  type HomeListResponse,
  type HomeResponse,
  type MeResponse,
  type ResidentDto,
  type ResidentListResponse,
  type ResidentResponse,
  type ResponsePlanListResponse,
  type ResponsePlanResponse,
  type TelemetryQueryResponse,
  type UserDto,
  type UserListResponse,
  type UserRole,
  TELEMETRY_FIELDS,
  isKnownTelemetryField,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import { mayDo } from '../auth/policy.js';
import type { Actor } from '../auth/scope.js';
import type { ScopedAlarms } from '../care/alarm-scope.js';
import type { AuditLog } from '../care/audit.js';
import { generateClaimCode, type Provisioning } from '../care/provisioning.js';
import { gatewayRowToDto, type CareStore } from '../care/store.js';
import type { TelemetryReader } from '../care/telemetry-query.js';
import { hashSecret, USER_PASSWORD_COST } from '../security/password.js';
import type { AlarmStore } from '../store/alarms.js';
import { HttpError } from './errors.js';
import { LoginRateLimiter } from './auth.js';
import { typed } from './typed.js';

export interface CareRouteDeps {
  access: Access;
  care: CareStore;
  audit: AuditLog;
  provisioning: Provisioning;
  alarms: AlarmStore;
  scopedAlarms: ScopedAlarms;
  /** Creates a user with a hashed password (the hub's createUser). */
  createUser: (input: {
    username: string;
    password: string;
    role: UserRole;
    displayName?: string;
  }) => Promise<UserDto>;
  /** Pushes a changed alarm to the rooms allowed to see it. */
  alarmUpdated: (alarm: AlarmDto) => void;
  /** Drops a user's sockets (their scope or rights changed). */
  disconnectUser: (userId: string) => void;
  /** Telemetry for charts, when the configured store can be read back. */
  telemetry: TelemetryReader | undefined;
}

const AREA_PARENT: Record<string, string | null> = {
  district: null,
  street: 'district',
  community: 'street',
};

const TELEMETRY_MAX_SPAN_MS = 31 * 86_400_000;

export function registerCareRoutes(server: FastifyInstance, deps: CareRouteDeps): void {
  const app = typed(server);
  const { access, care, audit } = deps;
  const authed = { preHandler: access.authenticate };
  /** Wrong claim codes per (installer, gateway): 5 in 15 minutes. */
  const claimLimiter = new LoginRateLimiter(5, 15 * 60_000);
  const scopes = access.scopes;
  const idParams = { params: IdParamsSchema };

  const seesKeySafe = (actor: Actor): boolean =>
    (KEY_SAFE_CODE_ROLES as readonly UserRole[]).includes(actor.user.role);
  const who = (actor: Actor) => ({ id: actor.user.id, username: actor.user.username });

  const homeOr404 = async (request: FastifyRequest, homeId: string, action: string) => {
    const actor = await access.requireHome(request, homeId, action);
    const home = await care.getHome(homeId, seesKeySafe(actor));
    if (!home) throw new HttpError('NOT_FOUND', `home ${homeId} not found`);
    return { actor, home };
  };

  const visibleResidents = (actor: Actor, residents: ResidentDto[]) =>
    residents.filter((r) => scopes.residentInScope(actor.scope, r.id));

  /** A gateway the actor may see: admin any; others only gateways of homes in their scope. */
  const gatewayOr404 = async (request: FastifyRequest, gatewayId: string, action: string) => {
    const actor = access.actor(request);
    const row = await care.getGatewayRow(gatewayId);
    if (!row || !scopes.homeInScope(actor.scope, row.home_id))
      return access.notFound(request, 'gateway', gatewayId, action, row !== undefined);
    return { actor, row };
  };

  // ── me ──

  app.get(
    '/api/v1/me',
    { ...authed, schema: { tags: ['session'] } },
    async (request): Promise<MeResponse> => {
      const actor = access.actor(request);
      const row = await care.userRow(actor.user.id);
      if (!row) throw new HttpError('UNAUTHENTICATED', 'log in first');
      const role = actor.user.role;
      return {
        user: await care.careUser(row),
        expiresAt: new Date(request.session?.expiresAt ?? Date.now()).toISOString(),
        can: {
          acknowledgeAlarms: mayDo(role, 'alarm.handle'),
          respondToAlarms: mayDo(role, 'alarm.respond'),
          seeKeySafeCode: seesKeySafe(actor),
          editHomes: mayDo(role, 'home.update'),
          claimGateways: mayDo(role, 'gateway.claim'),
          manageUsers: mayDo(role, 'user.manage'),
          readAudit: mayDo(role, 'audit.read'),
        },
      };
    },
  );

  // ── areas ──

  app.get(
    '/api/v1/areas',
    { ...authed, schema: { tags: ['areas'] } },
    async (request): Promise<AreaListResponse> => {
      const actor = access.actor(request);
      const areas = await care.listAreas();
      if (actor.scope.kind === 'all') return { areas };
      if (actor.scope.kind === 'areas') {
        const allowed = actor.scope.areaIds;
        return { areas: areas.filter((a) => allowed.has(a.id)) };
      }
      const homeAreas = new Set(
        [...actor.scope.homeIds].map((h) => scopes.areaOfHome(h)).filter((a) => a !== undefined),
      );
      return { areas: areas.filter((a) => homeAreas.has(a.id)) };
    },
  );

  app.post(
    '/api/v1/areas',
    { ...authed, schema: { tags: ['areas'], body: CreateAreaRequestSchema } },
    async (request, reply): Promise<AreaResponse> => {
      const actor = await access.requireRole(request, 'area.write', 'area', null);
      const body = request.body;
      const parentId = body.parentId ?? null;
      const wantParent = AREA_PARENT[body.kind] ?? null;
      if (wantParent === null && parentId !== null)
        throw new HttpError('VALIDATION_FAILED', 'a district has no parent', [
          { path: '/parentId', message: 'must be absent for a district' },
        ]);
      if (wantParent !== null) {
        const parent = parentId === null ? undefined : await care.getArea(parentId);
        if (!parent || parent.kind !== wantParent)
          throw new HttpError('VALIDATION_FAILED', `a ${body.kind} needs a ${wantParent} parent`, [
            { path: '/parentId', message: `must be the id of a ${wantParent}` },
          ]);
      }
      if (body.id !== undefined && (await care.getArea(body.id)))
        throw new HttpError('CONFLICT', `area ${body.id} exists`);
      const area = await care.createArea(
        { ...(body.id ? { id: body.id } : {}), parentId, kind: body.kind, name: body.name },
        Date.now(),
      );
      await scopes.load();
      await audit.record({
        user: who(actor),
        action: 'area.create',
        targetType: 'area',
        targetId: area.id,
        detail: body,
      });
      void reply.status(201);
      return { area };
    },
  );

  app.patch(
    '/api/v1/areas/:id',
    { ...authed, schema: { tags: ['areas'], ...idParams, body: UpdateAreaRequestSchema } },
    async (request): Promise<AreaResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'area.write', 'area', id);
      const body = request.body;
      if (!(await care.getArea(id))) throw new HttpError('NOT_FOUND', `area ${id} not found`);
      if (body.name !== undefined) await care.renameArea(id, body.name);
      await audit.record({
        user: who(actor),
        action: 'area.update',
        targetType: 'area',
        targetId: id,
        detail: body,
      });
      const area = await care.getArea(id);
      if (!area) throw new HttpError('NOT_FOUND', `area ${id} not found`);
      return { area };
    },
  );

  // ── homes ──

  app.get(
    '/api/v1/homes',
    { ...authed, schema: { tags: ['homes'], querystring: HomeListQuerySchema } },
    async (request): Promise<HomeListResponse> => {
      const actor = access.actor(request);
      const q = request.query;
      return care.listHomes(actor.scope, {
        ...(q.areaId !== undefined ? { areaIds: scopes.subtree(q.areaId) } : {}),
        ...(q.q ? { q: q.q } : {}),
        limit: q.limit ?? 200,
        offset: q.offset ?? 0,
      });
    },
  );

  app.post(
    '/api/v1/homes',
    { ...authed, schema: { tags: ['homes'], body: CreateHomeRequestSchema } },
    async (request, reply): Promise<HomeResponse> => {
      const actor = await access.requireRole(request, 'home.create', 'home', null);
      const body = request.body;
      let areaAllowed = scopes.areaExists(body.areaId);
      if (areaAllowed && actor.user.role === 'installer') {
        const mine = new Set<string>();
        for (const a of await care.userAreaIds(actor.user.id))
          for (const id of scopes.subtree(a)) mine.add(id);
        areaAllowed = mine.has(body.areaId);
      }
      if (!areaAllowed)
        return access.notFound(
          request,
          'area',
          body.areaId,
          'home.create',
          scopes.areaExists(body.areaId),
        );
      if (body.id !== undefined && (await care.homeExists(body.id)))
        throw new HttpError('CONFLICT', `home ${body.id} exists`);
      const now = Date.now();
      const id = await care.createHome(body, now);
      scopes.setHomeArea(id, body.areaId);
      if (actor.user.role === 'installer') await care.addInstaller(id, actor.user.id);
      await audit.record({
        user: who(actor),
        action: 'home.create',
        targetType: 'home',
        targetId: id,
        detail: { ...body, keySafeCode: body.keySafeCode ? '***' : body.keySafeCode },
      });
      const home = await care.getHome(id, seesKeySafe(actor));
      if (!home) throw new Error('home vanished after insert');
      void reply.status(201);
      return { home };
    },
  );

  app.get(
    '/api/v1/homes/:id',
    { ...authed, schema: { tags: ['homes'], ...idParams } },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const { actor, home } = await homeOr404(request, id, 'home.read');
      if (home.keySafeCode)
        await audit.record({
          user: who(actor),
          action: 'home.key_safe_read',
          targetType: 'home',
          targetId: id,
        });
      return { home };
    },
  );

  app.patch(
    '/api/v1/homes/:id',
    { ...authed, schema: { tags: ['homes'], ...idParams, body: UpdateHomeRequestSchema } },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'home.update', 'home', id);
      await access.requireHome(request, id, 'home.update');
      const body = request.body;
      if (body.areaId !== undefined) {
        if (actor.user.role !== 'admin') {
          await audit.record({
            user: who(actor),
            action: 'access.denied',
            targetType: 'home',
            targetId: id,
            detail: { reason: 'role', attempted: 'home.move' },
          });
          throw new HttpError('FORBIDDEN', 'only an admin moves a home to another area');
        }
        if (!scopes.areaExists(body.areaId))
          throw new HttpError('NOT_FOUND', `area ${body.areaId} not found`);
      }
      await care.updateHome(id, body, Date.now());
      if (body.areaId !== undefined) scopes.setHomeArea(id, body.areaId);
      await audit.record({
        user: who(actor),
        action: 'home.update',
        targetType: 'home',
        targetId: id,
        detail: { ...body, ...(body.keySafeCode !== undefined ? { keySafeCode: '***' } : {}) },
      });
      const home = await care.getHome(id, seesKeySafe(actor));
      if (!home) throw new HttpError('NOT_FOUND', `home ${id} not found`);
      return { home };
    },
  );

  app.put(
    '/api/v1/homes/:id/test-mode',
    { ...authed, schema: { tags: ['homes'], ...idParams, body: SetTestModeRequestSchema } },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'home.test_mode', 'home', id);
      await access.requireHome(request, id, 'home.test_mode');
      const body = request.body;
      const now = Date.now();
      const gatewayIds = await care.setTestMode(id, body.enabled, now);
      await deps.provisioning.publishHomeConfigs(gatewayIds, now);
      await audit.record({
        user: who(actor),
        action: 'home.test_mode',
        targetType: 'home',
        targetId: id,
        detail: body,
      });
      const home = await care.getHome(id, seesKeySafe(actor));
      if (!home) throw new HttpError('NOT_FOUND', `home ${id} not found`);
      return { home };
    },
  );

  app.put(
    '/api/v1/homes/:id/installers',
    { ...authed, schema: { tags: ['homes'], ...idParams, body: SetInstallersRequestSchema } },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'home.installers', 'home', id);
      await access.requireHome(request, id, 'home.installers');
      const body = request.body;
      const installers = (await care.listUsers('installer')).map((u) => u.id);
      const unknown = body.userIds.filter((u) => !installers.includes(u));
      if (unknown.length > 0)
        throw new HttpError(
          'VALIDATION_FAILED',
          'not installers',
          unknown.map((u, i) => ({
            path: `/userIds/${body.userIds.indexOf(u) >= 0 ? body.userIds.indexOf(u) : i}`,
            message: `${u} is not an installer`,
          })),
        );
      await care.setInstallers(id, body.userIds);
      for (const u of body.userIds) deps.disconnectUser(u);
      await audit.record({
        user: who(actor),
        action: 'home.installers',
        targetType: 'home',
        targetId: id,
        detail: body,
      });
      const home = await care.getHome(id, seesKeySafe(actor));
      if (!home) throw new HttpError('NOT_FOUND', `home ${id} not found`);
      return { home };
    },
  );

  app.get(
    '/api/v1/homes/:id/card',
    { ...authed, schema: { tags: ['homes'], ...idParams } },
    async (request): Promise<HomeCardResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'home.card', 'home', id);
      const { home } = await homeOr404(request, id, 'home.card');
      const [residents, contacts, plans, devices] = await Promise.all([
        care.listResidents(id),
        care.listContacts(id),
        care.listPlans(id),
        care.listDevicesOfHome(id),
      ]);
      const gateways = [];
      for (const gid of home.gatewayIds) {
        const row = await care.getGatewayRow(gid);
        if (row) gateways.push(gatewayRowToDto(row));
      }
      const shown = visibleResidents(actor, residents);
      await audit.record({
        user: who(actor),
        action: 'home.card_read',
        targetType: 'home',
        targetId: id,
        detail: {
          residentIds: shown.map((r) => r.id),
          keySafeCode: home.keySafeCode !== undefined,
        },
      });
      return { home, residents: shown, contacts, plans, gateways, devices };
    },
  );

  // ── residents ──

  app.get(
    '/api/v1/homes/:id/residents',
    { ...authed, schema: { tags: ['residents'], ...idParams } },
    async (request): Promise<ResidentListResponse> => {
      const { id } = request.params;
      const { actor } = await homeOr404(request, id, 'residents.read');
      const residents = visibleResidents(actor, await care.listResidents(id));
      await audit.record({
        user: who(actor),
        action: 'resident.read',
        targetType: 'home',
        targetId: id,
        detail: { residentIds: residents.map((r) => r.id) },
      });
      return { residents };
    },
  );

  app.post(
    '/api/v1/homes/:id/residents',
    { ...authed, schema: { tags: ['residents'], ...idParams, body: CreateResidentRequestSchema } },
    async (request, reply): Promise<ResidentResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'resident.create', 'home', id);
      await access.requireHome(request, id, 'resident.create');
      const body = request.body;
      if (body.id !== undefined && (await care.getResident(body.id)))
        throw new HttpError('CONFLICT', `resident ${body.id} exists`);
      const resident = await care.createResident(id, body, Date.now());
      await audit.record({
        user: who(actor),
        action: 'resident.create',
        targetType: 'resident',
        targetId: resident.id,
        detail: { homeId: id },
      });
      void reply.status(201);
      return { resident };
    },
  );

  /** The resident must exist, its home be in scope, and (family) be one of theirs. */
  const residentOr404 = async (request: FastifyRequest, residentId: string, action: string) => {
    const actor = access.actor(request);
    const resident = await care.getResident(residentId);
    if (
      !resident ||
      !scopes.homeInScope(actor.scope, resident.homeId) ||
      !scopes.residentInScope(actor.scope, resident.id)
    )
      return access.notFound(request, 'resident', residentId, action, resident !== undefined);
    return { actor, resident };
  };

  app.get(
    '/api/v1/residents/:id',
    { ...authed, schema: { tags: ['residents'], ...idParams } },
    async (request): Promise<ResidentResponse> => {
      const { id } = request.params;
      const { actor, resident } = await residentOr404(request, id, 'resident.read');
      await audit.record({
        user: who(actor),
        action: 'resident.read',
        targetType: 'resident',
        targetId: id,
      });
      return { resident };
    },
  );

  app.patch(
    '/api/v1/residents/:id',
    { ...authed, schema: { tags: ['residents'], ...idParams, body: UpdateResidentRequestSchema } },
    async (request): Promise<ResidentResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'resident.update', 'resident', id);
      await residentOr404(request, id, 'resident.update');
      const body = request.body;
      await care.updateResident(id, body, Date.now());
      await audit.record({
        user: who(actor),
        action: 'resident.update',
        targetType: 'resident',
        targetId: id,
        detail: { fields: Object.keys(body) },
      });
      const resident = await care.getResident(id);
      if (!resident) throw new HttpError('NOT_FOUND', `resident ${id} not found`);
      return { resident };
    },
  );

  app.delete(
    '/api/v1/residents/:id',
    { ...authed, schema: { tags: ['residents'], ...idParams } },
    async (request, reply) => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'resident.delete', 'resident', id);
      const { resident } = await residentOr404(request, id, 'resident.delete');
      await care.deleteResident(id);
      await audit.record({
        user: who(actor),
        action: 'resident.delete',
        targetType: 'resident',
        targetId: id,
        detail: { homeId: resident.homeId, name: resident.name },
      });
      return reply.status(204).send();
    },
  );

  // ── contacts ──

  app.get(
    '/api/v1/homes/:id/contacts',
    { ...authed, schema: { tags: ['contacts'], ...idParams } },
    async (request): Promise<ContactListResponse> => {
      const { id } = request.params;
      await homeOr404(request, id, 'contacts.read');
      return { contacts: await care.listContacts(id) };
    },
  );

  app.put(
    '/api/v1/homes/:id/contacts',
    { ...authed, schema: { tags: ['contacts'], ...idParams, body: ReplaceContactsRequestSchema } },
    async (request): Promise<ContactListResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'contacts.replace', 'home', id);
      await access.requireHome(request, id, 'contacts.replace');
      const body = request.body;
      const userIds = body.contacts
        .map((c) => c.userId)
        .filter((u): u is string => typeof u === 'string');
      const known = await care.existingIds('users', userIds);
      const bad = body.contacts.findIndex(
        (c) => typeof c.userId === 'string' && !known.has(c.userId),
      );
      if (bad >= 0)
        throw new HttpError('VALIDATION_FAILED', 'unknown user', [
          { path: `/contacts/${bad}/userId`, message: 'no such user' },
        ]);
      await care.replaceContacts(id, body.contacts);
      await audit.record({
        user: who(actor),
        action: 'contacts.replace',
        targetType: 'home',
        targetId: id,
        detail: { count: body.contacts.length },
      });
      return { contacts: await care.listContacts(id) };
    },
  );

  app.patch(
    '/api/v1/homes/:id/contacts/:contactId',
    {
      ...authed,
      schema: { tags: ['contacts'], params: ContactParamsSchema, body: UpdateContactRequestSchema },
    },
    async (request): Promise<ContactResponse> => {
      const { id, contactId } = request.params;
      const actor = await access.requireRole(request, 'contact.update', 'home', id);
      await access.requireHome(request, id, 'contact.update');
      const contact = await care.getContact(id, contactId);
      if (!contact) return access.notFound(request, 'contact', contactId, 'contact.update', false);
      // A family member sees every contact of their relative's home but edits only their own.
      if (actor.user.role === 'family' && contact.userId !== actor.user.id) {
        await audit.record({
          user: who(actor),
          action: 'access.denied',
          targetType: 'contact',
          targetId: contactId,
          detail: { reason: 'role', attempted: 'contact.update', homeId: id, own: false },
        });
        throw new HttpError('FORBIDDEN', 'family members edit only their own contact details');
      }
      const body = request.body;
      // Empty availability means none. (Ajv's coerceTypes turns a JSON null into '' when the
      // string branch of `string | null` is tried first, so both arrive here as '' anyway.)
      await care.updateContact(id, contactId, {
        ...body,
        ...(body.availability === '' ? { availability: null } : {}),
      });
      await audit.record({
        user: who(actor),
        action: 'contact.update',
        targetType: 'contact',
        targetId: contactId,
        detail: { homeId: id, fields: Object.keys(body) },
      });
      const updated = await care.getContact(id, contactId);
      if (!updated) throw new HttpError('NOT_FOUND', `contact ${contactId} not found`);
      return { contact: updated };
    },
  );

  // ── plans ──

  app.get(
    '/api/v1/homes/:id/plans',
    { ...authed, schema: { tags: ['plans'], ...idParams } },
    async (request): Promise<ResponsePlanListResponse> => {
      const { id } = request.params;
      await homeOr404(request, id, 'plans.read');
      return { plans: await care.listPlans(id) };
    },
  );

  app.put(
    '/api/v1/homes/:id/plans/:kind',
    {
      ...authed,
      schema: { tags: ['plans'], params: PlanParamsSchema, body: SetResponsePlanRequestSchema },
    },
    async (request): Promise<ResponsePlanResponse> => {
      const { id, kind } = request.params;
      const actor = await access.requireRole(request, 'plan.set', 'home', id);
      await access.requireHome(request, id, 'plan.set');
      const body = request.body;
      const plan = await care.setPlan(id, kind, body.steps, actor.user.username, Date.now());
      await audit.record({
        user: who(actor),
        action: 'plan.set',
        targetType: 'home',
        targetId: id,
        detail: { kind, steps: body.steps.length },
      });
      return { plan };
    },
  );

  // ── devices and telemetry of a home ──

  app.get(
    '/api/v1/homes/:id/devices',
    { ...authed, schema: { tags: ['devices'], ...idParams } },
    async (request): Promise<DeviceListResponse> => {
      const { id } = request.params;
      await homeOr404(request, id, 'devices.read');
      return { devices: await care.listDevicesOfHome(id) };
    },
  );

  app.get(
    '/api/v1/homes/:id/telemetry',
    { ...authed, schema: { tags: ['telemetry'], ...idParams, querystring: TelemetryQuerySchema } },
    async (request): Promise<TelemetryQueryResponse> => {
      const { id } = request.params;
      await homeOr404(request, id, 'telemetry.read');
      const q = request.query;
      const to = q.to !== undefined ? Date.parse(q.to) : Date.now();
      const from = q.from !== undefined ? Date.parse(q.from) : to - 86_400_000;
      if (!(from < to) || to - from > TELEMETRY_MAX_SPAN_MS)
        throw new HttpError('VALIDATION_FAILED', 'from must be before to, at most 31 days apart', [
          { path: '/from', message: 'must be before to, at most 31 days apart' },
        ]);
      const fields = [...new Set(q.fields.split(','))];
      const reader = deps.telemetry;
      const devices = (await care.listDevicesOfHome(id))
        .filter((d) => q.deviceId === undefined || d.id === q.deviceId)
        .map((d) => ({ gatewayId: d.gatewayId, deviceId: d.id }));
      const series =
        reader && devices.length > 0
          ? await reader.query({ devices, fields, from, to, maxPoints: q.maxPoints ?? 500 })
          : [];
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        series: series.map((s) => ({
          ...s,
          unit: isKnownTelemetryField(s.field) ? TELEMETRY_FIELDS[s.field].unit : null,
        })),
      };
    },
  );

  // ── commissioning records ──

  app.post(
    '/api/v1/homes/:id/commissioning',
    {
      ...authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        body: CreateCommissioningRecordRequestSchema,
      },
    },
    async (request, reply): Promise<CommissioningRecordResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'commissioning.record', 'home', id);
      await access.requireHome(request, id, 'commissioning.record');
      const body = request.body;
      const recordId = await care.commissioning.create(id, body, actor.user.id, Date.now());
      const passed = body.steps.filter((s) => s.result === 'passed').length;
      await audit.record({
        user: who(actor),
        action: 'commissioning.record',
        targetType: 'home',
        targetId: id,
        detail: { recordId, steps: body.steps.length, passed, finished: body.finishedAt != null },
      });
      const [record] = await care.commissioning.list(id, 1, recordId);
      if (!record) throw new Error('commissioning record vanished after insert');
      void reply.status(201);
      return { record };
    },
  );

  app.get(
    '/api/v1/homes/:id/commissioning',
    { ...authed, schema: { tags: ['homes'], ...idParams } },
    async (request): Promise<CommissioningRecordListResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'commissioning.read', 'home', id);
      await access.requireHome(request, id, 'commissioning.read');
      return { records: await care.commissioning.list(id) };
    },
  );

  // ── gateways ──

  app.get(
    '/api/v1/gateways',
    { ...authed, schema: { tags: ['gateways'], querystring: GatewayListQuerySchema } },
    async (request): Promise<GatewayListResponse> => {
      const actor = await access.requireRole(request, 'gateway.list', 'gateway', null);
      const q = request.query;
      return {
        gateways: await care.listGateways(
          actor.scope,
          {
            ...(q.homeId !== undefined ? { homeId: q.homeId } : {}),
            ...(q.state ? { state: q.state } : {}),
            limit: q.limit ?? 500,
          },
          (homeId) => scopes.homeInScope(actor.scope, homeId),
        ),
      };
    },
  );

  app.post(
    '/api/v1/gateways',
    { ...authed, schema: { tags: ['gateways'], body: CreateGatewayRequestSchema } },
    async (request, reply): Promise<CreateGatewayResponse> => {
      const actor = await access.requireRole(request, 'gateway.create', 'gateway', null);
      const body = request.body;
      const claimCode = body.claimCode ?? generateClaimCode();
      if (!(await deps.provisioning.createGateway(body.id, claimCode, Date.now())))
        throw new HttpError('CONFLICT', `gateway ${body.id} exists`);
      await audit.record({
        user: who(actor),
        action: 'gateway.create',
        targetType: 'gateway',
        targetId: body.id,
      });
      const row = await care.getGatewayRow(body.id);
      if (!row) throw new Error('gateway vanished after insert');
      void reply.status(201);
      return { gateway: gatewayRowToDto(row), claimCode };
    },
  );

  app.post(
    '/api/v1/gateways/claim',
    { ...authed, schema: { tags: ['gateways'], body: ClaimGatewayRequestSchema } },
    async (request): Promise<ClaimGatewayResponse> => {
      const body = request.body;
      const actor = await access.requireRole(request, 'gateway.claim', 'gateway', body.gatewayId);
      await access.requireHome(request, body.homeId, 'gateway.claim');
      const now = Date.now();
      // Guessing codes through the installer's form is limited like guessing them at the channel.
      const wait = claimLimiter.blockedFor(actor.user.id, body.gatewayId, now);
      if (wait > 0)
        throw new HttpError(
          'RATE_LIMITED',
          'too many wrong claim codes; try again later',
          undefined,
          {
            'retry-after': String(Math.ceil(wait / 1000)),
          },
        );
      const result = await deps.provisioning.claim(
        body.gatewayId,
        body.claimCode,
        body.homeId,
        actor.user.username,
        now,
      );
      if (!result.ok) {
        if (result.reason === 'wrong_code' || result.reason === 'not_found')
          claimLimiter.fail(actor.user.id, body.gatewayId, now);
        await audit.record({
          user: who(actor),
          action: 'gateway.claim_failed',
          targetType: 'gateway',
          targetId: body.gatewayId,
          detail: { reason: result.reason, homeId: body.homeId },
        });
        if (result.reason === 'decommissioned')
          throw new HttpError(
            'GATEWAY_DECOMMISSIONED',
            `gateway ${body.gatewayId} is decommissioned`,
          );
        if (result.reason === 'code_used')
          throw new HttpError('CLAIM_CODE_USED', 'this claim code has been used already');
        // Unknown gateway and wrong code look the same: the code is the secret.
        throw new HttpError('CLAIM_CODE_INVALID', 'no gateway with that id and claim code');
      }
      claimLimiter.succeed(actor.user.id, body.gatewayId);
      await audit.record({
        user: who(actor),
        action: 'gateway.claim',
        targetType: 'gateway',
        targetId: body.gatewayId,
        detail: { homeId: body.homeId, configVersion: result.config.configVersion },
      });
      const row = await care.getGatewayRow(body.gatewayId);
      if (!row) throw new Error('gateway vanished after claim');
      // No credentials here: the gateway picks up its own over the claim channel.
      return { gateway: gatewayRowToDto(row), config: result.config };
    },
  );

  app.get(
    '/api/v1/gateways/:id',
    { ...authed, schema: { tags: ['gateways'], ...idParams } },
    async (request): Promise<GatewayResponse> => {
      const { id } = request.params;
      const { row } = await gatewayOr404(request, id, 'gateway.read');
      return {
        gateway: gatewayRowToDto(row),
        devices: await care.listDevicesOfGateway(id, row.home_id),
      };
    },
  );

  app.post(
    '/api/v1/gateways/:id/decommission',
    {
      ...authed,
      schema: { tags: ['gateways'], ...idParams, body: DecommissionGatewayRequestSchema },
    },
    async (request): Promise<GatewayResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'gateway.decommission', 'gateway', id);
      const body = request.body ?? {};
      if (!(await deps.provisioning.decommission(id, Date.now())))
        throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
      await audit.record({
        user: who(actor),
        action: 'gateway.decommission',
        targetType: 'gateway',
        targetId: id,
        detail: body,
      });
      const row = await care.getGatewayRow(id);
      if (!row) throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
      return {
        gateway: gatewayRowToDto(row),
        devices: await care.listDevicesOfGateway(id, row.home_id),
      };
    },
  );

  /** Device writes: the gateway must be claimed into a home in scope (admins: every home). */
  const writableGateway = async (request: FastifyRequest, gatewayId: string, action: string) => {
    const { actor, row } = await gatewayOr404(request, gatewayId, action);
    if (row.enabled !== 1)
      throw new HttpError('CONFLICT', `gateway ${gatewayId} is decommissioned`);
    return { actor, row };
  };

  app.post(
    '/api/v1/gateways/:id/devices',
    { ...authed, schema: { tags: ['devices'], ...idParams, body: CreateDeviceRequestSchema } },
    async (request, reply): Promise<DeviceResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await writableGateway(request, id, 'device.write');
      const body = request.body;
      const now = Date.now();
      await care.registerDevice(id, body, now);
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, now);
      await audit.record({
        user: who(actor),
        action: 'device.register',
        targetType: 'device',
        targetId: `${id}/${body.id}`,
        detail: body,
      });
      const device = await care.getDevice(id, body.id, row.home_id);
      if (!device) throw new Error('device vanished after insert');
      void reply.status(201);
      return { device };
    },
  );

  app.patch(
    '/api/v1/gateways/:id/devices/:deviceId',
    {
      ...authed,
      schema: { tags: ['devices'], params: DeviceParamsSchema, body: UpdateDeviceRequestSchema },
    },
    async (request): Promise<DeviceResponse> => {
      const { id, deviceId } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await writableGateway(request, id, 'device.write');
      if (!(await care.getDevice(id, deviceId, row.home_id)))
        throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      const body = request.body;
      await care.updateDevice(id, deviceId, body);
      const now = Date.now();
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, now);
      await audit.record({
        user: who(actor),
        action: 'device.update',
        targetType: 'device',
        targetId: `${id}/${deviceId}`,
        detail: body,
      });
      const device = await care.getDevice(id, deviceId, row.home_id);
      if (!device) throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      return { device };
    },
  );

  app.delete(
    '/api/v1/gateways/:id/devices/:deviceId',
    { ...authed, schema: { tags: ['devices'], params: DeviceParamsSchema } },
    async (request, reply) => {
      const { id, deviceId } = request.params;
      await access.requireRole(request, 'device.write', 'gateway', id);
      const { actor, row } = await writableGateway(request, id, 'device.write');
      if (!(await care.getDevice(id, deviceId, row.home_id)))
        throw new HttpError('NOT_FOUND', `device ${deviceId} not found`);
      await care.deleteDevice(id, deviceId);
      if (row.claimed_at !== null) await deps.provisioning.publishConfig(id, Date.now());
      await audit.record({
        user: who(actor),
        action: 'device.delete',
        targetType: 'device',
        targetId: `${id}/${deviceId}`,
      });
      return reply.status(204).send();
    },
  );

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
    { ...authed, schema: { tags: ['users'], querystring: UserListQuerySchema } },
    async (request): Promise<UserListResponse> => {
      await access.requireRole(request, 'user.list', 'user', null);
      const q = request.query;
      return { users: await care.listUsers(q.role) };
    },
  );

  app.post(
    '/api/v1/users',
    { ...authed, schema: { tags: ['users'], body: CreateUserRequestSchema } },
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
      await audit.record({
        user: who(actor),
        action: 'user.create',
        targetType: 'user',
        targetId: user.id,
        detail: {
          username: body.username,
          role: body.role,
          areaIds: body.areaIds,
          residentIds: body.residentIds,
        },
      });
      const row = await care.userRow(user.id);
      if (!row) throw new Error('user vanished after insert');
      void reply.status(201);
      return { user: await care.careUser(row) };
    },
  );

  app.patch(
    '/api/v1/users/:id',
    { ...authed, schema: { tags: ['users'], ...idParams, body: UpdateUserRequestSchema } },
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
      await audit.record({
        user: who(actor),
        action: 'user.update',
        targetType: 'user',
        targetId: id,
        detail: { ...body, ...(body.password !== undefined ? { password: '***' } : {}) },
      });
      const row = await care.userRow(id);
      if (!row) throw new HttpError('NOT_FOUND', `user ${id} not found`);
      return { user: await care.careUser(row) };
    },
  );

  // ── audit ──

  app.get(
    '/api/v1/audit',
    { ...authed, schema: { tags: ['audit'], querystring: AuditQuerySchema } },
    async (request): Promise<AuditListResponse> => {
      await access.requireRole(request, 'audit.read', 'audit', null);
      return { entries: await audit.query(request.query) };
    },
  );

  // ── alarms: "I am going there" ──

  app.post(
    '/api/v1/alarms/:id/responding',
    { ...authed, schema: { tags: ['alarms'], ...idParams, body: RespondingRequestSchema } },
    async (request): Promise<AlarmResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'alarm.respond', 'alarm', id);
      const found = await deps.alarms.get(id);
      if (!found || !scopes.homeInScope(actor.scope, found.alarm.homeId))
        return access.notFound(request, 'alarm', id, 'alarm.respond', found !== undefined);
      if (found.alarm.status === 'resolved')
        throw new HttpError('CONFLICT', `alarm ${id} is resolved`);
      const body = request.body ?? {};
      await deps.scopedAlarms.responding(
        id,
        actor.user.id,
        body.etaMinutes ?? null,
        body.note ?? null,
        Date.now(),
      );
      await audit.record({
        user: who(actor),
        action: 'alarm.responding',
        targetType: 'alarm',
        targetId: id,
        detail: body,
      });
      const alarm = await deps.scopedAlarms.enrich(found.alarm);
      deps.alarmUpdated(alarm);
      return { alarm };
    },
  );
}
