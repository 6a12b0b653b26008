/**
 * The TypeBox type provider: a route's request types (params, querystring, body) come from the
 * same TypeBox schemas that validate them, so handlers read `request.body` without a cast.
 * Validation itself stays with the server's Ajv compilers (server.ts); this is types only.
 * It is the same declaration as @fastify/type-provider-typebox's TypeBoxTypeProvider, kept here
 * because that package's runtime half (a TypeBox validator compiler) is not used.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyTypeProvider,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';

/** Request types are the schemas' static types; replies are typed by `response` schemas. */
export interface TypeBoxTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
  serializer: this['schema'] extends TSchema ? Static<this['schema']> : unknown;
}

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
