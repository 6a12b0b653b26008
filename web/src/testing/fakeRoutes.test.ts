/**
 * The fake hub (fakeHub.ts) against the real one (issue 14: a re-implemented REST can drift).
 * The real hub is built in-process (SQLite in a temp dir, nothing listening); its Fastify instance
 * says which routes exist, and its OpenAPI document holds the response schemas, compiled with the
 * hub's own validator. Every route the fake answers (fakeRoutes.ts; it refuses all others) must
 * exist in the hub with the same method and path, and every GET answer of the fake must validate
 * against the hub's 200 response schema where the hub declares one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHub, hubConfig, type Hub } from '@anxin/hub';
import { SESSION_COOKIE } from '@anxin/protocol';
import type { HTTPMethods } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAKE_USERS, startFakeHub, type FakeHub } from './fakeHub';
import { FAKE_ROUTES, matchFakeRoute } from './fakeRoutes';

type Schema = Record<string, unknown>;
interface OpenApi {
  paths: Record<string, Record<string, { responses?: Record<string, unknown> }>>;
  components?: { schemas?: Record<string, Schema> };
}

let dir = '';
let hub: Hub;
let fake: FakeHub;
let openApi: OpenApi;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'anxin-fake-routes-'));
  const config = hubConfig({
    dataDir: join(dir, 'data'),
    http: { host: '127.0.0.1', port: 0, webRoot: join(dir, 'no-web') },
    mqtt: { host: '127.0.0.1', port: 0 },
    log: { level: 'silent' },
  });
  hub = await buildHub(config, { logger: pino({ level: 'silent' }) });
  await hub.http.ready();
  const doc = await hub.http.inject({ method: 'GET', url: '/api/v1/openapi.json' });
  openApi = doc.json<OpenApi>();
  fake = await startFakeHub(join(dir, 'no-dist'));
});

afterAll(async () => {
  await fake?.close();
  await hub?.close();
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

const split = (route: string) => {
  const [method, path] = route.split(' ') as [HTTPMethods, string];
  return { method, path };
};

const COMPONENT = '#/components/schemas/';

/**
 * Inlines `#/components/schemas/…` references so the schema compiles on its own. A reference
 * inside its own target (a recursive schema: JsonValue) cannot be inlined; it points to one copy
 * of the target under the root's `$defs` instead.
 */
function selfContained(schema: unknown): unknown {
  const defs: Record<string, unknown> = {};
  const inline = (node: unknown, seen: Set<string>): unknown => {
    if (Array.isArray(node)) return node.map((s) => inline(s, seen));
    if (node === null || typeof node !== 'object') return node;
    const ref = (node as { $ref?: unknown }).$ref;
    if (typeof ref === 'string' && ref.startsWith(COMPONENT)) {
      const name = ref.slice(COMPONENT.length);
      const target = openApi.components?.schemas?.[name];
      if (!seen.has(name)) return inline(target, new Set([...seen, name]));
      if (!(name in defs)) {
        defs[name] = {}; // taken before the copy, which refers to itself
        defs[name] = inline(target, new Set([name]));
      }
      return { $ref: `#/$defs/${name}` };
    }
    // `$id`s go: the same schema is compiled once per route, and Ajv refuses a second `$id`.
    return Object.fromEntries(
      Object.entries(node)
        .filter(([key]) => key !== '$id')
        .map(([key, value]) => [key, inline(value, seen)]),
    );
  };
  const root = inline(schema, new Set()) as Schema;
  return Object.keys(defs).length === 0 ? root : { ...root, $defs: defs };
}

/** The hub's 200 response schema of a route, if it declares one. */
function responseSchema(method: string, path: string): Schema | undefined {
  const openApiPath = path.replace(/:([A-Za-z]+)/g, '{$1}');
  const answer = openApi.paths[openApiPath]?.[method.toLowerCase()]?.responses?.['200'] as
    { content?: Record<string, { schema?: Schema }> } | undefined;
  const schema = answer?.content?.['application/json']?.schema;
  return schema === undefined ? undefined : (selfContained(schema) as Schema);
}

