/**
 * The set-up the operations REST tests share: a real hub (with an optional injected clock), the
 * demo seed, every seeded login and any extra users logged in through inject().
 */
import { expect } from 'vitest';
import type { CareUserResponse, UserListResponse, UserRole } from '@anxin/protocol';
import type { BuildHubOptions } from '../hub.js';
import { seedDemo } from '../care/seed.js';
import { startHub, type RunningHub } from './harness.js';
import { Injector } from './ops-inject.js';

/** A user made by the admin for one test file; its password is `<username>-pass`. */
export interface ExtraUser {
  username: string;
  role: UserRole;
  areaIds: string[];
}

export interface OpsHub {
  h: RunningHub;
  api: Injector;
  /** User ids by username, for the seeded logins and the extra users. */
  userIds: Record<string, string>;
}

export async function startOpsHub(
  options: { homes?: number; clock?: BuildHubOptions['clock']; users?: ExtraUser[] } = {},
): Promise<OpsHub> {
  const h = await startHub({}, options.clock ? { clock: options.clock } : {});
  const { logins } = await seedDemo(h.hub, { homes: options.homes ?? 3 });
  const api = new Injector(h.hub.http);
  for (const l of logins) await api.login(l.username, l.password);
  const userIds: Record<string, string> = {};
  for (const u of options.users ?? []) {
    const password = `${u.username}-pass`;
    const made = await api.call('admin', 'POST', '/api/v1/users', { ...u, password });
    expect(made.status).toBe(201);
    userIds[u.username] = (made.body as CareUserResponse).user.id;
    await api.login(u.username, password);
  }
  const users = (await api.call('admin', 'GET', '/api/v1/users')).body as UserListResponse;
  for (const u of users.users) userIds[u.username] = u.id;
  return { h, api, userIds };
}
