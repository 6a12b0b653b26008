/**
 * Re-arming a decommissioned gateway against a real hub (REST in process, the claim channel over
 * HTTP, MQTT over TCP): only an administrator, only a decommissioned gateway (stable code), a new
 * code shown once and stored as a verifier; the old code and the old credentials stay refused; the
 * new code claims once, zero-touch, and issues fresh credentials; every step is audited, the code
 * never.
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  uplinkTopic,
  type ApiError,
  type ClaimProofResponse,
  type CreateGatewayResponse,
  type GatewayResponse,
  type RearmGatewayResponse,
} from '@anxin/protocol';
import { pickUp } from '../testing/claim.js';
import { startHub, waitFor, type RunningHub } from '../testing/harness.js';
import { inject, injectLogin } from '../testing/inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
const cookies: Record<string, string> = {};
const GW = 'gw-rearm-1';

const call = (who: string, method: 'GET' | 'POST', url: string, body?: unknown) =>
  inject(h.hub.http, cookies[who], method, url, body);
const errorCode = (json: unknown) => (json as ApiError).error.code;
const gateway = async () =>
  ((await call('admin', 'GET', `/api/v1/gateways/${GW}`)).json as GatewayResponse).gateway;
const audit = async () =>
  (
    (await call('admin', 'GET', `/api/v1/audit?targetType=gateway&targetId=${GW}`)).json as {
      entries: { action: string; detail: unknown }[];
    }
  ).entries;
const claim = (claimCode: string) =>
  call('installer', 'POST', '/api/v1/gateways/claim', {
    gatewayId: GW,
    claimCode,
    homeId: 'home-0001',
  });

/** Connects as the gateway; resolves to whether the broker accepted the login. */
async function brokerAccepts(password: string): Promise<boolean> {
  try {
    const client = await connectAsync(h.mqttUrl, {
      clientId: GW,
      username: GW,
      password,
      reconnectPeriod: 0,
      protocolVersion: 4,
      connectTimeout: 10_000,
    });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

/** Picks up credentials with `code`, connects with them and says "online" (credentials in use). */
async function pickUpAndUse(code: string): Promise<string> {
  const picked = await pickUp(h.httpUrl, GW, code);
  const credentials = picked.credentials;
  if (!credentials) throw new Error(`no credentials: ${JSON.stringify(picked.answer.body)}`);
  const client = await connectAsync(h.mqttUrl, {
    clientId: GW,
    username: GW,
    password: credentials.password,
    reconnectPeriod: 0,
    protocolVersion: 4,
  });
  await client.publishAsync(
    uplinkTopic(GW, 'status'),
    JSON.stringify({ v: PROTOCOL_VERSION, state: 'online', at: Date.now() }),
    { qos: 1 },
  );
  await waitFor(async () => (await gateway()).credentialState === 'in_use', 10_000, 'in use');
  await client.endAsync(true);
  return credentials.password;
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 1 });
  for (const l of logins)
    cookies[l.username] = await injectLogin(h.hub.http, l.username, l.password);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('re-arming a decommissioned gateway', () => {
  it('issues a new single-use code; the old code and credentials stay dead; the new code claims again', async () => {
    const created = await call('admin', 'POST', '/api/v1/gateways', { id: GW });
    const oldCode = (created.json as CreateGatewayResponse).claimCode;
    expect((await claim(oldCode)).status).toBe(200);
    const oldPassword = await pickUpAndUse(oldCode);
    const device = await call('installer', 'POST', `/api/v1/gateways/${GW}/devices`, {
      id: 'radar-bedroom',
      driver: 'mr60fda1',
      kind: 'fall_radar',
    });
    expect(device.status).toBe(201);

    // In service: refused with its own code, and audited; nothing changes.
    const early = await call('admin', 'POST', `/api/v1/gateways/${GW}/rearm`, {});
    expect(early.status).toBe(409);
    expect(errorCode(early.json)).toBe('GATEWAY_NOT_DECOMMISSIONED');
    expect((await gateway()).credentialState).toBe('in_use');
    // Installers claim, but only an administrator issues codes; unknown gateways are 404.
    const byInstaller = await call('installer', 'POST', `/api/v1/gateways/${GW}/rearm`, {});
    expect(byInstaller.status).toBe(403);
    expect(errorCode(byInstaller.json)).toBe('FORBIDDEN');
    const unknown = await call('admin', 'POST', '/api/v1/gateways/gw-nobody/rearm', {});
    expect(errorCode(unknown.json)).toBe('NOT_FOUND');
    const extra = await call('admin', 'POST', `/api/v1/gateways/${GW}/rearm`, { code: 'X' });
    expect(errorCode(extra.json)).toBe('VALIDATION_FAILED');

    expect((await call('admin', 'POST', `/api/v1/gateways/${GW}/decommission`, {})).status).toBe(
      200,
    );
    const rearmed = await call('admin', 'POST', `/api/v1/gateways/${GW}/rearm`, {
      reason: 'refurbished',
    });
    expect(rearmed.status).toBe(200);
    const body = rearmed.json as RearmGatewayResponse;
    const newCode = body.claimCode;
    expect(newCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(newCode).not.toBe(oldCode);
    expect(body.devicesRemoved).toEqual(['radar-bedroom']);
    expect(body.gateway).toMatchObject({
      claimState: 'unclaimed',
      credentialState: 'none',
      homeId: null,
      decommissionedAt: null,
      online: false,
    });
    // Shown once: reading the gateway back never shows a code.
    expect(JSON.stringify(await call('admin', 'GET', `/api/v1/gateways/${GW}`))).not.toContain(
      newCode,
    );
    // Re-arming again now is refused: the gateway is back in service (unclaimed).
    const twice = await call('admin', 'POST', `/api/v1/gateways/${GW}/rearm`, {});
    expect(errorCode(twice.json)).toBe('GATEWAY_NOT_DECOMMISSIONED');

    // The old code is refused at the installer's form and at the claim channel, both audited.
    const oldAtForm = await claim(oldCode);
    expect(oldAtForm.status).toBe(404);
    expect(errorCode(oldAtForm.json)).toBe('CLAIM_CODE_INVALID');
    const oldAtChannel = await pickUp(h.httpUrl, GW, oldCode);
    expect(oldAtChannel.answer.status).toBe(404);
    expect(errorCode(oldAtChannel.answer.body)).toBe('CLAIM_CODE_INVALID');
    // The old credentials are dead.
    expect(await brokerAccepts(oldPassword)).toBe(false);

    // The new code: waiting until claimed, then claimed once, then fresh credentials.
    const waiting = await pickUp(h.httpUrl, GW, newCode);
    expect((waiting.answer.body as ClaimProofResponse).state).toBe('waiting');
    const claimed = await claim(newCode.toLowerCase());
    expect(claimed.status).toBe(200);
    expect((await gateway()).credentialState).toBe('awaiting_pickup');
    const reused = await claim(newCode);
    expect(errorCode(reused.json)).toBe('CLAIM_CODE_USED');
    const newPassword = await pickUpAndUse(newCode);
    expect(newPassword).not.toBe(oldPassword);
    expect(await brokerAccepts(oldPassword)).toBe(false);
    expect((await gateway()).homeId).toBe('home-0001');
    // Its config starts empty in the new installation and keeps counting versions up.
    const devices = (await call('admin', 'GET', `/api/v1/gateways/${GW}`)).json as GatewayResponse;
    expect(devices.devices).toEqual([]);

    const entries = await audit();
    const actions = entries.map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'gateway.rearm',
        'gateway.rearm_refused',
        'gateway.claim_failed',
        'gateway.pickup_failed',
      ]),
    );
    expect(entries.find((e) => e.action === 'gateway.rearm')?.detail).toEqual({
      reason: 'refurbished',
      devicesRemoved: ['radar-bedroom'],
    });
    expect(JSON.stringify(entries)).not.toContain(newCode);
    expect(JSON.stringify(entries)).not.toContain(oldCode);

    // Only a verifier of the new code is stored.
    const db = await h.openDatabase();
    try {
      const row = await db.db
        .selectFrom('gateways')
        .select('claim_code_hash')
        .where('id', '=', GW)
        .executeTakeFirstOrThrow();
      expect(row.claim_code_hash).toMatch(/^scram-scrypt\$/);
      expect(row.claim_code_hash).not.toContain(newCode);
    } finally {
      await db.db.destroy();
    }
  }, 60_000);
});
