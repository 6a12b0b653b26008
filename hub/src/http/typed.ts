/**
 * The TypeBox type provider: a route's request types (params, querystring, body) come from the
 * same TypeBox schemas that validate them, so handlers read `request.body` without a cast.
 * Validation itself stays with the server's Ajv compilers (server.ts); this is types only.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** The Fastify instance every route plugin registers on, typed by its schemas. */
export type ApiServer = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** The same instance, its routes typed by their TypeBox schemas (no runtime change). */
export function typed(app: FastifyInstance): ApiServer {
  return app.withTypeProvider<TypeBoxTypeProvider>();
}
