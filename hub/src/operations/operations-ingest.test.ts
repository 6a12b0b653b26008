/**
 * Care operations where devices and alarms meet them, on a real hub with a real MQTT gateway
 * and a real local webhook receiver (node:http on a loopback port):
 *  - a service button's listed action opens a service request through ingest (durable before the
 *    ack, a replay opens nothing new), every other press stays an SOS in the alarm queue;
 *  - a resolved alarm makes a work order only for the outcomes that call for one;
 *  - low-battery alarms open one maintenance order per device (unique key), again once closed;
 *  - alarm.*, service_request.* and work_order.* webhooks arrive signed.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmDto,
  AlarmListResponse,
  ApiError,
  ServiceRequestListResponse,
  WorkOrderListResponse,
  WorkOrderResponse,
} from '@anxin/protocol';
import { seedDemo } from '../care/seed.js';
import { verifySignature } from '../notify/signature.js';
import {
  alarmEvent,
  expectApiError,
  startHub,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';
import { Injector } from '../testing/ops-inject.js';

const SECRET = 'relay-shared-secret-0001';
const got: { headers: IncomingHttpHeaders; body: string }[] = [];
const receiver = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    got.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    res.end('ok');
  });
});
let h: RunningHub;
let api: Injector;
let gw: TestGateway;
let seq = 0;

beforeAll(async () => {
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const { port } = receiver.address() as AddressInfo;
  h = await startHub({
    notify: {
      pollIntervalMs: 50,
      webhooks: [
        {
          url: `http://127.0.0.1:${port}/relay`,
          secret: SECRET,
          events: ['alarm.*', 'service_request.*', 'work_order.*'],
        },
      ],
    },
  });
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  api = new Injector(h.hub.http);
  for (const l of logins) await api.login(l.username, l.password);
  await h.hub.provisionGateway({
    gatewayId: 'gw-east',
    secret: 'secret-gw-east',
    homeId: 'home-0001',
  });
  gw = await TestGateway.connect(h.mqttUrl, 'gw-east', 'secret-gw-east');
}, 60_000);

afterAll(async () => {
  await gw?.close();
  await h?.close();
  receiver.closeAllConnections();
  await new Promise<void>((r) => receiver.close(() => r()));
});

async function send(overrides: Parameters<typeof alarmEvent>[1]) {
  seq += 1;
  const event = alarmEvent(seq, overrides);
  await gw.sendAlarms([event]);
  const n = seq;
  await gw.waitForAck((a) => a.acked.includes(n));
  return event;
}
const alarms = async () =>
  ((await api.call('operator', 'GET', '/api/v1/alarms')).body as AlarmListResponse).alarms;
const requests = async () =>
  (
    (await api.call('operator', 'GET', '/api/v1/service-requests'))
      .body as ServiceRequestListResponse
  ).serviceRequests;
const orders = async (who = 'operator', query = '') =>
  ((await api.call(who, 'GET', `/api/v1/work-orders${query}`)).body as WorkOrderListResponse)
    .workOrders;
const resolve = async (id: string, outcome: string) => {
  const a = await api.call('operator', 'POST', `/api/v1/alarms/${id}/resolve`, { outcome });
  expect(a.status).toBe(200);
};

describe('service buttons through ingest', () => {
  it('only an installer (or admin) sets a button, on a gateway in scope', async () => {
    const path = '/api/v1/gateways/gw-east/devices/button-1/service-button';
    const body = { actions: ['double'], category: 'companionship' };
    expectApiError(await api.call('operator', 'PUT', path, body), 403, 'FORBIDDEN');
    expectApiError(await api.call('family', 'PUT', path, body), 403, 'FORBIDDEN');
    expectApiError(
      await api.call('installer', 'PUT', '/api/v1/gateways/gw-none/devices/b/service-button', body),
      404,
      'NOT_FOUND',
    );
    expectApiError(
      await api.call('installer', 'PUT', path, { actions: ['bad action'] }),
      400,
      'VALIDATION_FAILED',
    );
    const set = await api.call('installer', 'PUT', path, body);
    expect(set.status).toBe(200);
    const listed = await api.call('operator', 'GET', '/api/v1/gateways/gw-east/service-buttons');
    expect(listed.body).toMatchObject({
      serviceButtons: [{ deviceId: 'button-1', actions: ['double'], category: 'companionship' }],
    });
  });

  it('the listed action opens a request, not an alarm; a replay opens nothing new', async () => {
    const press = await send({ kind: 'sos', deviceId: 'button-1', detail: { action: 'double' } });
    expect(await alarms()).toEqual([]);
    const list = await requests();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      source: 'device',
      gatewayId: 'gw-east',
      deviceId: 'button-1',
      homeId: 'home-0001',
      residentId: 'home-0001-r1',
      category: 'companionship',
      status: 'open',
    });
    await gw.sendAlarms([press]);
    await waitFor(() => gw.acks.filter((a) => a.acked.includes(press.seq)).length >= 2);
    expect(await requests()).toHaveLength(1);
  });

  it('any other press of the same button is an SOS, first in the alarm queue', async () => {
    await send({ kind: 'sos', deviceId: 'button-1', detail: { action: 'single' } });
    const list = await alarms();
    expect(list.map((a) => `${a.kind}:${a.deviceId}`)).toEqual(['sos:button-1']);
    expect(await requests()).toHaveLength(1);
  });

  it('removing a button answers 204 without a body; it is then gone (404 again)', async () => {
    const path = '/api/v1/gateways/gw-east/devices/button-1/service-button';
    expectApiError(await api.call('operator', 'DELETE', path), 403, 'FORBIDDEN');
    expect(await api.call('installer', 'DELETE', path)).toEqual({ status: 204, body: null });
    const listed = await api.call('operator', 'GET', '/api/v1/gateways/gw-east/service-buttons');
    expect(listed.body).toEqual({ serviceButtons: [] });
    expectApiError(await api.call('installer', 'DELETE', path), 404, 'NOT_FOUND');
  });
});

describe('work orders', () => {
  let sos: AlarmDto;

  it('from an alarm resolved as a device fault; refused for other outcomes', async () => {
    sos = (await alarms())[0] as AlarmDto;
    const early = await api.call('operator', 'POST', `/api/v1/alarms/${sos.id}/work-orders`, {
      kind: 'device_repair',
    });
    expectApiError(early, 409, 'CONFLICT');
    expect((early.body as ApiError).error.message).toMatch(/^ALARM_OUTCOME/);
    await api.call('operator', 'POST', `/api/v1/alarms/${sos.id}/acknowledge`);
    await resolve(sos.id, 'device_fault');
    expectApiError(
      await api.call('family', 'POST', `/api/v1/alarms/${sos.id}/work-orders`, { kind: 'visit' }),
      403,
      'FORBIDDEN',
    );
    const made = await api.call('operator', 'POST', `/api/v1/alarms/${sos.id}/work-orders`, {
      kind: 'device_repair',
    });
    expect(made.status).toBe(201);
    const order = (made.body as WorkOrderResponse).workOrder;
    expect(order).toMatchObject({
      source: 'alarm',
      alarmId: sos.id,
      deviceId: 'button-1',
      homeId: 'home-0001',
      status: 'open',
      overdue: false,
    });
    const due = Date.parse(order.dueAt ?? '') - Date.parse(order.createdAt);
    expect(due).toBe(24 * 3_600_000);
    const fall = await send({ kind: 'fall', deviceId: 'radar-1' });
    const fallAlarm = (await alarms()).find((a) => a.kind === 'fall') as AlarmDto;
    expect(fallAlarm.deviceId).toBe(fall.deviceId);
    await resolve(fallAlarm.id, 'false_alarm');
    expectApiError(
      await api.call('operator', 'POST', `/api/v1/alarms/${fallAlarm.id}/work-orders`, {
        kind: 'visit',
      }),
      409,
      'CONFLICT',
    );
  });

  it('low battery opens one maintenance order per device for its installer, again once closed', async () => {
    await send({ kind: 'low_battery', deviceId: 'door-1' });
    await waitFor(async () => (await orders('operator', '?kind=battery_change')).length === 1);
    const [order] = await orders('installer', '?kind=battery_change');
    expect(order).toMatchObject({
      source: 'supervision',
      deviceId: 'door-1',
      status: 'assigned',
      assignee: { name: 'Installer 安装员' },
    });
    // The alarm resolved and raised again: still one open order for the device.
    const first = (await alarms()).find((a) => a.kind === 'low_battery') as AlarmDto;
    await resolve(first.id, 'device_fault');
    await send({ kind: 'low_battery', deviceId: 'door-1' });
    await waitFor(async () => (await alarms()).some((a) => a.kind === 'low_battery'));
    await waitFor(() => h.hub.operations.counters.maintenanceDeduplicated === 1);
    expect(await orders('operator', '?kind=battery_change')).toHaveLength(1);

    const id = order?.id ?? '';
    const start = await api.call('installer', 'POST', `/api/v1/work-orders/${id}/status`, {
      status: 'in_progress',
    });
    expect((start.body as WorkOrderResponse).workOrder.status).toBe('in_progress');
    const done = await api.call('installer', 'POST', `/api/v1/work-orders/${id}/status`, {
      status: 'done',
      outcome: 'CR2032 replaced',
    });
    expect((done.body as WorkOrderResponse).workOrder.status).toBe('done');
    const second = (await alarms()).find((a) => a.kind === 'low_battery') as AlarmDto;
    await resolve(second.id, 'device_fault');
    await send({ kind: 'low_battery', deviceId: 'door-1' });
    await waitFor(async () => (await orders('operator', '?kind=battery_change')).length === 1);
    const [next] = await orders('operator', '?kind=battery_change');
    expect(next?.id).not.toBe(id);
  });

  it('scope: a worker sees only orders assigned to them, a family member none', async () => {
    expect(await orders('worker')).toEqual([]);
    expectApiError(await api.call('family', 'GET', '/api/v1/work-orders'), 403, 'FORBIDDEN');
    expect((await orders('installer')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('webhooks', () => {
  it('alarm, service request and work order events reach the relay, signed', async () => {
    const events = () => got.map((g) => String(g.headers['x-anxin-event']));
    await waitFor(
      () =>
        [
          'alarm.created',
          'alarm.acknowledged',
          'alarm.resolved',
          'service_request.created',
          'work_order.created',
          'work_order.in_progress',
          'work_order.done',
        ].every((e) => events().includes(e)),
      10_000,
      'webhook events',
    );
    for (const g of got)
      expect(
        verifySignature(
          SECRET,
          {
            timestamp: g.headers['x-anxin-timestamp'] as string,
            signature: g.headers['x-anxin-signature'] as string,
          },
          g.body,
          Date.now(),
        ),
      ).toBe(true);
    const created = got.find((g) => g.headers['x-anxin-event'] === 'service_request.created');
    const body = JSON.parse(created?.body ?? '{}') as {
      event: string;
      data: { source: string; deviceId: string };
    };
    expect(body.event).toBe('service_request.created');
    expect(body.data).toMatchObject({ source: 'device', deviceId: 'button-1' });
    const alarm = got.find((g) => g.headers['x-anxin-event'] === 'alarm.created');
    expect((JSON.parse(alarm?.body ?? '{}') as { data: { alarm: AlarmDto } }).data.alarm.kind).toBe(
      'sos',
    );
  });
});
