/**
 * Commissioning records through inject() on a real hub (SQL migration 0910): the installer assigned to
 * the home records the guided test's result and reads it back newest first; supervisors and admins
 * in scope too; others 403 (role) or 404 (scope), every refusal and record audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditListResponse,
  CommissioningRecordListResponse,
  CommissioningRecordResponse,
  CreateCommissioningRecordRequest,
} from '@anxin/protocol';
import { expectApiError, startHub, type RunningHub } from '../testing/harness.js';
import { Injector } from '../testing/ops-inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
// REST in-process through inject(); the hub is the real one, its port unused by these calls.
let api: Injector;

const call = (who: string, method: string, path: string, body?: unknown) =>
  api.call(who, method, path, body);

const record = (startedAt: string): CreateCommissioningRecordRequest => ({
  startedAt,
  startedBy: 'Installer 安装员',
  finishedAt: new Date(Date.parse(startedAt) + 600_000).toISOString(),
  finishedBy: 'Installer 安装员',
  steps: [
    {
      gatewayId: 'gw-1',
      deviceId: 'button-1',
      kind: 'sos_button',
      result: 'passed',
      at: new Date(Date.parse(startedAt) + 60_000).toISOString(),
      by: 'Installer 安装员',
      evidence: 'test alarm sos',
    },
    {
      gatewayId: 'gw-1',
      deviceId: 'door-1',
      kind: 'door',
      result: 'untested',
      at: null,
      by: null,
    },
  ],
});

beforeAll(async () => {
  h = await startHub();
  api = new Injector(h.hub.http);
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  for (const l of logins) await api.login(l.username, l.password);
  // An installer with no home assigned, and a supervisor of the west street only.
  for (const u of [
    { username: 'inst-none', role: 'installer', password: 'inst-none-pass' },
    {
      username: 'sup-west',
      role: 'supervisor',
      password: 'sup-west-pass',
      areaIds: ['street-west'],
    },
  ]) {
    expect((await call('admin', 'POST', '/api/v1/users', u)).status).toBe(201);
    await api.login(u.username, u.password);
  }
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('commissioning records', () => {
  it('the assigned installer records a test and reads it back; newest first', async () => {
    const empty = await call('installer', 'GET', '/api/v1/homes/home-0001/commissioning');
    expect(empty.status).toBe(200);
    expect((empty.body as CommissioningRecordListResponse).records).toEqual([]);

    const first = record('2026-11-20T09:00:00.000Z');
    const a = await call('installer', 'POST', '/api/v1/homes/home-0001/commissioning', first);
    expect(a.status).toBe(201);
    const stored = (a.body as CommissioningRecordResponse).record;
    expect(stored).toMatchObject({
      homeId: 'home-0001',
      startedAt: first.startedAt,
      startedBy: first.startedBy,
      finishedAt: first.finishedAt,
      finishedBy: first.finishedBy,
      steps: first.steps,
    });
    expect(stored.recordedBy.username).toBe('installer');
    expect(Math.abs(Date.parse(stored.recordedAt) - Date.now())).toBeLessThan(60_000);

    const second = record('2026-11-21T09:00:00.000Z');
    const b = await call('supervisor', 'POST', '/api/v1/homes/home-0001/commissioning', second);
    expect(b.status).toBe(201);
    const list = (
      (await call('installer', 'GET', '/api/v1/homes/home-0001/commissioning'))
        .body as CommissioningRecordListResponse
    ).records;
    expect(list.map((r) => [r.startedAt, r.recordedBy.username])).toEqual([
      [second.startedAt, 'supervisor'],
      [first.startedAt, 'installer'],
    ]);
    expect(list[1]).toEqual(stored);
    // Another home's list is its own.
    const other = await call('admin', 'GET', '/api/v1/homes/home-0002/commissioning');
    expect((other.body as CommissioningRecordListResponse).records).toEqual([]);

    const audit = (
      (await call('admin', 'GET', '/api/v1/audit?action=commissioning.record&targetId=home-0001'))
        .body as AuditListResponse
    ).entries;
    expect(audit.map((e) => e.username)).toEqual(['supervisor', 'installer']);
    expect(audit[1]?.detail).toMatchObject({ steps: 2, passed: 1, finished: true });
  });

  it('operators and family may never (403); out of scope and unknown homes are 404; audited', async () => {
    const before = (
      (await call('admin', 'GET', '/api/v1/audit?action=access.denied&limit=1000'))
        .body as AuditListResponse
    ).entries.length;
    const body = record('2026-11-22T09:00:00.000Z');
    for (const who of ['operator', 'family']) {
      expectApiError(
        await call(who, 'POST', '/api/v1/homes/home-0001/commissioning', body),
        403,
        'FORBIDDEN',
      );
      expectApiError(
        await call(who, 'GET', '/api/v1/homes/home-0001/commissioning'),
        403,
        'FORBIDDEN',
      );
    }
    expectApiError(
      await call('inst-none', 'POST', '/api/v1/homes/home-0001/commissioning', body),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('inst-none', 'GET', '/api/v1/homes/home-0001/commissioning'),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('sup-west', 'GET', '/api/v1/homes/home-0001/commissioning'),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await call('admin', 'GET', '/api/v1/homes/home-9999/commissioning'),
      404,
      'NOT_FOUND',
    );
    const after = (
      (await call('admin', 'GET', '/api/v1/audit?action=access.denied&limit=1000'))
        .body as AuditListResponse
    ).entries.length;
    expect(after - before).toBe(8);
    // Nothing was stored by the refused attempts.
    const list = (
      (await call('admin', 'GET', '/api/v1/homes/home-0001/commissioning'))
        .body as CommissioningRecordListResponse
    ).records;
    expect(list.length).toBe(2);
  });

  it('bad records get the one error shape', async () => {
    const path = '/api/v1/homes/home-0001/commissioning';
    const good = record('2026-11-22T09:00:00.000Z');
    for (const bad of [
      {},
      { ...good, startedAt: 'yesterday' },
      { ...good, extra: 1 },
      { ...good, steps: [{ ...good.steps[0], result: 'maybe' }] },
      { ...good, steps: [{ ...good.steps[0], deviceId: '../etc' }] },
      { ...good, steps: Array.from({ length: 513 }, () => good.steps[1]) },
    ])
      expectApiError(await call('installer', 'POST', path, bad), 400, 'VALIDATION_FAILED');
  });
});
