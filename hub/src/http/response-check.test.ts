/**
 * The test-time response check (response-check.ts): an answer with a property its schema does not
 * name, a mistyped value or a missing field fails loudly instead of being dropped or coerced by
 * the serializer; a fitting answer passes unchanged.
 */
import { Type } from '@sinclair/typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { errorHandler } from './errors.js';
import { checkResponses, checkResponsesFromEnv, strictCopy } from './response-check.js';

const ItemSchema = Type.Object({ id: Type.String(), size: Type.Integer() });
const AnswerSchema = Type.Object({
  items: Type.Array(ItemSchema),
  note: Type.Optional(Type.String()),
});

let app: FastifyInstance | undefined;
afterEach(async () => {
  await app?.close();
  app = undefined;
});

async function serve(answer: unknown, check = true): Promise<FastifyInstance> {
  const log = pino({ level: 'silent' });
  const loggerInstance: FastifyBaseLogger = log;
  const server = Fastify({ loggerInstance });
  server.setErrorHandler(errorHandler(log, () => undefined));
  if (check) checkResponses(server, log);
  server.get('/thing', { schema: { response: { 200: AnswerSchema } } }, () => answer);
  server.get('/unchecked', () => ({ anything: 1 }));
  const refusal = { 200: AnswerSchema, 404: Type.Object({ error: Type.String() }) };
  server.get('/refused', { schema: { response: refusal } }, (_q, reply) =>
    reply.status(404).send({ error: 'not here', more: 1 }),
  );
  await server.ready();
  app = server;
  return server;
}

describe('response check', () => {
  it('is on in the test environment (vitest.config.ts)', () => {
    expect(checkResponsesFromEnv()).toBe(true);
    expect(checkResponsesFromEnv({})).toBe(false);
  });

  it('closes every object schema without a rule of its own', () => {
    const copy = strictCopy(
      Type.Object({
        a: Type.Object({ b: Type.String() }),
        m: Type.Record(Type.String(), Type.Number()),
        open: Type.Object({ x: Type.Number() }, { additionalProperties: true }),
      }),
    ) as Record<string, unknown>;
    const props = copy.properties as Record<string, Record<string, unknown>>;
    expect(copy.additionalProperties).toBe(false);
    expect(props.a?.additionalProperties).toBe(false);
    expect(props.m?.additionalProperties).toBeUndefined();
    expect(props.open?.additionalProperties).toBe(true);
  });

  it('lets a fitting answer through unchanged', async () => {
    const body = { items: [{ id: 'a', size: 2 }], note: 'n' };
    const res = await (await serve(body)).inject({ method: 'GET', url: '/thing' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(body);
  });

  it.each([
    [
      'a property the schema does not name',
      { items: [{ id: 'a', size: 2, extra: true }] },
      /extra/,
    ],
    ['a mistyped value', { items: [{ id: 'a', size: '2' }] }, /\/items\/0\/size must be integer/],
    ['a missing field', { items: [{ id: 'a' }] }, /must have required property 'size'/],
  ])('answers 500 naming %s', async (_what, body, reason) => {
    const res = await (await serve(body)).inject({ method: 'GET', url: '/thing' });
    expect(res.statusCode).toBe(500);
    const error = res.json<{ error: { code: string; message: string } }>().error;
    expect(error.code).toBe('INTERNAL');
    expect(error.message).toMatch(/GET \/thing answered outside its 200 schema/);
    expect(error.message).toMatch(reason);
  });

  it('is what catches the drift: without it the serializer drops the property', async () => {
    const body = { items: [{ id: 'a', size: 2, extra: true }] };
    const res = await (await serve(body, false)).inject({ method: 'GET', url: '/thing' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ items: [{ id: 'a', size: 2 }] });
  });

  it('leaves routes without a schema and non-2xx answers alone', async () => {
    const server = await serve({ items: [] });
    expect((await server.inject({ method: 'GET', url: '/unchecked' })).json()).toEqual({
      anything: 1,
    });
    const refused = await server.inject({ method: 'GET', url: '/refused' });
    expect(refused.statusCode).toBe(404);
    expect(refused.json()).toEqual({ error: 'not here' });
  });
});
