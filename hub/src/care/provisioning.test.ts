/**
 * Gateway provisioning end to end: an admin registers a gateway (claim code shown once), an
 * installer claims it for a home, the gateway picks up its own credentials over the claim channel
 * (zero-touch; claim-channel.test.ts covers the channel itself), a real MQTT client connects with
 * them, receives its retained configuration, is acknowledged, and is locked out once
 * decommissioned.
 */
import { connectAsync, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  GatewayConfigMessageSchema,
  schemaIssues,
  type ApiError,
  type ClaimGatewayResponse,
  type CreateGatewayResponse,
  type GatewayConfigMessage,
} from '@anxin/protocol';
import { alarmEvent, startHub, TestGateway, waitFor, type RunningHub } from '../testing/harness.js';
import { pickUp } from '../testing/claim.js';
import { Injector } from '../testing/ops-inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
let api: Injector;
const clients: MqttClient[] = [];

// The hub's REST in-process (inject()); gateways still talk MQTT and claim HTTP on its ports.
const call = (who: string, method: string, path: string, body?: unknown) =>
  api.call(who, method, path, body);

/** Connects like a gateway and collects retained/live config messages. */
async function connectGateway(id: string, password: string) {
  const client = await connectAsync(h.mqttUrl, {
    clientId: id,
    username: id,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    protocolVersion: 4,
  });
  clients.push(client);
  const configs: GatewayConfigMessage[] = [];
  client.on('message', (topic, payload) => {
    if (topic !== downlinkTopic(id, 'config') || payload.length === 0) return;
    const value: unknown = JSON.parse(payload.toString('utf8'));
    expect(schemaIssues(GatewayConfigMessageSchema, value)).toEqual([]);
    configs.push(value as GatewayConfigMessage);
  });
  await client.subscribeAsync(downlinkTopic(id, 'config'), { qos: 1 });
  return { client, configs };
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 2 });
  api = new Injector(h.hub.http);
  for (const l of logins) await api.login(l.username, l.password);
  const other = await call('admin', 'POST', '/api/v1/users', {
    username: 'inst-2',
    role: 'installer',
    password: 'inst-2-password',
  });
  expect(other.status).toBe(201);
  await api.login('inst-2', 'inst-2-password');
}, 60_000);

afterAll(async () => {
  for (const c of clients) await c.endAsync(true).catch(() => undefined);
  await h?.close();
});

