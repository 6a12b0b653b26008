/**
 * The OpenAPI 3 document of every route, built by @fastify/swagger from the route schemas (the
 * same TypeBox schemas that validate requests) and served at GET /api/v1/openapi.json.
 * Registered before any route so that every route is collected.
 */
import fastifySwagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';

export const OPENAPI_PATH = '/api/v1/openapi.json';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Anxin hub API',
        description:
          'REST API of the Anxin hub (protocol/src/api.ts and care.ts). Sessions are the httpOnly ' +
          '`anxin_session` cookie set by POST /api/v1/session. Errors always have the ApiError shape.',
        version: '1',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'anxin_session' },
        },
      },
      security: [{ session: [] }],
    },
  });
}

export function registerOpenApiRoute(app: FastifyInstance): void {
  app.get(OPENAPI_PATH, { schema: { hide: true } }, () => app.swagger());
}
