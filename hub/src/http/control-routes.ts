/**
 * Gateway control routes (issue 10), a plugin of their own:
 *
 *   POST /api/v1/gateways/:id/commands           SendCommandRequest → 202 { command }   admin, installer (assigned homes)
 *   GET  /api/v1/gateways/:id/commands/:cmdId    → { command }                          roles that list gateways, in scope
 *   GET  /api/v1/gateways/:id/control            → { control, commands }               roles that list gateways, in scope
 *
 * A gateway outside the actor's scope is 404 (audited), as every other gateway route. A command
 * name this hub does not know is 400 UNKNOWN_COMMAND; bad arguments are 400 VALIDATION_FAILED
 * naming the argument, a number outside its range 400 ARG_OUT_OF_RANGE. The result arrives later: on GET, and pushed as `gateway:command`.
 */
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import {
  commandArgsProblem,
  DEFAULT_COMMAND_TIMEOUT_MS,
  isCommandName,
  SendCommandRequestSchema,
  GatewayCommandResponseSchema,
  GatewayControlResponseSchema,
  type GatewayCommandResponse,
  type GatewayControlResponse,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import { gatewayTestModeOf } from '../care/gateway-store.js';
import type { CareStore } from '../care/store.js';
import type { GatewayControl } from '../control/service.js';
import { gatewayInScope } from './care-kit.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

export interface ControlRouteDeps {
  access: Access;
  care: CareStore;
  control: GatewayControl;
}

const IdParams = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
const CommandParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 64 }),
    cmdId: Type.String({ minLength: 1, maxLength: 64 }),
  },
  { additionalProperties: false },
);

export function registerControlRoutes(server: FastifyInstance, deps: ControlRouteDeps): void {
  const app = typed(server);
  const { access, care, control } = deps;
  const authed = { preHandler: access.authenticate };

  const gatewayOr404 = gatewayInScope(access, care);

  app.post(
    '/api/v1/gateways/:id/commands',
    {
      ...authed,
      schema: {
        tags: ['gateways'],
        params: IdParams,
        body: SendCommandRequestSchema,
        response: { 202: GatewayCommandResponseSchema },
      },
    },
    async (request, reply): Promise<GatewayCommandResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'gateway.command', 'gateway', id);
      const { actor, row } = await gatewayOr404(request, id, 'gateway.command');
      const body = request.body;
      if (!isCommandName(body.name))
        throw new HttpError('UNKNOWN_COMMAND', `no gateway command "${body.name}"`);
      // The hub's clock goes into sync_time when it is sent (control/service.ts).
      const problem = commandArgsProblem(
        body.name,
        body.name === 'sync_time' ? { ...body.args, hub_time: Date.now() } : body.args,
      );
      if (problem)
        throw new HttpError(
          problem.code === 'ARG_OUT_OF_RANGE' ? 'ARG_OUT_OF_RANGE' : 'VALIDATION_FAILED',
          problem.message,
          [{ path: '/args', message: problem.message }],
        );
      if (row.enabled !== 1 || row.decommissioned_at !== null)
        throw new HttpError('CONFLICT', `gateway ${id} is decommissioned`);
      if (row.claimed_at === null) throw new HttpError('CONFLICT', `gateway ${id} is not claimed`);
      const command = await control.send({
        gatewayId: id,
        name: body.name,
        args: body.args ?? {},
        timeoutMs: (body.timeoutS ?? 0) * 1000 || DEFAULT_COMMAND_TIMEOUT_MS,
        user: { id: actor.user.id, username: actor.user.username },
      });
      void reply.status(202);
      return { command };
    },
  );

  app.get(
    '/api/v1/gateways/:id/commands/:cmdId',
    {
      ...authed,
      schema: {
        tags: ['gateways'],
        params: CommandParams,
        response: { 200: GatewayCommandResponseSchema },
      },
    },
    async (request): Promise<GatewayCommandResponse> => {
      const { id, cmdId } = request.params;
      await access.requireRole(request, 'gateway.list', 'gateway', id);
      await gatewayOr404(request, id, 'gateway.read');
      const command = await control.command(id, cmdId);
      if (!command) throw new HttpError('NOT_FOUND', `command ${cmdId} not found`);
      return { command };
    },
  );

  app.get(
    '/api/v1/gateways/:id/control',
    {
      ...authed,
      schema: {
        tags: ['gateways'],
        params: IdParams,
        response: { 200: GatewayControlResponseSchema },
      },
    },
    async (request): Promise<GatewayControlResponse> => {
      const { id } = request.params;
      await access.requireRole(request, 'gateway.list', 'gateway', id);
      const { row } = await gatewayOr404(request, id, 'gateway.read');
      return {
        control: await control.control(id, {
          publishedVersion: row.config_version,
          gatewayTestMode: gatewayTestModeOf(row),
        }),
        commands: await control.commands(id),
      };
    },
  );
}