describe('the fake hub against the real hub', () => {
  it('answers only its listed routes', async () => {
    expect(matchFakeRoute('GET', '/api/v1/homes/h-1/card')).toBe('GET /api/v1/homes/:id/card');
    expect(matchFakeRoute('DELETE', '/api/v1/homes/h-1')).toBeUndefined();
    const res = await fetch(`${fake.url}/api/v1/no-such-route`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /no route GET \/api\/v1\/no-such-route/,
    );
  });

  it('lists only routes the hub has, with the same method and path', () => {
    const missing = FAKE_ROUTES.filter(
      (route) => !hub.http.hasRoute({ url: split(route).path, method: split(route).method }),
    );
    expect(missing).toEqual([]);
    // The check can fail: a route the hub does not have is reported.
    expect(hub.http.hasRoute({ url: '/api/v1/homes/:id/no-such', method: 'GET' })).toBe(false);
  });

  it('answers its GET routes with bodies that fit the hub’s response schemas', async () => {
    const cookies = new Map<string, string>();
    for (const user of Object.values(FAKE_USERS)) {
      const res = await fetch(`${fake.url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: user.password }),
      });
      expect(res.status).toBe(200);
      const token = /anxin_session=([^;]+)/.exec(res.headers.get('set-cookie') ?? '')?.[1];
      cookies.set(user.username, `${SESSION_COOKIE}=${token ?? ''}`);
    }
    const get = async (url: string, cookie: string) => {
      const res = await fetch(`${fake.url}${url}`, { headers: { cookie } });
      return { status: res.status, body: (await res.json()) as unknown };
    };
    // Real ids from the fake's own data for the routes' parameters.
    const supervisor = cookies.get(FAKE_USERS.supervisor.username) ?? '';
    const homes = (await get('/api/v1/homes', supervisor)).body as { homes: { id: string }[] };
    const gateways = (await get('/api/v1/gateways', supervisor)).body as {
      gateways: { id: string }[];
    };
    const alarm = fake.raise('sos', { homeId: homes.homes[0]?.id ?? null });
    const params: Record<string, string> = {
      id: '',
      contactId: 'c-1',
      deviceId: 'd-1',
      gatewayId: gateways.gateways[0]?.id ?? 'none',
    };
    const query: Record<string, string> = {
      'GET /api/v1/homes/:id/telemetry': '?fields=power_w',
    };
    const idFor = (path: string) =>
      path.startsWith('/api/v1/alarms/')
        ? alarm.id
        : path.startsWith('/api/v1/gateways/')
          ? (gateways.gateways[0]?.id ?? 'none')
          : (homes.homes[0]?.id ?? 'none');

    const problems: string[] = [];
    let validated = 0;
    for (const route of FAKE_ROUTES.filter((r) => r.startsWith('GET '))) {
      const { method, path } = split(route);
      const url =
        path.replace(/:([A-Za-z]+)/g, (_, name: string) =>
          name === 'id' ? idFor(path) : (params[name] ?? 'x'),
        ) + (query[route] ?? '');
      let answer: { status: number; body: unknown } | undefined;
      for (const cookie of cookies.values()) {
        answer = await get(url, cookie);
        if (answer.status === 200) break;
      }
      if (answer?.status !== 200) {
        problems.push(`${route}: the fake answers ${answer?.status} for every user`);
        continue;
      }
      const schema = responseSchema(method, path);
      if (schema === undefined) continue;
      const validate = hub.http.validatorCompiler?.({
        schema,
        method,
        url: path,
        httpPart: 'body',
      });
      if (validate === undefined) throw new Error('the hub has no validator compiler');
      // The hub's compiler is Ajv's: a synchronous validator that answers true or false.
      const passes = (body: unknown) => validate(body) === true;
      validated += 1;
      // The schema can refuse: a body without the route's fields does not pass.
      if (passes({ unexpected: true })) {
        problems.push(`${route}: the hub's schema accepts anything; nothing was checked`);
      }
      if (!passes(answer.body)) {
        const errors = (validate as { errors?: unknown }).errors;
        problems.push(`${route}: ${JSON.stringify(errors)}`);
      }
    }
    expect(problems).toEqual([]);
    // Today the hub declares 200 schemas for 4 of these routes (care figures and the operations
    // lists); the count only grows as hub/src/http adds response schemas.
    expect(validated).toBeGreaterThanOrEqual(4);
  });
});