describe('gateway claim', () => {
  it('claims, connects with the issued credentials, gets its config, is locked out when decommissioned', async () => {
    const created = await call('admin', 'POST', '/api/v1/gateways', { id: 'gw-box-1' });
    expect(created.status).toBe(201);
    const { claimCode, gateway } = created.body as CreateGatewayResponse;
    expect(claimCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(gateway.claimState).toBe('unclaimed');

    // Unclaimed: no credentials work yet.
    await expect(connectGateway('gw-box-1', claimCode)).rejects.toThrow();

    // Wrong code, and a home the installer is not assigned to: refused and audited.
    const wrong = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-box-1',
      claimCode: 'AAAA-BBBB-CCCC',
      homeId: 'home-0001',
    });
    expect(wrong.status).toBe(404);
    expect((wrong.body as ApiError).error.code).toBe('CLAIM_CODE_INVALID');
    const notMine = await call('inst-2', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-box-1',
      claimCode,
      homeId: 'home-0001',
    });
    expect(notMine.status).toBe(404);
    expect(
      (
        await call('family', 'POST', '/api/v1/gateways/claim', {
          gatewayId: 'gw-box-1',
          claimCode,
          homeId: 'home-0001',
        })
      ).status,
    ).toBe(403);

    const claimed = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-box-1',
      claimCode,
      homeId: 'home-0001',
    });
    expect(claimed.status).toBe(200);
    const claim = claimed.body as ClaimGatewayResponse;
    expect(claim.gateway.claimState).toBe('claimed');
    expect(claim.gateway.homeId).toBe('home-0001');
    expect(claim.gateway.credentialState).toBe('awaiting_pickup');
    expect(JSON.stringify(claim)).not.toMatch(/password/i);
    expect(claim.config.configVersion).toBe(1);

    // The gateway picks up its own credentials: nobody types them.
    const picked = await pickUp(h.httpUrl, 'gw-box-1', claimCode);
    const credentials = picked.credentials;
    if (!credentials) throw new Error(`no credentials: ${JSON.stringify(picked.answer)}`);
    expect(credentials.username).toBe('gw-box-1');
    expect(credentials.mqttUrl).toBe(h.mqttUrl);

    // Nothing that reads the gateway back contains the password.
    const read = await call('admin', 'GET', '/api/v1/gateways/gw-box-1');
    expect(JSON.stringify(read.body)).not.toContain(credentials.password);
    expect((read.body as { gateway: { credentialState: string } }).gateway.credentialState).toBe(
      'picked_up',
    );

    const gw = await connectGateway('gw-box-1', credentials.password);
    await waitFor(() => gw.configs.length >= 1, 5000, 'retained config');
    expect(gw.configs[0]).toMatchObject({
      v: 1,
      configVersion: 1,
      gatewayId: 'gw-box-1',
      homeId: 'home-0001',
      devices: [],
    });

    // Registering a device publishes a newer version with it.
    const device = await call('installer', 'POST', '/api/v1/gateways/gw-box-1/devices', {
      id: 'radar-bedroom',
      driver: 'mr60fda1',
      kind: 'fall_radar',
      room: 'bedroom',
      expectedIntervalS: 60,
    });
    expect(device.status).toBe(201);
    await waitFor(() => gw.configs.length >= 2, 5000, 'config v2');
    expect(gw.configs[1]?.configVersion).toBe(2);
    expect(gw.configs[1]?.devices.map((d) => [d.id, d.kind, d.room])).toEqual([
      ['radar-bedroom', 'fall_radar', 'bedroom'],
    ]);
    const devices = await call('operator', 'GET', '/api/v1/homes/home-0001/devices');
    expect((devices.body as { devices: { id: string; registered: boolean }[] }).devices).toEqual([
      expect.objectContaining({ id: 'radar-bedroom', registered: true }),
    ]);

    // The issued credentials carry the gateway's events, acknowledged as usual.
    await gw.client.endAsync(true);
    const tgw = await TestGateway.connect(h.mqttUrl, 'gw-box-1', credentials.password);
    await tgw.sendAlarms([alarmEvent(1, { kind: 'sos', deviceId: 'button-1' })]);
    await tgw.waitForAck((a) => a.acked.includes(1));
    const alarms = await call('family', 'GET', '/api/v1/alarms');
    expect(
      (alarms.body as { alarms: { gatewayId: string }[] }).alarms.map((a) => a.gatewayId),
    ).toContain('gw-box-1');

    // Decommissioned: the live connection is dropped and the next login refused.
    const closed = new Promise<void>((resolve) => tgw.client.once('close', () => resolve()));
    const dec = await call('admin', 'POST', '/api/v1/gateways/gw-box-1/decommission', {
      reason: 'returned',
    });
    expect(dec.status).toBe(200);
    expect((dec.body as { gateway: { claimState: string } }).gateway.claimState).toBe(
      'decommissioned',
    );
    await closed;
    await tgw.close();
    const refusalsBefore = h.hub.stats().authFailures;
    await expect(connectGateway('gw-box-1', credentials.password)).rejects.toThrow(
      /Not authorized|5/i,
    );
    expect(h.hub.stats().authFailures).toBe(refusalsBefore + 1);

    // A decommissioned gateway can not be claimed again.
    const again = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-box-1',
      claimCode,
      homeId: 'home-0001',
    });
    expect(again.status).toBe(410);
    expect((again.body as ApiError).error.code).toBe('GATEWAY_DECOMMISSIONED');

    // The refused login of the decommissioned gateway is in the audit log (once, not per retry).
    await expect(connectGateway('gw-box-1', credentials.password)).rejects.toThrow();
    let actions: string[] = [];
    await waitFor(
      async () => {
        const audit = await call(
          'admin',
          'GET',
          '/api/v1/audit?targetType=gateway&targetId=gw-box-1',
        );
        actions = (audit.body as { entries: { action: string }[] }).entries.map((e) => e.action);
        return actions.includes('mqtt.login_refused');
      },
      5000,
      'audited MQTT refusal',
    );
    expect(actions.filter((a) => a === 'mqtt.login_refused')).toHaveLength(1);
    expect(actions).toEqual(
      expect.arrayContaining([
        'gateway.create',
        'gateway.claim_failed',
        'gateway.claim',
        'gateway.decommission',
      ]),
    );
  });

  it('only admins create or decommission gateways', async () => {
    expect((await call('installer', 'POST', '/api/v1/gateways', { id: 'gw-x' })).status).toBe(403);
    expect((await call('operator', 'POST', '/api/v1/gateways/gw-x/decommission', {})).status).toBe(
      403,
    );
    const code = await call('admin', 'POST', '/api/v1/gateways', {
      id: 'gw-box-2',
      claimCode: 'PRINTED-ON-BOX-42',
    });
    expect((code.body as CreateGatewayResponse).claimCode).toBe('PRINTED-ON-BOX-42');
  });
});
