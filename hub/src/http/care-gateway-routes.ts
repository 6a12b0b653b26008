/**
 * Gateways: list in scope, create (the claim code is shown once), claim into a home (wrong
 * codes rate-limited per installer and gateway), read, decommission.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  ClaimGatewayRequestSchema,
  CreateGatewayRequestSchema,
  DecommissionGatewayRequestSchema,
  GatewayListQuerySchema,
  ClaimGatewayResponseSchema,
  CreateGatewayResponseSchema,
  GatewayListResponseSchema,
  GatewayResponseSchema,
  type ClaimGatewayResponse,
  type CreateGatewayResponse,
  type GatewayListResponse,
  type GatewayResponse,
} from '@anxin/protocol';
import { generateClaimCode } from '../care/provisioning.js';
import { gatewayRowToDto } from '../care/store.js';
import { HttpError } from './errors.js';
import { LoginRateLimiter } from './auth.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careGatewayRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, scopes, deps } = kit;
  const idParams = { params: IdParamsSchema };

  /** Wrong claim codes per (installer, gateway): 5 in 15 minutes. */
  const claimLimiter = new LoginRateLimiter(5, 15 * 60_000);
  // ── gateways ──

  app.get(
    '/api/v1/gateways',
    {
      ...kit.authed,
      schema: {
        tags: ['gateways'],
        querystring: GatewayListQuerySchema,
        response: { 200: GatewayListResponseSchema },
      },
    },
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
    {
      ...kit.authed,
      schema: {
        tags: ['gateways'],
        body: CreateGatewayRequestSchema,
        response: { 201: CreateGatewayResponseSchema },
      },
    },
    async (request, reply): Promise<CreateGatewayResponse> => {
      const actor = await access.requireRole(request, 'gateway.create', 'gateway', null);
      const body = request.body;
      const claimCode = body.claimCode ?? generateClaimCode();
      if (!(await deps.provisioning.createGateway(body.id, claimCode, kit.now())))
        throw new HttpError('CONFLICT', `gateway ${body.id} exists`);
      await kit.audit(actor, 'gateway.create', 'gateway', body.id);
      const row = await care.getGatewayRow(body.id);
      if (!row) throw new Error('gateway vanished after insert');
      void reply.status(201);
      return { gateway: gatewayRowToDto(row), claimCode };
    },
  );

  app.post(
    '/api/v1/gateways/claim',
    {
      ...kit.authed,
      schema: {
        tags: ['gateways'],
        body: ClaimGatewayRequestSchema,
        response: { 200: ClaimGatewayResponseSchema },
      },
    },
    async (request): Promise<ClaimGatewayResponse> => {
      const body = request.body;
      const actor = await access.requireRole(request, 'gateway.claim', 'gateway', body.gatewayId);
      await access.requireHome(request, body.homeId, 'gateway.claim');
      const now = kit.now();
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
        await kit.audit(actor, 'gateway.claim_failed', 'gateway', body.gatewayId, {
          reason: result.reason,
          homeId: body.homeId,
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
      await kit.audit(actor, 'gateway.claim', 'gateway', body.gatewayId, {
        homeId: body.homeId,
        configVersion: result.config.configVersion,
      });
      const row = await care.getGatewayRow(body.gatewayId);
      if (!row) throw new Error('gateway vanished after claim');
      // No credentials here: the gateway picks up its own over the claim channel.
      return { gateway: gatewayRowToDto(row), config: result.config };
    },
  );

  app.get(
    '/api/v1/gateways/:id',
    {
      ...kit.authed,
      schema: { tags: ['gateways'], ...idParams, response: { 200: GatewayResponseSchema } },
    },
    async (request): Promise<GatewayResponse> => {
      const { id } = request.params;
      const { row } = await kit.gatewayOr404(request, id, 'gateway.read');
      return {
        gateway: gatewayRowToDto(row),
        devices: await care.listDevicesOfGateway(id, row.home_id),
      };
    },
  );

  app.post(
    '/api/v1/gateways/:id/decommission',
    {
      ...kit.authed,
      schema: {
        tags: ['gateways'],
        ...idParams,
        body: DecommissionGatewayRequestSchema,
        response: { 200: GatewayResponseSchema },
      },
    },
    async (request): Promise<GatewayResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'gateway.decommission', 'gateway', id);
      const body = request.body ?? {};
      if (!(await deps.provisioning.decommission(id, kit.now())))
        throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
      await kit.audit(actor, 'gateway.decommission', 'gateway', id, body);
      const row = await care.getGatewayRow(id);
      if (!row) throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
      return {
        gateway: gatewayRowToDto(row),
        devices: await care.listDevicesOfGateway(id, row.home_id),
      };
    },
  );
  return Promise.resolve();
}
