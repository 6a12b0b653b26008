/**
 * Service buttons (protocol/src/service-requests.ts, "Service buttons"), one Fastify plugin:
 * which of a gateway's devices open a service request with which button actions. Installers
 * set them on the homes assigned to them; the call centre reads them.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  ServiceButtonListResponseSchema,
  ServiceButtonParamsSchema,
  ServiceButtonResponseSchema,
  SetServiceButtonRequestSchema,
  type ServiceButtonListResponse,
  type ServiceButtonResponse,
} from '@anxin/protocol';
import { opsActor, type OpsRouteDeps } from './ops-shared.js';
import { typed } from './typed.js';

const GatewayParamsSchema = Type.Object(
  { gatewayId: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export function serviceButtonRoutes(
  server: FastifyInstance,
  { ops, access }: OpsRouteDeps,
): Promise<void> {
  const app = typed(server);
  const authed = { preHandler: access.authenticate };

  /** 404 unless the gateway belongs to a home in the caller's scope. */
  const gatewayInScope = async (request: FastifyRequest, gatewayId: string, action: string) => {
    const homeId = await ops.gatewayHome(gatewayId);
    const actor = access.actor(request);
    if (homeId === undefined || !access.scopes.homeInScope(actor.scope, homeId))
      return access.notFound(request, 'gateway', gatewayId, action, homeId !== undefined);
  };

  app.get(
    '/api/v1/gateways/:gatewayId/service-buttons',
    {
      ...authed,
      schema: { params: GatewayParamsSchema, response: { 200: ServiceButtonListResponseSchema } },
    },
    async (request): Promise<ServiceButtonListResponse> => {
      const { gatewayId } = request.params;
      await access.requireRole(request, 'service_button.read', 'gateway', gatewayId);
      await gatewayInScope(request, gatewayId, 'service_button.read');
      return { serviceButtons: await ops.buttons.list(gatewayId) };
    },
  );

  app.put(
    '/api/v1/gateways/:gatewayId/devices/:deviceId/service-button',
    {
      ...authed,
      schema: {
        params: ServiceButtonParamsSchema,
        body: SetServiceButtonRequestSchema,
        response: { 200: ServiceButtonResponseSchema },
      },
    },
    async (request): Promise<ServiceButtonResponse> => {
      const { gatewayId, deviceId } = request.params;
      await access.requireRole(request, 'service_button.set', 'device', `${gatewayId}/${deviceId}`);
      await gatewayInScope(request, gatewayId, 'service_button.set');
      const body = request.body;
      return {
        serviceButton: await ops.buttons.set(
          gatewayId,
          deviceId,
          body.actions,
          body.category ?? 'other',
          opsActor(access, request),
          ops.now(),
        ),
      };
    },
  );

  app.delete(
    '/api/v1/gateways/:gatewayId/devices/:deviceId/service-button',
    // 204: the button is gone and there is no body to describe.
    {
      ...authed,
      schema: { params: ServiceButtonParamsSchema, response: { 204: { type: 'null' } } },
    },
    async (request, reply) => {
      const { gatewayId, deviceId } = request.params;
      await access.requireRole(request, 'service_button.set', 'device', `${gatewayId}/${deviceId}`);
      await gatewayInScope(request, gatewayId, 'service_button.remove');
      const removed = await ops.buttons.remove(
        gatewayId,
        deviceId,
        opsActor(access, request),
        ops.now(),
      );
      if (!removed)
        return access.notFound(
          request,
          'service_button',
          `${gatewayId}/${deviceId}`,
          'service_button.remove',
          false,
        );
      return reply.status(204).send();
    },
  );
  // A Fastify plugin: registered with app.register, done once its routes are added.
  return Promise.resolve();
}
