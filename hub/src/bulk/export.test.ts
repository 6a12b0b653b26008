/**
 * CSV exports and care figures over REST, in-process (inject()) on a real hub fed by a real MQTT
 * gateway: UTF-8 BOM, RFC 4180 quoting, the formula-injection guard, period and area filters,
 * roles and area scope, audit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AuditListResponse,
  CareFiguresResponse,
  ServiceRequestResponse,
} from '@anxin/protocol';
import { alarmEvent, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';
import { errorCodeOf, inject, injectLogin } from '../testing/inject.js';
import { seedDemo } from '../care/seed.js';
import { parseCsv } from './csv.js';

let h: RunningHub;
let gateway: TestGateway | undefined;
const cookies: Record<string, string> = {};
const call = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
  inject(h.hub.http, cookies[who], method, url, body);

function rowsOf(text: string): string[][] {
  expect(text.startsWith('\uFEFF')).toBe(true);
  const parsed = parseCsv(text.slice(1), 100_000);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.rows;
}

let alarmId = '';

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  for (const l of logins)
    cookies[l.username] = await injectLogin(h.hub.http, l.username, l.password);
  const supWest = await h.hub.createUser({
    username: 'sup-west',
    password: 'sup-west-pass',
    role: 'supervisor',
  });
  await h.hub.care.store.setUserScope(supWest.id, ['street-west']);
  cookies['sup-west'] = await injectLogin(h.hub.http, 'sup-west', 'sup-west-pass');

  // home-0001 is in the east street.
  await h.hub.provisionGateway({ gatewayId: 'gw-1', secret: 'secret-gw-1', homeId: 'home-0001' });
  gateway = await TestGateway.connect(h.mqttUrl, 'gw-1', 'secret-gw-1');
  await gateway.sendAlarms([alarmEvent(1, { kind: 'sos', deviceId: 'button-1' })]);
  await gateway.waitForAck((a) => a.acked.includes(1));
  await waitFor(async () => {
    const a = await call('operator', 'GET', '/api/v1/alarms');
    const list = (a.json as { alarms: { id: string }[] }).alarms;
    alarmId = list[0]?.id ?? '';
    return alarmId !== '';
  });
  await call('operator', 'POST', `/api/v1/alarms/${alarmId}/acknowledge`);
  const resolved = await call('operator', 'POST', `/api/v1/alarms/${alarmId}/resolve`, {
    outcome: 'handled_by_phone',
    notes: '=HYPERLINK("http://evil.example","click"), then "ok"',
  });
  expect(resolved.status).toBe(200);

  const sr = await call('operator', 'POST', '/api/v1/service-requests', {
    residentId: 'home-0001-r1',
    category: 'meal_delivery',
    description: '+cmd|calc, 午饭送餐',
  });
  expect(sr.status).toBe(201);
  const id = (sr.json as ServiceRequestResponse).serviceRequest.id;
  await call('operator', 'POST', `/api/v1/service-requests/${id}/assign`, {
    name: '社区食堂',
    phone: '010 6000 0000',
  });
  const done = await call('operator', 'POST', `/api/v1/service-requests/${id}/status`, {
    status: 'done',
    outcome: 'delivered',
  });
  expect(done.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await h?.close();
});

describe('CSV exports', () => {
  it('alarms: BOM, header, RFC 4180 quoting and the formula guard', async () => {
    const a = await call('admin', 'GET', '/api/v1/export/alarms');
    expect(a.status).toBe(200);
    expect(a.headers['content-type']).toContain('text/csv');
    expect(String(a.headers['content-disposition'])).toMatch(
      /attachment; filename="anxin-alarms-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const [header, ...rows] = rowsOf(a.text);
    expect(header?.slice(0, 4)).toEqual(['id', 'received_at', 'raised_at', 'kind']);
    expect(rows).toHaveLength(1);
    const row = Object.fromEntries((header ?? []).map((k, i) => [k, rows[0]?.[i]]));
    expect(row).toMatchObject({
      id: alarmId,
      kind: 'sos',
      status: 'resolved',
      area_id: 'community-east-1',
      home_id: 'home-0001',
      resident_id: '',
      outcome: 'handled_by_phone',
      test: 'false',
      // Written with a leading apostrophe: a spreadsheet shows it, never runs it.
      notes: `'=HYPERLINK("http://evil.example","click"), then "ok"`,
    });
    expect(a.text).toContain(`"'=HYPERLINK(""http://evil.example"",""click""), then ""ok"""`);
  });

  it('service requests and empty datasets; periods and areas filter', async () => {
    const sr = rowsOf((await call('supervisor', 'GET', '/api/v1/export/service_requests')).text);
    expect(sr).toHaveLength(2);
    const row = Object.fromEntries((sr[0] ?? []).map((k, i) => [k, sr[1]?.[i]]));
    expect(row).toMatchObject({
      category: 'meal_delivery',
      status: 'done',
      description: "'+cmd|calc, 午饭送餐",
      assignee_name: '社区食堂',
    });

    for (const dataset of ['welfare_checks', 'work_orders']) {
      const a = await call('admin', 'GET', `/api/v1/export/${dataset}`);
      expect(a.status).toBe(200);
      expect(rowsOf(a.text).length).toBeGreaterThanOrEqual(1);
    }
    const old = await call(
      'admin',
      'GET',
      '/api/v1/export/alarms?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z',
    );
    expect(rowsOf(old.text)).toHaveLength(1);
    const west = await call('admin', 'GET', '/api/v1/export/alarms?areaId=street-west');
    expect(rowsOf(west.text)).toHaveLength(1);
    const east = await call('admin', 'GET', '/api/v1/export/alarms?areaId=street-east');
    expect(rowsOf(east.text)).toHaveLength(2);
  });

  it('roles and areas: a supervisor exports their areas only; other roles 403', async () => {
    expect(rowsOf((await call('sup-west', 'GET', '/api/v1/export/alarms')).text)).toHaveLength(1);
    expect(
      rowsOf((await call('sup-west', 'GET', '/api/v1/export/service_requests')).text),
    ).toHaveLength(1);
    const outside = await call('sup-west', 'GET', '/api/v1/export/alarms?areaId=community-east-1');
    expect(outside.status).toBe(404);
    expect((await call('sup-west', 'GET', '/api/v1/care-figures?areaId=street-east')).status).toBe(
      404,
    );
    for (const who of ['operator', 'installer', 'family']) {
      const a = await call(who, 'GET', '/api/v1/export/alarms');
      expect(a.status).toBe(403);
      expect(errorCodeOf(a)).toBe('FORBIDDEN');
    }
    const bad = await call(
      'admin',
      'GET',
      '/api/v1/export/alarms?from=2026-01-01T00:00:00Z&to=2025-01-01T00:00:00Z',
    );
    expect(bad.status).toBe(400);
    expect((await call('admin', 'GET', '/api/v1/export/users')).status).toBe(400);
    const audit = (await call('admin', 'GET', '/api/v1/audit?action=data.export&limit=100'))
      .json as AuditListResponse;
    expect(audit.entries.length).toBeGreaterThanOrEqual(6);
  });

  it('care figures as JSON and as CSV', async () => {
    const a = await call('supervisor', 'GET', '/api/v1/care-figures');
    expect(a.status).toBe(200);
    const f = a.json as CareFiguresResponse;
    expect(f.serviceRequests).toEqual([
      expect.objectContaining({ category: 'meal_delivery', total: 1, done: 1, open: 0 }),
    ]);
    const west = (await call('sup-west', 'GET', '/api/v1/care-figures'))
      .json as CareFiguresResponse;
    expect(west.serviceRequests).toEqual([]);
    const csv = rowsOf((await call('admin', 'GET', '/api/v1/export/figures')).text);
    expect(csv[0]).toEqual(['section', 'group', 'metric', 'value']);
    expect(csv).toContainEqual(['service_requests', 'meal_delivery', 'done', '1']);
  });

  it('headers in the reader’s language: lang query, else Accept-Language, else codes', async () => {
    const zh = rowsOf((await call('admin', 'GET', '/api/v1/export/alarms?lang=zh-CN')).text);
    expect(zh[0]?.slice(0, 4)).toEqual(['编号', '接收时间', '触发时间', '类型']);
    // Values stay codes, whatever the header language.
    expect(zh[1]?.[3]).toBe('sos');
    const en = rowsOf((await call('admin', 'GET', '/api/v1/export/work_orders?lang=en')).text);
    expect(en[0]?.slice(0, 3)).toEqual(['ID', 'Created at', 'Area']);
    const figures = rowsOf((await call('admin', 'GET', '/api/v1/export/figures?lang=zh-CN')).text);
    expect(figures[0]).toEqual(['部分', '分组', '指标', '数值']);
    expect(figures).toContainEqual(['服务请求', 'meal_delivery', '已完成', '1']);
    const browser = await h.hub.http.inject({
      method: 'GET',
      url: '/api/v1/export/service_requests',
      headers: { cookie: cookies.admin ?? '', 'accept-language': 'fr;q=1, zh-CN;q=0.9, en;q=0.8' },
    });
    expect(rowsOf(browser.body)[0]?.slice(0, 2)).toEqual(['编号', '创建时间']);
    const bad = await call('admin', 'GET', '/api/v1/export/alarms?lang=fr');
    expect(bad.status).toBe(400);
    expect(errorCodeOf(bad)).toBe('VALIDATION_FAILED');
  });
});
