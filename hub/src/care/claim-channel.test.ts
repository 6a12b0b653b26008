/**
 * The zero-touch claim channel against a real hub over HTTP and MQTT: a gateway holding only its
 * code waits, picks up its own credentials once an installer claims the code, connects with them;
 * a wrong code, a replayed proof and a reused code are refused with stable codes and audited;
 * wrong codes are rate limited; a decommissioned gateway is refused and disconnected.
 */
import { connectAsync } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  downlinkTopic,
  PROTOCOL_VERSION,
  uplinkTopic,
  type ApiError,
  type ClaimProofResponse,
  type CreateGatewayResponse,
  type GatewayResponse,
} from '@anxin/protocol';
import { startHub, waitFor, type RunningHub } from '../testing/harness.js';
import { challenge, openAnswer, pickUp, prepareProof, sendProof } from '../testing/claim.js';
import { Injector } from '../testing/ops-inject.js';
import { seedDemo } from './seed.js';

let h: RunningHub;
let api: Injector;

// The hub's REST in-process (inject()); gateways still talk MQTT and claim HTTP on its ports.
const call = (who: string, method: string, path: string, body?: unknown) =>
  api.call(who, method, path, body);

const errorCode = (body: unknown) => (body as ApiError).error.code;

async function createGateway(id: string): Promise<string> {
  const created = await call('admin', 'POST', '/api/v1/gateways', { id });
  expect(created.status).toBe(201);
  return (created.body as CreateGatewayResponse).claimCode;
}

async function gatewayState(id: string) {
  const r = await call('admin', 'GET', `/api/v1/gateways/${id}`);
  return (r.body as GatewayResponse).gateway;
}

async function auditActions(id: string): Promise<{ action: string; detail: unknown }[]> {
  const r = await call('admin', 'GET', `/api/v1/audit?targetType=gateway&targetId=${id}`);
  return (r.body as { entries: { action: string; detail: unknown }[] }).entries;
}

beforeAll(async () => {
  h = await startHub();
  const { logins } = await seedDemo(h.hub, { homes: 1 });
  api = new Injector(h.hub.http);
  for (const l of logins) await api.login(l.username, l.password);
}, 60_000);

afterAll(async () => {
  await h?.close();
});

