/**
 * A community worker's visits over REST (issue 13), in-process on a real hub with SQLite: a
 * worker sees the visits assigned to them and the unassigned ones of their areas, never another
 * worker's assigned visits (not in the list, 404 when read or recorded); operators see all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WelfareCheckListResponse, WelfareCheckResponse } from '@anxin/protocol';
import { expectApiError, type RunningHub } from '../testing/harness.js';
import type { Injector } from '../testing/ops-inject.js';
import { startOpsHub } from '../testing/ops-hub.js';

let h: RunningHub;
let api: Injector;
let ids: Record<string, string> = {};
const visits: Record<string, string> = {};

const visit = async (residentId: string, assignee: string | null) => {
  const made = await api.call('operator', 'POST', '/api/v1/welfare-checks', {
    residentId,
    kind: 'visit',
    ...(assignee ? { assigneeUserId: ids[assignee] } : {}),
  });
  expect(made.status).toBe(201);
  return (made.body as WelfareCheckResponse).check.id;
};

const listed = async (who: string) => {
  const a = await api.call(who, 'GET', '/api/v1/welfare-checks');
  expect(a.status).toBe(200);
  return new Set((a.body as WelfareCheckListResponse).checks.map((c) => c.id));
};

beforeAll(async () => {
  const worker = (username: string) => ({
    username,
    role: 'community_worker' as const,
    areaIds: ['community-east-1'],
  });
  ({
    h,
    api,
    userIds: ids,
  } = await startOpsHub({ users: [worker('worker-a'), worker('worker-b')] }));
  // home-0001 and home-0003 are in community-east-1 (the demo's seed).
  visits.a = await visit('home-0001-r1', 'worker-a');
  visits.b = await visit('home-0003-r1', 'worker-b');
  visits.open = await visit('home-0003-r1', null);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('community workers see their own and the unassigned visits', () => {
  it('lists: own and unassigned, not another worker’s; operators see all', async () => {
    const a = await listed('worker-a');
    const b = await listed('worker-b');
    expect([a.has(visits.a!), a.has(visits.open!), a.has(visits.b!)]).toEqual([true, true, false]);
    expect([b.has(visits.b!), b.has(visits.open!), b.has(visits.a!)]).toEqual([true, true, false]);
    // The demo's worker has the seeded visits assigned to them, none of these assigned ones.
    const seeded = await listed('worker');
    expect([seeded.has(visits.open!), seeded.has(visits.a!), seeded.has(visits.b!)]).toEqual([
      true,
      false,
      false,
    ]);
    expect(seeded.size).toBeGreaterThan(1);
    for (const id of seeded) expect(a.has(id) && id !== visits.open).toBe(false);
    const all = await listed('operator');
    for (const id of [visits.a!, visits.b!, visits.open!]) expect(all.has(id)).toBe(true);
  });

  it('another worker’s visit cannot be read or recorded (404); an unassigned one can', async () => {
    expectApiError(
      await api.call('worker-a', 'GET', `/api/v1/welfare-checks/${visits.b}`),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await api.call('worker-a', 'POST', `/api/v1/welfare-checks/${visits.b}/result`, {
        result: 'reached',
      }),
      404,
      'NOT_FOUND',
    );
    const own = await api.call('worker-a', 'GET', `/api/v1/welfare-checks/${visits.a}`);
    expect(own.status).toBe(200);
    const done = await api.call(
      'worker-a',
      'POST',
      `/api/v1/welfare-checks/${visits.open}/result`,
      {
        result: 'reached',
      },
    );
    expect(done.status).toBe(200);
    expect((done.body as WelfareCheckResponse).check).toMatchObject({ status: 'done' });
    // The other worker's visit is still pending, for them.
    const theirs = await api.call('worker-b', 'GET', `/api/v1/welfare-checks/${visits.b}`);
    expect((theirs.body as WelfareCheckResponse).check.status).toBe('pending');
  });
});
