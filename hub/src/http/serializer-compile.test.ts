/**
 * The hub builds its response serializers whole when it starts (server.ts, serializerOpts): the
 * first reply of a route whose schema has "text or null" fields (anyOf) compiles nothing on the
 * event loop. fast-json-stringify leaves each branch's Ajv validator to its first use, and on a
 * fresh hub the first alarm resolve stalled the event loop ~110 ms (bench latency, hub profile).
 * The test suite's hubs keep the lazy way (LAZY_SERIALIZERS_ENV, vitest.config.ts); so does the
 * second hub here, which shows what the first one is spared.
 */
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AuditListResponse } from '@anxin/protocol';
import { seedDemo } from '../care/seed.js';
import { callApi, login, startHub, type RunningHub } from '../testing/harness.js';
import { LAZY_SERIALIZERS_ENV } from './server.js';

/** Where the Ajv that fast-json-stringify validates with compiles a schema. */
interface AjvCompiling {
  _compileSchemaEnv(...args: unknown[]): unknown;
}

/** fast-json-stringify's own Ajv (a copy under its package, not the hub's), as fastify finds it. */
function serializerAjv(): AjvCompiling {
  const fromHub = createRequire(import.meta.url);
  const fromFastify = createRequire(fromHub.resolve('fastify'));
  const fromSerializer = createRequire(fromFastify.resolve('fast-json-stringify'));
  const ajv = fromSerializer('ajv') as { prototype: AjvCompiling };
  expect(typeof ajv.prototype._compileSchemaEnv).toBe('function');
  return ajv.prototype;
}

const started: RunningHub[] = [];
const lazyEnv = process.env[LAZY_SERIALIZERS_ENV];

afterEach(async () => {
  if (lazyEnv === undefined) delete process.env[LAZY_SERIALIZERS_ENV];
  else process.env[LAZY_SERIALIZERS_ENV] = lazyEnv;
  await Promise.all(started.splice(0).map((h) => h.close()));
});

/** A hub (eager or lazy serializers), and how many Ajv compiles its first audit read made. */
async function compilesOnFirstAuditRead(lazy: boolean): Promise<number> {
  if (lazy) process.env[LAZY_SERIALIZERS_ENV] = '1';
  else delete process.env[LAZY_SERIALIZERS_ENV];
  const h = await startHub();
  started.push(h);
  const admin = (await seedDemo(h.hub, { homes: 1 })).logins.find((l) => l.role === 'admin');
  if (!admin) throw new Error('the demo seed has no admin');
  const cookie = await login(h.httpUrl, admin.username, admin.password);
  const compiles = vi.spyOn(serializerAjv(), '_compileSchemaEnv');
  try {
    const answer = await callApi(h.httpUrl, cookie, 'GET', '/api/v1/audit?limit=5');
    expect(answer.status).toBe(200);
    // The login's own entry: its user fields are strings, its targetId and detail go through
    // their anyOf branches too, so the serializer ran its validators.
    const { entries } = answer.body as AuditListResponse;
    expect(entries.some((e) => e.action === 'session.login' && e.userId !== null)).toBe(true);
    return compiles.mock.calls.length;
  } finally {
    compiles.mockRestore();
  }
}

describe('response serializers', () => {
  it("compile nothing on a route's first reply with nullable fields", async () => {
    expect(await compilesOnFirstAuditRead(false)).toBe(0);
  });

  it('left lazy (the test suite), compile on that first reply', async () => {
    expect(await compilesOnFirstAuditRead(true)).toBeGreaterThan(0);
  });
});