describe('zero-touch claim channel', () => {
  it('waits, picks up its own credentials once claimed, and the code is then spent', async () => {
    const code = await createGateway('gw-zt-1');

    // Before the claim: the code is right, so the hub answers (signed) "waiting".
    const early = await pickUp(h.httpUrl, 'gw-zt-1', code);
    expect(early.answer.status).toBe(200);
    expect((early.answer.body as ClaimProofResponse).state).toBe('waiting');
    expect(early.credentials).toBeNull();

    // A replayed proof (the same request sent twice) is refused: its nonce is spent.
    const p = await prepareProof(h.httpUrl, 'gw-zt-1', code);
    expect((await sendProof(h.httpUrl, p.request)).status).toBe(200);
    const replay = await sendProof(h.httpUrl, p.request);
    expect(replay.status).toBe(401);
    expect(errorCode(replay.body)).toBe('CLAIM_NONCE_INVALID');

    // The installer claims: no credentials in the answer, the gateway is awaited.
    const claimed = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-zt-1',
      claimCode: code.toLowerCase(), // typed from the label, in any case
      homeId: 'home-0001',
    });
    expect(claimed.status).toBe(200);
    expect(JSON.stringify(claimed.body)).not.toMatch(/password/i);
    expect((await gatewayState('gw-zt-1')).credentialState).toBe('awaiting_pickup');

    // The same code can not claim again (another home, another installer, the same one).
    const reused = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-zt-1',
      claimCode: code,
      homeId: 'home-0001',
    });
    expect(reused.status).toBe(409);
    expect(errorCode(reused.body)).toBe('CLAIM_CODE_USED');

    // Pickup. An answer the gateway never got (lost on the way) can be asked for again until
    // the gateway has used its credentials; the earlier secret then stops working.
    const lost = await pickUp(h.httpUrl, 'gw-zt-1', code);
    expect(lost.credentials?.username).toBe('gw-zt-1');
    const picked = await pickUp(h.httpUrl, 'gw-zt-1', code);
    const credentials = picked.credentials;
    if (!credentials || !lost.credentials) throw new Error('no credentials issued');
    expect(credentials.password).not.toBe(lost.credentials.password);
    expect(credentials.homeId).toBe('home-0001');
    expect((await gatewayState('gw-zt-1')).credentialState).toBe('picked_up');
    await expect(
      connectAsync(h.mqttUrl, {
        clientId: 'gw-zt-1',
        username: 'gw-zt-1',
        password: lost.credentials.password,
        reconnectPeriod: 0,
        protocolVersion: 4,
      }),
    ).rejects.toThrow();

    // Connects with its own credentials, gets its retained config, says it is online.
    const client = await connectAsync(h.mqttUrl, {
      clientId: 'gw-zt-1',
      username: credentials.username,
      password: credentials.password,
      reconnectPeriod: 0,
      protocolVersion: 4,
    });
    const configs: string[] = [];
    client.on('message', (topic, payload) => {
      if (topic === downlinkTopic('gw-zt-1', 'config')) configs.push(payload.toString('utf8'));
    });
    await client.subscribeAsync(downlinkTopic('gw-zt-1', 'config'), { qos: 1 });
    await waitFor(() => configs.length > 0, 5000, 'retained config');
    expect(JSON.parse(configs[0] ?? '{}')).toMatchObject({
      gatewayId: 'gw-zt-1',
      homeId: 'home-0001',
    });
    await client.publishAsync(
      uplinkTopic('gw-zt-1', 'status'),
      JSON.stringify({ v: PROTOCOL_VERSION, state: 'online', at: Date.now() }),
      { qos: 1 },
    );
    await waitFor(
      async () => (await gatewayState('gw-zt-1')).credentialState === 'in_use',
      5000,
      'credentials in use',
    );

    // From now on the code is spent: a copy of the label picks up nothing.
    const copy = await pickUp(h.httpUrl, 'gw-zt-1', code);
    expect(copy.answer.status).toBe(409);
    expect(errorCode(copy.answer.body)).toBe('CLAIM_CODE_USED');

    // Decommissioned: the session is dropped, the login refused, the channel says so.
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    expect((await call('admin', 'POST', '/api/v1/gateways/gw-zt-1/decommission', {})).status).toBe(
      200,
    );
    await closed;
    await client.endAsync(true);
    await expect(
      connectAsync(h.mqttUrl, {
        clientId: 'gw-zt-1',
        username: 'gw-zt-1',
        password: credentials.password,
        reconnectPeriod: 0,
        protocolVersion: 4,
      }),
    ).rejects.toThrow();
    const revoked = await pickUp(h.httpUrl, 'gw-zt-1', code);
    expect(revoked.answer.status).toBe(410);
    expect(errorCode(revoked.answer.body)).toBe('GATEWAY_DECOMMISSIONED');
    expect((await gatewayState('gw-zt-1')).credentialState).toBe('revoked');

    const actions = (await auditActions('gw-zt-1')).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining([
        'gateway.claim',
        'gateway.claim_failed',
        'gateway.credentials_issued',
        'gateway.pickup_refused',
        'gateway.decommission',
      ]),
    );
  }, 60_000);

  it('a wrong code is refused, audited and rate limited; an unknown gateway looks the same', async () => {
    const code = await createGateway('gw-zt-2');
    const wrong = await pickUp(h.httpUrl, 'gw-zt-2', 'WRNG-CODE-HERE');
    expect(wrong.answer.status).toBe(404);
    expect(errorCode(wrong.answer.body)).toBe('CLAIM_CODE_INVALID');
    const entries = await auditActions('gw-zt-2');
    expect(entries.find((e) => e.action === 'gateway.pickup_failed')?.detail).toMatchObject({
      reason: 'wrong_code',
    });

    // An unknown id gets a challenge like a known one (same salt each time), then the same refusal.
    const a = await challenge(h.httpUrl, 'gw-nobody');
    const b = await challenge(h.httpUrl, 'gw-nobody');
    expect(a.status).toBe(200);
    expect(a.body.salt).toBe(b.body.salt);
    expect(a.body.nonce).not.toBe(b.body.nonce);
    const unknown = await pickUp(h.httpUrl, 'gw-nobody', code);
    expect(errorCode(unknown.answer.body)).toBe('CLAIM_CODE_INVALID');

    // Five wrong proofs from one address in the window, then 429 — even for the right code.
    for (let i = 0; i < 4; i++) await pickUp(h.httpUrl, 'gw-zt-2', `WRNG-CODE-${i}XXX`);
    const limited = await challenge(h.httpUrl, 'gw-zt-2');
    expect(limited.status).toBe(429);
    const right = await prepareProof(h.httpUrl, 'gw-zt-3-unused', code); // other gateway: not limited
    expect(right.request.nonce.length).toBeGreaterThan(40);
    const blocked = await fetch(`${h.httpUrl}/api/v1/claim/challenge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ gatewayId: 'gw-zt-2', clientNonce: 'A'.repeat(24) }),
    });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await blocked.json()) as ApiError).error.code).toBe('RATE_LIMITED');
  }, 60_000);

  it('the installer form is rate limited for wrong codes too', async () => {
    await createGateway('gw-zt-4');
    for (let i = 0; i < 5; i++) {
      const r = await call('installer', 'POST', '/api/v1/gateways/claim', {
        gatewayId: 'gw-zt-4',
        claimCode: `WRONG-${i}-CODE`,
        homeId: 'home-0001',
      });
      expect(errorCode(r.body)).toBe('CLAIM_CODE_INVALID');
    }
    const sixth = await call('installer', 'POST', '/api/v1/gateways/claim', {
      gatewayId: 'gw-zt-4',
      claimCode: 'WRONG-6-CODE',
      homeId: 'home-0001',
    });
    expect(sixth.status).toBe(429);
    expect(errorCode(sixth.body)).toBe('RATE_LIMITED');
  }, 60_000);

  it('refuses malformed, oversized and tampered claim requests with clear errors', async () => {
    const post = (path: string, body: string) =>
      fetch(`${h.httpUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const bad = await post('/api/v1/claim/challenge', '{"gatewayId":"gw-x"');
    expect(bad.status).toBe(400);
    const missing = await post('/api/v1/claim/challenge', JSON.stringify({ gatewayId: 'gw-x' }));
    expect(((await missing.json()) as ApiError).error.code).toBe('VALIDATION_FAILED');
    const huge = await post(
      '/api/v1/claim/proof',
      JSON.stringify({ gatewayId: 'gw-x', nonce: 'A'.repeat(5000), proof: 'A'.repeat(44) }),
    );
    expect(huge.status).toBe(413);

    // A proof moved to another gateway's challenge does not verify (the id is bound in).
    const code = await createGateway('gw-zt-5');
    const p = await prepareProof(h.httpUrl, 'gw-zt-5', code);
    const moved = await sendProof(h.httpUrl, { ...p.request, gatewayId: 'gw-zt-1' });
    expect(errorCode(moved.body)).toBe('CLAIM_NONCE_INVALID');
    // And an answer is only believed with the hub's signature.
    const ok = await prepareProof(h.httpUrl, 'gw-zt-5', code);
    const answer = await sendProof(h.httpUrl, ok.request);
    expect(() =>
      openAnswer(
        { ...answer, body: { ...(answer.body as ClaimProofResponse), serverSignature: 'AAAA' } },
        ok.keys,
        ok.authMessage,
      ),
    ).toThrow(/not signed/);
  }, 60_000);
});
