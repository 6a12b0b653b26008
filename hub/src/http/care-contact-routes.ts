/**
 * A home's contacts in call order, and its response plans (what to do for each alarm kind).
 */
import type { FastifyInstance } from 'fastify';
import {
  IdParamsSchema,
  ContactListResponseSchema,
  ContactParamsSchema,
  ContactResponseSchema,
  PlanParamsSchema,
  ReplaceContactsRequestSchema,
  ResponsePlanListResponseSchema,
  ResponsePlanResponseSchema,
  SetResponsePlanRequestSchema,
  UpdateContactRequestSchema,
  type ContactListResponse,
  type ContactResponse,
  type ResponsePlanListResponse,
  type ResponsePlanResponse,
} from '@anxin/protocol';
import { HttpError } from './errors.js';
import type { CareKit } from './care-kit.js';
import { typed } from './typed.js';

export function careContactRoutes(server: FastifyInstance, kit: CareKit): Promise<void> {
  const app = typed(server);
  const { access, care } = kit;
  const idParams = { params: IdParamsSchema };

  // ── contacts ──

  app.get(
    '/api/v1/homes/:id/contacts',
    {
      ...kit.authed,
      schema: { tags: ['contacts'], ...idParams, response: { 200: ContactListResponseSchema } },
    },
    async (request): Promise<ContactListResponse> => {
      const { id } = request.params;
      await kit.homeOr404(request, id, 'contacts.read');
      return { contacts: await care.listContacts(id) };
    },
  );

  app.put(
    '/api/v1/homes/:id/contacts',
    {
      ...kit.authed,
      schema: {
        tags: ['contacts'],
        ...idParams,
        body: ReplaceContactsRequestSchema,
        response: { 200: ContactListResponseSchema },
      },
    },
    async (request): Promise<ContactListResponse> => {
      const { id } = request.params;
      const actor = await kit.homeWrite(request, id, 'contacts.replace');
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
      await kit.audit(actor, 'contacts.replace', 'home', id, { count: body.contacts.length });
      return { contacts: await care.listContacts(id) };
    },
  );

  app.patch(
    '/api/v1/homes/:id/contacts/:contactId',
    {
      ...kit.authed,
      schema: {
        tags: ['contacts'],
        params: ContactParamsSchema,
        body: UpdateContactRequestSchema,
        response: { 200: ContactResponseSchema },
      },
    },
    async (request): Promise<ContactResponse> => {
      const { id, contactId } = request.params;
      const actor = await kit.homeWrite(request, id, 'contact.update');
      const contact = await care.getContact(id, contactId);
      if (!contact) return access.notFound(request, 'contact', contactId, 'contact.update', false);
      // A family member sees every contact of their relative's home but edits only their own.
      if (actor.user.role === 'family' && contact.userId !== actor.user.id) {
        await kit.audit(actor, 'access.denied', 'contact', contactId, {
          reason: 'role',
          attempted: 'contact.update',
          homeId: id,
          own: false,
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
      await kit.audit(actor, 'contact.update', 'contact', contactId, {
        homeId: id,
        fields: Object.keys(body),
      });
      const updated = await care.getContact(id, contactId);
      if (!updated) throw new HttpError('NOT_FOUND', `contact ${contactId} not found`);
      return { contact: updated };
    },
  );

  // ── plans ──

  app.get(
    '/api/v1/homes/:id/plans',
    {
      ...kit.authed,
      schema: { tags: ['plans'], ...idParams, response: { 200: ResponsePlanListResponseSchema } },
    },
    async (request): Promise<ResponsePlanListResponse> => {
      const { id } = request.params;
      await kit.homeOr404(request, id, 'plans.read');
      return { plans: await care.listPlans(id) };
    },
  );

  app.put(
    '/api/v1/homes/:id/plans/:kind',
    {
      ...kit.authed,
      schema: {
        tags: ['plans'],
        params: PlanParamsSchema,
        body: SetResponsePlanRequestSchema,
        response: { 200: ResponsePlanResponseSchema },
      },
    },
    async (request): Promise<ResponsePlanResponse> => {
      const { id, kind } = request.params;
      const actor = await kit.homeWrite(request, id, 'plan.set');
      const body = request.body;
      const plan = await care.setPlan(id, kind, body.steps, actor.user.username, kit.now());
      await kit.audit(actor, 'plan.set', 'home', id, { kind, steps: body.steps.length });
      return { plan };
    },
  );

  return Promise.resolve();
}
