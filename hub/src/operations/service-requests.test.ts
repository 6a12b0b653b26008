/**
 * Service requests over REST, in-process (inject) on a real hub with an injected clock: an
 * operator takes a call, assigns it, a community worker works it, the family follows it; every
 * role tries what it must not (403), out of scope is 404, bad transitions are 409 with a code.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmListResponse,
  ApiError,
  ServiceRequestListResponse,
  ServiceRequestResponse,
} from '@anxin/protocol';
import { expectApiError, type RunningHub } from '../testing/harness.js';
import type { Injector } from '../testing/ops-inject.js';
import { startOpsHub } from '../testing/ops-hub.js';

let h: RunningHub;
let api: Injector;
let nowMs = Date.UTC(2026, 11, 4, 2, 0); // 10:00 in Shanghai
let ids: Record<string, string> = {};

beforeAll(async () => {
  // A second worker, in the west community.
  ({
    h,
    api,
    userIds: ids,
  } = await startOpsHub({
    clock: () => nowMs,
    users: [{ username: 'worker-west', role: 'community_worker', areaIds: ['community-west-1'] }],
  }));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const create = (who: string, body: unknown) =>
  api.call(who, 'POST', '/api/v1/service-requests', body);
const sr = (a: { body: unknown }) => (a.body as ServiceRequestResponse).serviceRequest;
const list = async (who: string, query = '') =>
  (
    (await api.call(who, 'GET', `/api/v1/service-requests${query}`))
      .body as ServiceRequestListResponse
  ).serviceRequests;

describe('service requests', () => {
  let mealId = '';
  let westId = '';

  it('an operator records a call; it is open, in its own queue, not among the alarms', async () => {
    const a = await create('operator', {
      residentId: 'home-0001-r1',
      category: 'meal_delivery',
      description: 'Lunch delivery from tomorrow, low salt',
      urgency: 'normal',
      requestedFor: '2026-12-05T04:00:00.000Z',
    });
    expect(a.status).toBe(201);
    const dto = sr(a);
    mealId = dto.id;
    expect(dto).toMatchObject({
      homeId: 'home-0001',
      residentId: 'home-0001-r1',
      status: 'open',
      source: 'call',
      category: 'meal_delivery',
      requestedFor: '2026-12-05T04:00:00.000Z',
      createdBy: 'Duty operator 值班接线员',
      assignee: null,
    });
    expect(dto.residentName).toContain('Wang Xiuying');
    expect(dto.address).toContain('Heping');
    const high = await create('operator', {
      residentId: 'home-0002-r1',
      category: 'repair',
      description: 'Water heater broken',
      urgency: 'high',
    });
    westId = sr(high).id;
    // Most urgent first.
    expect((await list('operator')).map((r) => r.id)).toEqual([westId, mealId]);
    const alarms = (await api.call('operator', 'GET', '/api/v1/alarms')).body as AlarmListResponse;
    expect(alarms.alarms).toEqual([]);
  });

  it('is assigned to a community worker, who starts and completes it with an outcome', async () => {
    const assigned = await api.call(
      'operator',
      'POST',
      `/api/v1/service-requests/${mealId}/assign`,
      {
        userId: ids.worker,
        note: 'Please arrange with the canteen',
      },
    );
    expect(assigned.status).toBe(200);
    expect(sr(assigned).status).toBe('assigned');
    expect(sr(assigned).assignee).toEqual({
      userId: ids.worker,
      name: 'Community worker 社区工作者',
      phone: null,
    });
    // The worker sees only what is assigned to them.
    expect((await list('worker')).map((r) => r.id)).toEqual([mealId]);
    expect(await list('worker-west')).toEqual([]);
    expectApiError(
      await api.call('worker-west', 'GET', `/api/v1/service-requests/${mealId}`),
      404,
      'NOT_FOUND',
    );

    const started = await api.call('worker', 'POST', `/api/v1/service-requests/${mealId}/status`, {
      status: 'in_progress',
    });
    expect(sr(started).status).toBe('in_progress');
    const noted = await api.call('worker', 'POST', `/api/v1/service-requests/${mealId}/notes`, {
      text: 'First lunch delivered tomorrow at 12:00',
      familyVisible: true,
    });
    expect(sr(noted).notes.map((n) => n.text)).toEqual([
      'Please arrange with the canteen',
      'First lunch delivered tomorrow at 12:00',
    ]);
    expectApiError(
      await api.call('worker', 'POST', `/api/v1/service-requests/${mealId}/status`, {
        status: 'done',
      }),
      400,
      'VALIDATION_FAILED',
    );
    nowMs += 3_600_000;
    const done = await api.call('worker', 'POST', `/api/v1/service-requests/${mealId}/status`, {
      status: 'done',
      outcome: 'Daily lunch arranged with the community canteen',
    });
    expect(sr(done)).toMatchObject({ status: 'done', closedAt: new Date(nowMs).toISOString() });
    const again = await api.call('operator', 'POST', `/api/v1/service-requests/${mealId}/status`, {
      status: 'cancelled',
      outcome: 'no',
    });
    expectApiError(again, 409, 'CONFLICT');
    expect((again.body as ApiError).error.message).toMatch(/^TASK_CLOSED/);
    // Closed requests leave the open queue; status=done lists them.
    expect((await list('operator')).map((r) => r.id)).toEqual([westId]);
    expect((await list('operator', '?status=done')).map((r) => r.id)).toEqual([mealId]);
  });

  it('the family sees only their relative’s requests, the status and family-visible notes', async () => {
    const mine = await list('family', '?status=open,assigned,in_progress,done,cancelled');
    expect(mine.map((r) => r.id)).toEqual([mealId]);
    const one = sr(await api.call('family', 'GET', `/api/v1/service-requests/${mealId}`));
    expect(one.status).toBe('done');
    expect(one.notes.map((n) => n.text)).toEqual(['First lunch delivered tomorrow at 12:00']);
    expect(one.createdBy).toBeNull();
    expect(one.assignee).toEqual({
      userId: null,
      name: 'Community worker 社区工作者',
      phone: null,
    });
    expectApiError(
      await api.call('family', 'GET', `/api/v1/service-requests/${westId}`),
      404,
      'NOT_FOUND',
    );
  });

  it('refuses what a role may not do (403), what it may not see (404) and bad input (400)', async () => {
    const body = { residentId: 'home-0001-r1', category: 'other', description: 'x' };
    expectApiError(await create('family', body), 403, 'FORBIDDEN');
    expectApiError(await create('installer', body), 403, 'FORBIDDEN');
    expectApiError(await create('worker', body), 403, 'FORBIDDEN');
    expectApiError(
      await api.call('installer', 'GET', '/api/v1/service-requests'),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await api.call('worker', 'POST', `/api/v1/service-requests/${westId}/assign`, { name: 'x' }),
      403,
      'FORBIDDEN',
    );
    expectApiError(await create('operator', { ...body, residentId: 'nobody' }), 404, 'NOT_FOUND');
    expectApiError(
      await create('operator', { ...body, category: 'taxi' }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await create('operator', { ...body, description: '' }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(await create('operator', { ...body, extra: 1 }), 400, 'VALIDATION_FAILED');
    expectApiError(await create('operator', '{"residentId":'), 400, 'VALIDATION_FAILED');
    expectApiError(
      await api.call('operator', 'GET', '/api/v1/service-requests?status=lost'),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await api.call(' nobody', 'GET', '/api/v1/service-requests'),
      401,
      'UNAUTHENTICATED',
    );
    // Starting an unassigned request, assigning to a family user or to nobody.
    const start = await api.call('operator', 'POST', `/api/v1/service-requests/${westId}/status`, {
      status: 'in_progress',
    });
    expectApiError(start, 409, 'CONFLICT');
    expect((start.body as ApiError).error.message).toMatch(/^NOT_ASSIGNED/);
    expectApiError(
      await api.call('operator', 'POST', `/api/v1/service-requests/${westId}/assign`, {
        userId: ids.family,
      }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await api.call('operator', 'POST', `/api/v1/service-requests/${westId}/assign`, {}),
      400,
      'VALIDATION_FAILED',
    );
    // An outside provider by name and phone.
    const provider = await api.call(
      'operator',
      'POST',
      `/api/v1/service-requests/${westId}/assign`,
      {
        name: '平安维修 Ping An Repairs',
        phone: '+86 10 8888 0000',
      },
    );
    expect(sr(provider).assignee).toEqual({
      userId: null,
      name: '平安维修 Ping An Repairs',
      phone: '+86 10 8888 0000',
    });
    expectApiError(
      await api.call('operator', 'GET', '/api/v1/service-requests/unknown-id'),
      404,
      'NOT_FOUND',
    );
  });

  it('audits every change and every refusal', async () => {
    const a = await api.call(
      'admin',
      'GET',
      `/api/v1/audit?targetType=service_request&targetId=${mealId}&limit=50`,
    );
    const actions = (a.body as { entries: { action: string }[] }).entries.map((e) => e.action);
    expect(actions.sort()).toEqual(
      [
        // worker-west's read of a request not theirs.
        'access.denied',
        'service_request.created',
        'service_request.assigned',
        'service_request.in_progress',
        'service_request.note',
        'service_request.done',
      ].sort(),
    );
  });
});
