/**
 * One low battery, said three ways (issue 10): a Zigbee door sensor reports its battery under the
 * configuration's battery_low_pct — the gateway raises low_battery on the alarm lane (once per
 * episode, gateway/src/control/thresholds.ts) and the hub's rule sees the same percentage — and
 * then its own battery_low flag, the device's low_battery. Real parts: the hub (REST, embedded
 * broker over TCP, SQLite or PostgreSQL), a gateway connected with its credentials, and the
 * home's Zigbee2MQTT broker. The operator sees ONE open low_battery alarm, every report joined in
 * its timeline, and device supervision opens ONE battery-change work order for the device. On
 * PostgreSQL the rule's finding and the gateway's raise race in two transactions
 * (hub/src/alarms/join-race.test.ts shows it without the timing of a whole hub).
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AlarmDetailResponse,
  AlarmListResponse,
  GatewayControlResponse,
  WorkOrderListResponse,
} from '@anxin/protocol';
import type { Gateway } from '../gateway/src/gateway.js';
import { startBroker } from '../gateway/src/test-support/broker.js';
import { gatewayOnDisk, type Cleanups } from '../gateway/src/test-support/managed.js';
import { claimedGateway } from '../hub/src/testing/claim.js';
import { startOpsHub, type OpsHub } from '../hub/src/testing/ops-hub.js';
import { waitFor } from './support/ports.js';

const GW = 'gw-battery-1';
const DEVICE = 'door-1';

const cleanups: Cleanups = [];
let ops: OpsHub;
let gateway: Gateway;
let zigbee: MqttClient;

const call = (who: string, method: string, path: string, body?: unknown) =>
  ops.api.call(who, method, `/api/v1${path}`, body);
const lowBatteryAlarms = async () =>
  ((await call('operator', 'GET', '/alarms')).body as AlarmListResponse).alarms.filter(
    (a) => a.kind === 'low_battery',
  );
const batteryOrders = async () =>
  (
    (await call('operator', 'GET', '/work-orders?kind=battery_change'))
      .body as WorkOrderListResponse
  ).workOrders;
const report = (state: Record<string, unknown>) =>
  zigbee.publishAsync(`zigbee2mqtt/${DEVICE}`, JSON.stringify(state), { qos: 1 });

beforeAll(async () => {
  ops = await startOpsHub({ homes: 1 });
  cleanups.push(() => ops.h.close());
  const credentials = await claimedGateway(
    ops.h.httpUrl,
    (who, method, path, body) => ops.api.call(who, method, path, body),
    { admin: 'admin', installer: 'installer' },
    GW,
    'home-0001',
  );
  const local = await startBroker();
  cleanups.push(() => local.stop());
  zigbee = await connectAsync(local.url, { reconnectPeriod: 0 });
  cleanups.push(async () => void (await zigbee.endAsync()));

  // The installer adds the sensor; the gateway runs what the hub publishes (battery_low_pct 20).
  const add = await call('installer', 'POST', `/gateways/${GW}/devices`, {
    id: DEVICE,
    driver: 'zigbee2mqtt',
    kind: 'door',
    options: { friendlyName: DEVICE },
  });
  expect(add.status).toBe(201);
  gateway = gatewayOnDisk(GW, ops.h.mqttUrl, cleanups, {
    hub: { password: credentials.password },
    localMqtt: { url: local.url },
    reconnect: { minMs: 50, maxMs: 500 },
  }).make();
  await gateway.start();
  await waitFor(
    'the sensor configuration applied',
    async () => {
      const { control } = (await call('installer', 'GET', `/gateways/${GW}/control`))
        .body as GatewayControlResponse;
      return control.state === 'applied' && control.appliedVersion === control.publishedVersion
        ? true
        : undefined;
    },
    20_000,
  );
}, 60_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

describe('a device whose low battery is reported twice in one episode', () => {
  it('gives the operator one open low_battery alarm and the installer one work order', async () => {
    // The percentage first: the gateway's threshold raises low_battery; the hub's rule sees it too.
    await report({ battery: 15, contact: true });
    const [first] = await waitFor('the low_battery alarm', async () => {
      const open = await lowBatteryAlarms();
      return open.length > 0 ? open : undefined;
    });
    // Then the device's own flag, in the same episode.
    await report({ battery: 14, battery_low: true, contact: true });
    // Every report lands on that alarm's timeline: the hub's rule, the gateway's threshold alarm
    // and the device's own flag (no detail), once each.
    const timeline = await waitFor('all three reports in the timeline', async () => {
      const { timeline: t } = (await call('operator', 'GET', `/alarms/${first?.id ?? ''}`))
        .body as AlarmDetailResponse;
      return t.length >= 3 ? t : undefined;
    });
    expect(timeline.filter((t) => t.detail?.rule === 'battery_low')).toHaveLength(1);
    expect(timeline.filter((t) => t.detail?.source === 'gateway')).toHaveLength(1);
    expect(timeline.filter((t) => t.detail === null)).toHaveLength(1);
    expect(timeline.every((t) => t.deviceId === DEVICE && t.action === 'raise')).toBe(true);

    await waitFor('supervision done', () =>
      ops.h.hub.operations.counters.maintenanceOrders +
        ops.h.hub.operations.counters.maintenanceDeduplicated >
      0
        ? true
        : undefined,
    );
    const alarms = await lowBatteryAlarms();
    expect(alarms).toHaveLength(1);
    expect(alarms[0]).toMatchObject({ id: first?.id, status: 'open', deviceId: DEVICE });
    expect(alarms[0]?.triggerCount).toBe(timeline.length);
    const orders = await batteryOrders();
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ deviceId: DEVICE, gatewayId: GW, source: 'supervision' });
    expect(ops.h.hub.operations.counters.maintenanceOrders).toBe(1);
  });
});
