/**
 * The Fastify application: JSON parsing and validation, the one error shape, API, ops routes and
 * the web console. Built here, listened on by the hub.
 */
import fastifyCookie from '@fastify/cookie';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ApiErrorCode } from '@anxin/protocol';
import { registerCareRoutes, type CareRouteDeps } from './care-routes.js';
import { errorHandler } from './errors.js';
import { registerOpenApi, registerOpenApiRoute } from './openapi.js';
import { checkResponses } from './response-check.js';
import { registerOpsRoutes, type HealthCheck } from './ops.js';
import { registerApiRoutes, type RouteDeps } from './routes.js';
import { registerWeb } from './web.js';

export interface HttpDeps extends RouteDeps {
  log: Logger;
  bodyLimit: number;
  webRoot: string;
  checks: HealthCheck[];
  renderMetrics: () => Promise<string>;
  onError: (code: ApiErrorCode) => void;
  /** HTTPS with this certificate and key (PEM), else plain HTTP. */
  https?: { cert: Buffer; key: Buffer };
  /** The care model's routes (protocol/src/care.ts). */
  care: Omit<CareRouteDeps, 'access' | 'alarms' | 'scopedAlarms'>;
  /** Check every 2xx answer against a strict copy of its schema (tests; response-check.ts). */
  checkResponses?: boolean;
  /** Leave response serializers' validators to their first use (tests; see serializerOpts). */
  lazySerializers?: boolean;
}

export const LAZY_SERIALIZERS_ENV = 'ANXIN_LAZY_SERIALIZERS';

/** Whether this process builds serializers lazily (the test environment sets the variable). */
export function lazySerializersFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[LAZY_SERIALIZERS_ENV] === '1';
}

export async function buildHttpServer(deps: HttpDeps): Promise<FastifyInstance> {
  const loggerInstance: FastifyBaseLogger = deps.log;
  // With `https`, Fastify serves TLS on the same routes; the instance type is the same to callers
  // (they only use routes, inject and `server` as a node server to attach Socket.IO to).
  const app = Fastify({
    ...(deps.https ? { https: deps.https } : {}),
    loggerInstance,
    // Per-request lines would drown the hub's own logs; errors are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: deps.bodyLimit,
    trustProxy: false,
    // fast-json-stringify checks a value against each branch of a response schema's anyOf (every
    // "text or null" field) with Ajv, which compiles lazily: the first reply of a route compiled
    // them on the event loop, and the first alarm resolve after a start stalled the hub ~110 ms
    // (bench latency, hub CPU profile) while alarms waited — after a restart, in the middle of
    // the reconnect storm. Compiled when the routes are built instead: measured, a hub starts in
    // ~1.6 s instead of ~0.6 s. The test suite starts hundreds of hubs and skips it.
    ...(deps.lazySerializers === true ? {} : { serializerOpts: { compileValidators: true } }),
  });
  // Two validators. Bodies are JSON and already typed: they are never coerced (with coercion, Ajv
  // turns a JSON null into '' wherever a schema allows "text or null", silently changing data).
  // Query strings and path parameters arrive as text: their scalars are coerced. Both reject what
  // the schema does not allow instead of dropping it (Fastify's default removes extra properties).
  const validatorFor = (coerceTypes: false | 'array') => {
    const ajv = new Ajv({
      coerceTypes,
      useDefaults: true,
      removeAdditional: false,
      allErrors: false,
      strict: false,
    });
    // ajv-formats is CommonJS: its default import is the module, whose `default` is the plugin.
    ajvFormats.default(ajv);
    return ajv;
  };
  const bodyValidator = validatorFor(false);
  const textValidator = validatorFor('array');
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? bodyValidator : textValidator).compile(schema),
  );
  app.decorateRequest('session', null);
  app.decorateRequest('actor', null);

  // An empty body with a JSON content type (some clients send one on bodiless POSTs) is no body.
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') {
      done(null, undefined);
      return;
    }
    void defaultJson(request, String(body), done);
  });

  // JSON only: anything else is 415 UNSUPPORTED_MEDIA_TYPE, not a string handed to validation.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(errorHandler(deps.log, deps.onError));
  // Before any route, so that every route's answers pass through it.
  if (deps.checkResponses === true) checkResponses(app, deps.log);
  await app.register(fastifyCookie);
  // Before any route, so that the OpenAPI document lists them all.
  await registerOpenApi(app);
  registerApiRoutes(app, deps);
  registerCareRoutes(app, {
    ...deps.care,
    access: deps.access,
    alarms: deps.alarms,
    scopedAlarms: deps.scopedAlarms,
  });
  registerOpenApiRoute(app);
  registerOpsRoutes(app, { checks: deps.checks, renderMetrics: deps.renderMetrics });
  await registerWeb(app, deps.webRoot, deps.log);
  return app;
}
