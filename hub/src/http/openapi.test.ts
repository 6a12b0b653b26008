/**
 * Every operation in the hub's OpenAPI document declares what it answers (issue 14): a 2xx
 * response with a schema that says something. Fastify serializes with the response schema, so
 * a route without one is undocumented, and one whose schema is `{}` documents nothing.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hubConfig } from '../config.js';
import { buildHub, type Hub } from '../hub.js';
import { OPENAPI_PATH } from './openapi.js';
import { openApiGaps, type OpenApiDocument, type OpenApiResponses } from './openapi-gaps.js';

let dir = '';
let hub: Hub;
let doc: OpenApiDocument;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anxin-openapi-'));
  const config = hubConfig({
    dataDir: dir,
    http: { host: '127.0.0.1', port: 0, webRoot: join(dir, 'no-web') },
    mqtt: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  });
  hub = await buildHub(config, { logger: pino({ level: 'silent' }) });
  await hub.http.ready();
  const res = await hub.http.inject({ method: 'GET', url: OPENAPI_PATH });
  expect(res.statusCode).toBe(200);
  doc = res.json<OpenApiDocument>();
});

afterAll(async () => {
  await hub?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('the OpenAPI document', () => {
  it('declares a 2xx response schema for every operation', () => {
    const operations = Object.values(doc.paths).flatMap((ops) => Object.keys(ops));
    // The walk sees the whole API, not an empty document.
    expect(operations.length).toBeGreaterThan(80);
    // Every operation, with no exception list: a new route without its answer fails here.
    expect(openApiGaps(doc)).toEqual([]);
  });
});

describe('openApiGaps', () => {
  const op = (responses: OpenApiResponses): OpenApiDocument => ({
    paths: { '/x': { get: { responses } } },
  });
  const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
  it('names an operation without a 2xx answer, without a schema, or with an empty one', () => {
    expect(openApiGaps(op({ '400': json({ type: 'object' }) }))).toEqual([
      'GET /x: no 2xx response',
    ]);
    expect(openApiGaps(op({ '200': { description: 'Default Response' } }))).toEqual([
      'GET /x: 200 has no schema',
    ]);
    expect(openApiGaps(op({ '200': json({ description: 'anything' }) }))).toEqual([
      'GET /x: 200 application/json schema is {}',
    ]);
  });
  it('wants a body that is not JSON described as a string, bytes unless it is text', () => {
    const body = (type: string, schema: unknown) =>
      op({ '200': { content: { [type]: { schema } } } });
    expect(openApiGaps(body('text/csv', { type: 'object', properties: {} }))).toEqual([
      'GET /x: 200 text/csv schema is not a string',
    ]);
    const xlsx = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
    expect(openApiGaps(body(xlsx, { type: 'string' }))).toEqual([
      `GET /x: 200 ${xlsx} schema is a binary body without format: binary`,
    ]);
    expect(openApiGaps(body(xlsx, { type: 'string', format: 'binary' }))).toEqual([]);
    expect(openApiGaps(body('text/csv; charset=utf-8', { type: 'string' }))).toEqual([]);
    // A JSON answer may be a bare string; the rule is only for other media types.
    expect(
      openApiGaps(body('application/problem+json', { type: 'object', properties: {} })),
    ).toEqual([]);
  });
  it('accepts a described answer and a 204 without a body', () => {
    expect(openApiGaps(op({ '200': json({ type: 'object', properties: {} }) }))).toEqual([]);
    expect(openApiGaps(op({ '204': { description: 'No Content' } }))).toEqual([]);
  });
});
