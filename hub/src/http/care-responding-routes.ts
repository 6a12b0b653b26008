/**
 * "I am going there": a family member or the call centre says they are on their way to an alarm.
 */
import type { FastifyInstance } from 'fastify';
import {
  AlarmResponseSchema,
  IdParamsSchema,
  RespondingRequestSchema,
  type AlarmResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careRespondingRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, scopes, deps } = kit;
  const idParams = { params: IdParamsSchema };

  // ── alarms: "I am going there" ──

  app.post(
    '/api/v1/alarms/:id/responding',
    {
      ...kit.authed,
      schema: {
        tags: ['alarms'],
        ...idParams,
        body: RespondingRequestSchema,
        response: { 200: AlarmResponseSchema },
      },
    },
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
        kit.now(),
      );
      await kit.audit(actor, 'alarm.responding', 'alarm', id, body);
      const alarm = await deps.scopedAlarms.enrich(found.alarm);
      deps.alarmUpdated(alarm);
      return { alarm };
    },
  );
  return Promise.resolve();
}
