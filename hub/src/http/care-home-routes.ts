/**
 * Homes: list and search in scope, create, read (key-safe reads audited), change, test mode,
 * installers, and the audited home card an operator works an alarm from.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  CreateHomeRequestSchema,
  HomeCardResponseSchema,
  HomeListQuerySchema,
  HomeListResponseSchema,
  HomeResponseSchema,
  SetInstallersRequestSchema,
  definedJson,
  SetTestModeRequestSchema,
  UpdateHomeRequestSchema,
  type HomeCardResponse,
  type HomeListResponse,
  type HomeResponse,
} from '@anxin/protocol';
import { gatewayRowToDto } from '../care/store.js';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careHomeRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, scopes, deps } = kit;
  const idParams = { params: IdParamsSchema };

  // ── homes ──

  app.get(
    '/api/v1/homes',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        querystring: HomeListQuerySchema,
        response: { 200: HomeListResponseSchema },
      },
    },
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
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        body: CreateHomeRequestSchema,
        response: { 201: HomeResponseSchema },
      },
    },
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
      const now = kit.now();
      const id = await care.createHome(body, now);
      scopes.setHomeArea(id, body.areaId);
      if (actor.user.role === 'installer') await care.addInstaller(id, actor.user.id);
      await kit.audit(
        actor,
        'home.create',
        'home',
        id,
        definedJson({ ...body, keySafeCode: body.keySafeCode ? '***' : body.keySafeCode }),
      );
      const home = await care.getHome(id, kit.seesKeySafe(actor));
      if (!home) throw new Error('home vanished after insert');
      void reply.status(201);
      return { home };
    },
  );

  app.get(
    '/api/v1/homes/:id',
    {
      ...kit.authed,
      schema: { tags: ['homes'], ...idParams, response: { 200: HomeResponseSchema } },
    },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const { actor, home } = await kit.homeOr404(request, id, 'home.read');
      if (home.keySafeCode) await kit.audit(actor, 'home.key_safe_read', 'home', id);
      return { home };
    },
  );

  app.patch(
    '/api/v1/homes/:id',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        body: UpdateHomeRequestSchema,
        response: { 200: HomeResponseSchema },
      },
    },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'home.update');
      const body = request.body;
      if (body.areaId !== undefined) {
        if (actor.user.role !== 'admin') {
          await kit.audit(actor, 'access.denied', 'home', id, {
            reason: 'role',
            attempted: 'home.move',
          });
          throw new HttpError('FORBIDDEN', 'only an admin moves a home to another area');
        }
        if (!scopes.areaExists(body.areaId))
          throw new HttpError('NOT_FOUND', `area ${body.areaId} not found`);
      }
      await care.updateHome(id, body, kit.now());
      if (body.areaId !== undefined) scopes.setHomeArea(id, body.areaId);
      await kit.audit(actor, 'home.update', 'home', id, {
        ...body,
        ...(body.keySafeCode !== undefined ? { keySafeCode: '***' } : {}),
      });
      return kit.homeAfter(actor, id);
    },
  );

  app.put(
    '/api/v1/homes/:id/test-mode',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        body: SetTestModeRequestSchema,
        response: { 200: HomeResponseSchema },
      },
    },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'home.test_mode');
      const body = request.body;
      const now = kit.now();
      const gatewayIds = await care.setTestMode(id, body.enabled, now);
      await deps.provisioning.publishHomeConfigs(gatewayIds, now);
      await kit.audit(actor, 'home.test_mode', 'home', id, body);
      return kit.homeAfter(actor, id);
    },
  );

  app.put(
    '/api/v1/homes/:id/installers',
    {
      ...kit.authed,
      schema: {
        tags: ['homes'],
        ...idParams,
        body: SetInstallersRequestSchema,
        response: { 200: HomeResponseSchema },
      },
    },
    async (request): Promise<HomeResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'home.installers');
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
      await kit.audit(actor, 'home.installers', 'home', id, body);
      return kit.homeAfter(actor, id);
    },
  );

  app.get(
    '/api/v1/homes/:id/card',
    {
      ...kit.authed,
      schema: { tags: ['homes'], ...idParams, response: { 200: HomeCardResponseSchema } },
    },
    async (request): Promise<HomeCardResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'home.card', 'home', id);
      const { home } = await kit.homeOr404(request, id, 'home.card');
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
      const shown = kit.visibleResidents(actor, residents);
      await kit.audit(actor, 'home.card_read', 'home', id, {
        residentIds: shown.map((r) => r.id),
        keySafeCode: home.keySafeCode !== undefined,
      });
      return { home, residents: shown, contacts, plans, gateways, devices };
    },
  );

  return Promise.resolve();
}
