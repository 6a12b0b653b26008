/**
 * Test-time guard for response schemas (issue 14). Fastify serializes a reply with its route's
 * response schema (fast-json-stringify), which silently drops every property the schema does not
 * name and coerces mistyped values: a schema narrower than what the route returns would quietly
 * take data away from the web. With `ANXIN_CHECK_RESPONSES=1` (set for every test by
 * vitest.config.ts, inherited by the hub processes tests start), each 2xx JSON answer is checked
 * before serialization against a strict copy of its schema — every object closed to unknown
 * properties, no coercion — and a mismatch answers 500 INTERNAL with the differences logged, so
 * any test that touches the route fails. Off in production: the check costs a validation per
 * answer and a schema drift there must not turn answers into errors.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import { isRecord } from '@anxin/protocol';
import { HttpError } from './errors.js';

export const CHECK_RESPONSES_ENV = 'ANXIN_CHECK_RESPONSES';

/** Whether this process checks its answers (the test environment sets the variable). */
export function checkResponsesFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[CHECK_RESPONSES_ENV] === '1';
}

type Json = null | boolean | number | string | Json[] | JsonObject;
type JsonObject = { [key: string]: Json };

/**
 * A copy of a schema in which every object schema with named properties and no rule of its own
 * for other properties refuses them (TypeBox's `[Kind]` symbols are not copied; Ajv ignores them).
 * Values JSON cannot hold (undefined, functions) are left out, as JSON.stringify would.
 */
export function strictCopy(schema: unknown): Json | undefined {
  if (schema === null || typeof schema === 'boolean' || typeof schema === 'string') return schema;
  if (typeof schema === 'number') return schema;
  if (Array.isArray(schema)) return schema.map((item) => strictCopy(item) ?? null);
  return isRecord(schema) ? strictObjectCopy(schema) : undefined;
}

/** {@link strictCopy} of one object schema. */
function strictObjectCopy(schema: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    // `properties` maps names to schemas: copy each schema, never treat the map as a schema.
    const copy =
      (key === 'properties' || key === 'patternProperties') && isRecord(value)
        ? copyEach(value)
        : strictCopy(value);
    if (copy !== undefined) out[key] = copy;
  }
  if (
    'properties' in out &&
    !('additionalProperties' in out) &&
    !('patternProperties' in out) &&
    !('unevaluatedProperties' in out)
  )
    out.additionalProperties = false;
  return out;
}

/** Each schema of a name → schema map, copied strictly. */
function copyEach(map: Record<string, unknown>): JsonObject {
  const out: JsonObject = {};
  for (const [name, schema] of Object.entries(map)) {
    const copy = strictCopy(schema);
    if (copy !== undefined) out[name] = copy;
  }
  return out;
}

/** The route's schema for this status, as Fastify picks it: exact code, then `2xx`, then default. */
function schemaFor(request: FastifyRequest, status: number): unknown {
  const responses: unknown = request.routeOptions.schema?.response;
  if (!isRecord(responses)) return undefined;
  const entry = responses[String(status)] ?? responses['2xx'] ?? responses['2XX'];
  if (!isRecord(entry)) return undefined;
  // `{ content: { 'application/json': { schema } } }` is a schema per media type.
  const content = entry.content;
  if (isRecord(content)) {
    const json = content['application/json'];
    return isRecord(json) ? json.schema : undefined;
  }
  return entry;
}

/** Adds the check to every route of the instance. */
export function checkResponses(app: FastifyInstance, log: Logger): void {
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: false });
  ajvFormats.default(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  app.addHook('preSerialization', async (request, reply, payload) => {
    if (reply.statusCode < 200 || reply.statusCode > 299) return payload;
    const schema = schemaFor(request, reply.statusCode);
    if (!isRecord(schema)) return payload;
    let validate = compiled.get(schema);
    if (validate === undefined) {
      validate = ajv.compile(strictObjectCopy(schema));
      compiled.set(schema, validate);
    }
    if (validate(payload)) return payload;
    const route = `${request.method} ${request.routeOptions.url ?? request.url}`;
    const errors = (validate.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`,
    );
    log.error({ route, status: reply.statusCode, errors }, 'answer does not fit its schema');
    // The message is in the answer (tests only): a failing test shows which field drifted.
    throw new HttpError(
      'INTERNAL',
      `${route} answered outside its ${reply.statusCode} schema: ${errors.join('; ')}`,
    );
  });
}
