/**
 * Re-arming a decommissioned gateway (issue 10): an administrator issues it a new single-use claim
 * code, shown once and stored only as a verifier, like the code of a newly registered gateway.
 * The gateway returns to stock (Provisioning.rearm) and claims zero-touch again once its claim
 * file holds the new code. A gateway in service is refused (GATEWAY_NOT_DECOMMISSIONED): its code
 * must not change under a running installation. Audited without the code.
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  RearmGatewayRequestSchema,
  RearmGatewayResponseSchema,
  type RearmGatewayResponse,
} from '@anxin/protocol';
import { generateClaimCode } from '../care/provisioning.js';
import { gatewayRowToDto } from '../care/store.js';
import type { CareKit } from './care-kit.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export function gatewayRearmRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care, deps } = kit;

  app.post(
    '/api/v1/gateways/:id/rearm',
    {
      ...kit.authed,
      schema: {
        tags: ['gateways'],
        params: IdParamsSchema,
        body: RearmGatewayRequestSchema,
        response: { 200: RearmGatewayResponseSchema },
      },
    },
    async (request): Promise<RearmGatewayResponse> => {
      const { id } = request.params;
      const actor = await access.requireRole(request, 'gateway.rearm', 'gateway', id);
      const reason = request.body?.reason;
      const claimCode = generateClaimCode();
      const result = await deps.provisioning.rearm(id, claimCode, kit.now());
      if (!result.ok) {
        if (result.reason === 'not_found')
          throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
        await kit.audit(actor, 'gateway.rearm_refused', 'gateway', id, {
          reason: 'not_decommissioned',
        });
        throw new HttpError(
          'GATEWAY_NOT_DECOMMISSIONED',
          `gateway ${id} is in service: decommission it before re-arming it`,
        );
      }
      await kit.audit(actor, 'gateway.rearm', 'gateway', id, {
        ...(reason !== undefined ? { reason } : {}),
        devicesRemoved: result.devicesRemoved,
      });
      const row = await care.getGatewayRow(id);
      if (!row) throw new HttpError('NOT_FOUND', `gateway ${id} not found`);
      return { gateway: gatewayRowToDto(row), claimCode, devicesRemoved: result.devicesRemoved };
    },
  );
  return Promise.resolve();
}
