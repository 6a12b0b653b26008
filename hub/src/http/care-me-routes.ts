/**
 * GET /api/v1/me: the user, and what their role lets the console offer them.
 */
import type { FastifyInstance } from 'fastify';
import { MeResponseSchema, type MeResponse } from '@anxin/protocol';
import { mayDo } from '../auth/policy.js';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careMeRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care } = kit;

  // ── me ──

  app.get(
    '/api/v1/me',
    { ...kit.authed, schema: { tags: ['session'], response: { 200: MeResponseSchema } } },
    async (request): Promise<MeResponse> => {
      const actor = access.actor(request);
      const row = await care.userRow(actor.user.id);
      if (!row) throw new HttpError('UNAUTHENTICATED', 'log in first');
      const role = actor.user.role;
      return {
        user: await care.careUser(row),
        expiresAt: new Date(request.session?.expiresAt ?? kit.now()).toISOString(),
        can: {
          acknowledgeAlarms: mayDo(role, 'alarm.handle'),
          respondToAlarms: mayDo(role, 'alarm.respond'),
          seeKeySafeCode: kit.seesKeySafe(actor),
          editHomes: mayDo(role, 'home.update'),
          claimGateways: mayDo(role, 'gateway.claim'),
          manageUsers: mayDo(role, 'user.manage'),
          readAudit: mayDo(role, 'audit.read'),
        },
      };
    },
  );

  return Promise.resolve();
}
