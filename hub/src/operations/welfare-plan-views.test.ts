/**
 * Welfare plans as the web's plans page uses them, over REST in-process on a real hub with an
 * injected clock: the list names the resident, address, assignee and next check, filters by
 * area (its subtree) and by active; a plan is deleted (its pending check cancelled, the checks
 * made kept, audited) only by the call centre and only in scope; the assignee list offers the
 * community workers of the caller's areas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditListResponse,
  WelfareAssigneeListResponse,
  WelfareCheckListResponse,
  WelfarePlanListResponse,
  WelfarePlanResponse,
} from '@anxin/protocol';
import { expectApiError, type RunningHub } from '../testing/harness.js';
import type { Injector } from '../testing/ops-inject.js';
import { startOpsHub } from '../testing/ops-hub.js';

let h: RunningHub;
let api: Injector;
const nowMs = Date.UTC(2026, 11, 4, 2, 0); // 2026-12-04 10:00 in Shanghai

beforeAll(async () => {
  // An operator of the west community only: the east's plans are not theirs.
  ({ h, api } = await startOpsHub({
    clock: () => nowMs,
    users: [{ username: 'operator-west', role: 'operator', areaIds: ['community-west-1'] }],
  }));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const plans = async (who: string, query = '') => {
  const a = await api.call(who, 'GET', `/api/v1/welfare-plans${query}`);
  expect(a.status).toBe(200);
  return (a.body as WelfarePlanListResponse).plans;
};
const calls = async (residentId: string, day = '2026-12-04') => {
  const a = await api.call(
    'operator',
    'GET',
    `/api/v1/welfare-checks?residentId=${residentId}&day=${day}`,
  );
  return (a.body as WelfareCheckListResponse).checks;
};

describe('welfare plans for the plans page', () => {
  it('lists plans with resident, address, assignee and next check; by area and by state', async () => {
    const all = await plans('operator');
    const visit = all.find((p) => p.residentId === 'home-0001-r1' && p.kind === 'visit');
    expect(visit).toMatchObject({
      residentName: expect.stringMatching(/\S/) as unknown,
      address: expect.stringContaining('Heping Road') as unknown,
      assigneeName: 'Community worker 社区工作者',
      nextWindowStartDay: '2026-12-04',
      nextDueDay: '2026-12-15',
    });
    const call = all.find((p) => p.residentId === 'home-0002-r1' && p.kind === 'call');
    expect(call).toMatchObject({ assigneeName: null, nextDueDay: '2026-12-04' });

    const west = await plans('operator', '?areaId=community-west-1');
    expect(west.map((p) => p.residentId)).toEqual(['home-0002-r1']);
    // The district holds both communities (an area is listed with its subtree).
    expect(await plans('operator', '?areaId=district-anxin')).toHaveLength(all.length);
    expect(await plans('operator', '?areaId=no-such-area')).toEqual([]);
    // Out of the caller's scope stays out, whatever the filter.
    expect(
      (await plans('operator-west', '?areaId=district-anxin')).map((p) => p.residentId),
    ).toEqual(['home-0002-r1']);

    const paused = await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${call?.id}`, {
      active: false,
    });
    expect((paused.body as WelfarePlanResponse).plan).toMatchObject({
      active: false,
      nextDueDay: null,
      residentName: call?.residentName,
    });
    expect((await plans('operator', '?active=false')).map((p) => p.id)).toEqual([call?.id]);
    expect((await plans('operator', '?active=true')).some((p) => p.id === call?.id)).toBe(false);
    expectApiError(
      await api.call('operator', 'GET', '/api/v1/welfare-plans?active=maybe'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('deletes a plan: pending check cancelled, checks made kept; role and scope enforced', async () => {
    const made = await api.call('operator', 'POST', '/api/v1/welfare-plans', {
      residentId: 'home-0003-r1',
      kind: 'call',
      cadence: 'every_days',
      count: 1,
      startDay: '2026-12-03',
    });
    expect(made.status).toBe(201);
    const plan = (made.body as WelfarePlanResponse).plan;
    expect(plan).toMatchObject({ nextDueDay: '2026-12-03', active: true });
    const due = (await calls('home-0003-r1')).find((c) => c.planId === plan.id);
    expect(due?.overdue).toBe(true);
    const done = await api.call('operator', 'POST', `/api/v1/welfare-checks/${due?.id}/result`, {
      result: 'reached',
    });
    expect(done.status).toBe(200);
    // Every day: the next call is tomorrow's.
    expect((await plans('operator')).find((p) => p.id === plan.id)?.nextDueDay).toBe('2026-12-05');
    const next = (await calls('home-0003-r1', '2026-12-05')).find((c) => c.planId === plan.id);
    expect(next?.dueDay).toBe('2026-12-05');

    const path = `/api/v1/welfare-plans/${plan.id}`;
    expectApiError(await api.call('family', 'DELETE', path), 403, 'FORBIDDEN');
    expectApiError(await api.call('worker', 'DELETE', path), 403, 'FORBIDDEN');
    // home-0003 is in the east: another community's operator is told it does not exist.
    expectApiError(await api.call('operator-west', 'DELETE', path), 404, 'NOT_FOUND');
    expectApiError(
      await api.call('operator', 'DELETE', '/api/v1/welfare-plans/no-such-plan'),
      404,
      'NOT_FOUND',
    );

    const deleted = await api.call('operator', 'DELETE', path);
    expect(deleted.status).toBe(204);
    expect((await plans('operator')).some((p) => p.id === plan.id)).toBe(false);
    expect((await calls('home-0003-r1', '2026-12-05')).some((c) => c.id === next?.id)).toBe(false);
    // The call made stays on record, without its plan.
    const kept = await api.call('operator', 'GET', `/api/v1/welfare-checks/${due?.id}`);
    expect(kept.status).toBe(200);
    expect(kept.body).toMatchObject({ check: { planId: null, result: 'reached' } });
    expectApiError(await api.call('operator', 'DELETE', path), 404, 'NOT_FOUND');
    const audit = await api.call('admin', 'GET', '/api/v1/audit?action=welfare_plan.delete');
    expect(audit.status).toBe(200);
    expect(
      (audit.body as AuditListResponse).entries.some(
        (e) => e.targetId === plan.id && e.action === 'welfare_plan.delete',
      ),
    ).toBe(true);
  });

  it('offers the community workers of the caller’s areas as assignees', async () => {
    const all = await api.call('operator', 'GET', '/api/v1/welfare-assignees');
    expect(all.status).toBe(200);
    expect((all.body as WelfareAssigneeListResponse).assignees.map((a) => a.displayName)).toEqual([
      'Community worker 社区工作者',
    ]);
    // The demo worker's area is the east community: not the west operator's.
    const west = await api.call('operator-west', 'GET', '/api/v1/welfare-assignees');
    expect((west.body as WelfareAssigneeListResponse).assignees).toEqual([]);
    expectApiError(await api.call('worker', 'GET', '/api/v1/welfare-assignees'), 403, 'FORBIDDEN');
    expectApiError(
      await api.call('installer', 'GET', '/api/v1/welfare-assignees'),
      403,
      'FORBIDDEN',
    );
  });
});
