/**
 * Welfare checks over REST, in-process (inject) on a real hub with an injected clock: the demo's
 * plans generate today's calls and visits; results move the schedule, two "not reached" in a row
 * and a concern open follow-up requests; a community worker sees and records only the visits of
 * their area; a wellbeing alarm is resolved by the check made for it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmDetailResponse,
  ApiError,
  ServiceRequestResponse,
  WelfareCheckDto,
  WelfareCheckListResponse,
  WelfareCheckResponse,
  WelfarePlanResponse,
} from '@anxin/protocol';
import { insertNewAlarm } from '../store/alarms.js';
import { expectApiError, type RunningHub } from '../testing/harness.js';
import type { Injector } from '../testing/ops-inject.js';
import { startOpsHub } from '../testing/ops-hub.js';

let h: RunningHub;
let api: Injector;
const DAY = 86_400_000;
let nowMs = Date.UTC(2026, 11, 4, 2, 0); // 2026-12-04 10:00 in Shanghai

beforeAll(async () => {
  ({ h, api } = await startOpsHub({
    clock: () => nowMs,
    users: [{ username: 'worker-west', role: 'community_worker', areaIds: ['community-west-1'] }],
  }));
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const checks = async (who: string, query = '') => {
  const a = await api.call(who, 'GET', `/api/v1/welfare-checks${query}`);
  expect(a.status).toBe(200);
  return a.body as WelfareCheckListResponse;
};
const find = (list: WelfareCheckDto[], residentId: string, kind: string) => {
  const c = list.find((x) => x.residentId === residentId && x.kind === kind);
  if (!c) throw new Error(`no ${kind} for ${residentId} in ${JSON.stringify(list)}`);
  return c;
};
const record = (who: string, id: string, result: string, note?: string) =>
  api.call(who, 'POST', `/api/v1/welfare-checks/${id}/result`, {
    result,
    ...(note ? { note } : {}),
  });

describe('welfare checks', () => {
  it('lists today’s calls and visits due; a worker sees only the visits of their area', async () => {
    const today = await checks('operator');
    expect(today.day).toBe('2026-12-04');
    expect(
      today.checks
        .filter((c) => c.kind === 'call')
        .map((c) => c.residentId)
        .sort(),
    ).toEqual(['home-0001-r1', 'home-0002-r1', 'home-0003-r1']);
    expect(today.checks.every((c) => !c.overdue && c.status === 'pending')).toBe(true);
    const visit = find(today.checks, 'home-0001-r1', 'visit');
    expect(visit).toMatchObject({ windowStartDay: '2026-12-04', dueDay: '2026-12-15' });
    expect((await checks('operator', '?kind=call')).checks).toHaveLength(3);

    const worker = await checks('worker', '?kind=call');
    expect(worker.checks.map((c) => `${c.kind}:${c.residentId}`).sort()).toEqual([
      'visit:home-0001-r1',
      'visit:home-0003-r1',
    ]);
    expect((await checks('worker-west')).checks).toEqual([]);
    expectApiError(await api.call('family', 'GET', '/api/v1/welfare-checks'), 403, 'FORBIDDEN');
    expectApiError(await api.call('installer', 'GET', '/api/v1/welfare-checks'), 403, 'FORBIDDEN');
    expectApiError(
      await api.call('operator', 'GET', '/api/v1/welfare-checks?day=2026-02-30'),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('"not reached" brings the call to the next day; twice in a row opens a follow-up', async () => {
    const call = find((await checks('operator')).checks, 'home-0001-r1', 'call');
    const first = await record('operator', call.id, 'not_reached', 'No answer at 10:00');
    expect((first.body as WelfareCheckResponse).check).toMatchObject({
      status: 'done',
      result: 'not_reached',
      followUpRequestId: null,
      doneBy: 'Duty operator 值班接线员',
    });
    expectApiError(await record('operator', call.id, 'reached'), 409, 'CONFLICT');
    expect((await checks('operator', '?kind=call')).checks.map((c) => c.residentId)).not.toContain(
      'home-0001-r1',
    );

    nowMs += DAY; // 2026-12-05
    const retry = find((await checks('operator', '?kind=call')).checks, 'home-0001-r1', 'call');
    expect(retry.dueDay).toBe('2026-12-05');
    const second = (await record('operator', retry.id, 'not_reached')).body as WelfareCheckResponse;
    const followUp = second.check.followUpRequestId;
    expect(followUp).not.toBeNull();
    const request = (
      (await api.call('operator', 'GET', `/api/v1/service-requests/${followUp}`))
        .body as ServiceRequestResponse
    ).serviceRequest;
    expect(request).toMatchObject({
      source: 'welfare_check',
      welfareCheckId: retry.id,
      urgency: 'high',
      residentId: 'home-0001-r1',
      status: 'open',
    });
  });

  it('an untouched check becomes overdue and is listed first', async () => {
    nowMs += 3 * DAY; // 2026-12-08
    const list = (await checks('operator', '?kind=call')).checks;
    expect(list[0]?.overdue).toBe(true);
    expect(list.filter((c) => c.overdue).map((c) => c.dueDay)).toEqual([
      '2026-12-04',
      '2026-12-04',
      '2026-12-06',
    ]);
  });

  it('a concern opens a follow-up and keeps the plan’s cadence', async () => {
    const call = find((await checks('operator', '?kind=call')).checks, 'home-0002-r1', 'call');
    const r = (await record('operator', call.id, 'concern_raised', 'Sounds confused, no food'))
      .body as WelfareCheckResponse;
    expect(r.check.followUpRequestId).not.toBeNull();
    const next = await checks('operator', '?kind=call&day=2026-12-10');
    expect(find(next.checks, 'home-0002-r1', 'call').dueDay).toBe('2026-12-10');
  });

  it('a community worker records the visits of their area only', async () => {
    const visits = (await checks('worker')).checks;
    const visit = find(visits, 'home-0003-r1', 'visit');
    expectApiError(await record('worker-west', visit.id, 'reached'), 404, 'NOT_FOUND');
    const call = find((await checks('operator', '?kind=call')).checks, 'home-0003-r1', 'call');
    expectApiError(await record('worker', call.id, 'reached'), 404, 'NOT_FOUND');
    expectApiError(await record('family', visit.id, 'reached'), 403, 'FORBIDDEN');
    expectApiError(await record('worker', visit.id, 'fine'), 400, 'VALIDATION_FAILED');
    const done = (await record('worker', visit.id, 'reached', 'Fridge stocked'))
      .body as WelfareCheckResponse;
    expect(done.check.doneBy).toBe('Community worker 社区工作者');
    const after = (await checks('worker', '?day=2026-12-16')).checks;
    expect(find(after, 'home-0003-r1', 'visit')).toMatchObject({
      windowStartDay: '2026-12-16',
      dueDay: '2026-12-31',
    });
  });

  it('plans: created by the call centre, paused (pending check cancelled), scoped', async () => {
    const made = await api.call('operator', 'POST', '/api/v1/welfare-plans', {
      residentId: 'home-0002-r1',
      kind: 'visit',
      cadence: 'per_month',
      count: 1,
    });
    expect(made.status).toBe(201);
    const plan = (made.body as WelfarePlanResponse).plan;
    expect(plan).toMatchObject({ startDay: '2026-12-08', active: true });
    expect((await checks('worker-west')).checks.map((c) => c.residentId)).toEqual(['home-0002-r1']);
    const paused = await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${plan.id}`, {
      active: false,
    });
    expect((paused.body as WelfarePlanResponse).plan.active).toBe(false);
    expect((await checks('worker-west')).checks).toEqual([]);
    // Resumed on the same schedule: the cancelled check of that day is owed again.
    await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${plan.id}`, { active: true });
    const resumed = (await checks('worker-west')).checks;
    expect(resumed.map((c) => [c.residentId, c.dueDay])).toEqual([['home-0002-r1', '2026-12-31']]);
    // A new schedule replaces the pending check with one on it.
    const moved = await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${plan.id}`, {
      cadence: 'every_days',
      count: 7,
      startDay: '2026-12-10',
    });
    expect((moved.body as WelfarePlanResponse).plan).toMatchObject({ cadence: 'every_days' });
    expect((await checks('worker-west', '?day=2026-12-10')).checks.map((c) => c.dueDay)).toEqual([
      '2026-12-10',
    ]);
    expectApiError(
      await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${plan.id}`, {
        startDay: '2026-02-30',
      }),
      400,
      'VALIDATION_FAILED',
    );
    await api.call('operator', 'PATCH', `/api/v1/welfare-plans/${plan.id}`, { active: false });
    const body = { residentId: 'home-0002-r1', kind: 'call', cadence: 'every_days', count: 3 };
    expectApiError(
      await api.call('family', 'POST', '/api/v1/welfare-plans', body),
      403,
      'FORBIDDEN',
    );
    expectApiError(
      await api.call('operator', 'POST', '/api/v1/welfare-plans', { ...body, residentId: 'x-r9' }),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await api.call('operator', 'POST', '/api/v1/welfare-plans', { ...body, count: 0 }),
      400,
      'VALIDATION_FAILED',
    );
    expectApiError(
      await api.call('operator', 'POST', '/api/v1/welfare-plans', {
        ...body,
        startDay: '2026-13-01',
      }),
      400,
      'VALIDATION_FAILED',
    );
  });

  it('a check made for a wellbeing alarm resolves it when the resident is reached', async () => {
    await h.hub.provisionGateway({
      gatewayId: 'gw-w1',
      secret: 'secret-gw-w1',
      homeId: 'home-0001',
    });
    const row = await h.hub.operations.db.transaction().execute((trx) =>
      insertNewAlarm(trx, {
        gatewayId: 'gw-w1',
        deviceId: 'water-meter',
        homeId: 'home-0001',
        kind: 'inactivity',
        test: 0,
        raisedAt: nowMs,
        receivedAt: nowMs,
        lastTriggerAt: nowMs,
      }),
    );
    const other = await api.call('operator', 'POST', '/api/v1/welfare-checks', {
      residentId: 'home-0002-r1',
      kind: 'call',
      alarmId: row.id,
    });
    expectApiError(other, 400, 'VALIDATION_FAILED');
    const made = await api.call('operator', 'POST', '/api/v1/welfare-checks', {
      residentId: 'home-0001-r1',
      kind: 'call',
      alarmId: row.id,
    });
    expect(made.status).toBe(201);
    const check = (made.body as WelfareCheckResponse).check;
    expect(check).toMatchObject({ planId: null, alarmId: row.id, dueDay: '2026-12-08' });
    await record('operator', check.id, 'reached', 'She was at her daughter’s');
    const alarm = (
      (await api.call('operator', 'GET', `/api/v1/alarms/${row.id}`)).body as AlarmDetailResponse
    ).alarm;
    expect(alarm).toMatchObject({ status: 'resolved', outcome: 'handled_by_phone' });
    expect(alarm.notes).toContain(check.id);
    const again = await api.call('operator', 'POST', '/api/v1/welfare-checks', {
      residentId: 'home-0001-r1',
      kind: 'call',
      alarmId: row.id,
    });
    expectApiError(again, 409, 'CONFLICT');
    expect((again.body as ApiError).error.message).toMatch(/^ALARM_RESOLVED/);
  });
});
