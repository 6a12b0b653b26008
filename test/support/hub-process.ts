/**
 * A real `anxin hub` process on loopback ports, and its REST API as a logged-in user: what the
 * tests with separate processes share (claim, gateway control). Build first: `npm run build`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HomeResponse } from '@anxin/protocol';
import { spawnAnxin, type AnxinProcess } from './anxin-process.js';
import { freePort } from './ports.js';

export interface HubProcess {
  process: AnxinProcess;
  httpUrl: string;
  /** The password the hub printed for the "admin" user it created on first start. */
  adminPassword: string;
}

/** Writes `dir`/hub.yaml (data under `dir`/hub, `extraYaml` lines appended) and starts the hub. */
export async function startHubProcess(
  dir: string,
  extraYaml: string[] = [],
  extraArgs: string[] = [],
): Promise<HubProcess> {
  const [httpPort, mqttPort] = [await freePort(), await freePort()];
  const file = join(dir, 'hub.yaml');
  writeFileSync(
    file,
    [
      `dataDir: ${join(dir, 'hub')}`,
      `http: { host: 127.0.0.1, port: ${httpPort} }`,
      `mqtt: { host: 127.0.0.1, port: ${mqttPort} }`,
      ...extraYaml,
      'log: { level: warn }',
    ].join('\n'),
  );
  const hub = spawnAnxin(['hub', '--config', file, ...extraArgs]);
  const [, adminPassword] = await hub.waitFor(
    /created user "admin" with password "([^"]+)"/,
    60_000,
  );
  const [, url] = await hub.waitFor(/console (http:\/\/\S+)/, 60_000);
  return { process: hub, httpUrl: url ?? '', adminPassword: adminPassword ?? '' };
}

export interface RestClient {
  api: <T>(
    cookie: string,
    method: string,
    path: string,
    body?: unknown,
  ) => Promise<{ status: number; body: T }>;
  /** Logs in and returns the session cookie; throws when the hub refuses. */
  login: (username: string, password: string) => Promise<string>;
}

/** REST calls under /api/v1 of the hub at `httpUrl`. */
export function restClient(httpUrl: string): RestClient {
  return {
    async api<T>(cookie: string, method: string, path: string, body?: unknown) {
      const res = await fetch(`${httpUrl}/api/v1${path}`, {
        method,
        headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
    },
    async login(username: string, password: string) {
      const res = await fetch(`${httpUrl}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (res.status !== 200)
        throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
      return (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    },
  };
}

/**
 * As the admin: a home in a new district/street/community and an installer assigned to it.
 * Returns the home's id and the installer's session cookie.
 */
export async function homeWithInstaller(
  rest: RestClient,
  adminCookie: string,
  name: string,
  installer: { username: string; password: string },
): Promise<{ homeId: string; installerCookie: string }> {
  const must = <T>(what: string, res: { status: number; body: T }, status: number): T => {
    if (res.status !== status)
      throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  };
  let parentId: string | null = null;
  for (const kind of ['district', 'street', 'community'] as const) {
    const area: { area: { id: string } } = must(
      `area ${kind}`,
      await rest.api<{ area: { id: string } }>(adminCookie, 'POST', '/areas', {
        kind,
        name: `${name} ${kind}`,
        ...(parentId ? { parentId } : {}),
      }),
      201,
    );
    parentId = area.area.id;
  }
  const home = must(
    'home',
    await rest.api<HomeResponse>(adminCookie, 'POST', '/homes', {
      areaId: parentId,
      address: `1 ${name} Road`,
    }),
    201,
  );
  const user = must(
    'installer',
    await rest.api<{ user: { id: string } }>(adminCookie, 'POST', '/users', {
      role: 'installer',
      ...installer,
    }),
    201,
  );
  must(
    'assignment',
    await rest.api(adminCookie, 'PUT', `/homes/${home.home.id}/installers`, {
      userIds: [user.user.id],
    }),
    200,
  );
  return {
    homeId: home.home.id,
    installerCookie: await rest.login(installer.username, installer.password),
  };
}
