/**
 * The claim channel with two hubs on one PostgreSQL database, as behind a load balancer without
 * affinity (issue 11): a challenge from hub A is answered with a proof at hub B, a proof spent at
 * one hub cannot be replayed at the other, wrong codes count across both, and a made-up gateway
 * id gets the same stand-in salt from either hub (else two hubs would tell it apart).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, ClaimProofResponse, CreateGatewayResponse } from '@anxin/protocol';
import { LocalPostgres } from '../local-engines/postgres.js';
import { challenge, pickUp, prepareProof, sendProof } from '../testing/claim.js';
import { login, startHub, type RunningHub } from '../testing/harness.js';
import { seedDemo } from '../care/seed.js';

let postgres: LocalPostgres;
let hubA: RunningHub;
let hubB: RunningHub;
let adminCookie = '';

const errorCode = (body: unknown) => (body as ApiError).error.code;

async function createGateway(id: string): Promise<string> {
  const res = await fetch(`${hubA.httpUrl}/api/v1/gateways`, {
    method: 'POST',
    headers: { cookie: adminCookie, 'content-type': 'application/json' },
    body: JSON.stringify({ id }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as CreateGatewayResponse).claimCode;
}

beforeAll(async () => {
  postgres = await LocalPostgres.create();
  const database = {
    driver: 'postgres',
    postgres: { url: await postgres.createDatabase('anxin_claim_hubs') },
  };
  hubA = await startHub({ database });
  hubB = await startHub({ database });
  const { logins } = await seedDemo(hubA.hub, { homes: 1 });
  const admin = logins.find((l) => l.username === 'admin') ?? logins[0];
  if (!admin) throw new Error('seedDemo made no login');
  adminCookie = await login(hubA.httpUrl, admin.username, admin.password);
}, 120_000);

afterAll(async () => {
  await hubA?.close();
  await hubB?.close();
  await postgres?.destroy();
});

describe('claim channel across two hubs', () => {
  it('takes a proof at hub B for a challenge from hub A, once', async () => {
    const code = await createGateway('gw-x-1');
    const p = await prepareProof(hubA.httpUrl, 'gw-x-1', code);
    const answer = await sendProof(hubB.httpUrl, p.request);
    expect(answer.status).toBe(200);
    expect((answer.body as ClaimProofResponse).state).toBe('waiting');
    // Spent at B: the same proof at A (or B again) is a replay.
    for (const url of [hubA.httpUrl, hubB.httpUrl]) {
      const replay = await sendProof(url, p.request);
      expect(replay.status).toBe(401);
      expect(errorCode(replay.body)).toBe('CLAIM_NONCE_INVALID');
    }
  });

  it('counts wrong codes across hubs: five spread over A and B, then 429 at either', async () => {
    await createGateway('gw-x-2');
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? hubA.httpUrl : hubB.httpUrl;
      const wrong = await pickUp(url, 'gw-x-2', `WRNG-CODE-${i}XXX`);
      expect(wrong.answer.status).toBe(404);
      expect(errorCode(wrong.answer.body)).toBe('CLAIM_CODE_INVALID');
    }
    for (const url of [hubA.httpUrl, hubB.httpUrl])
      expect((await challenge(url, 'gw-x-2')).status).toBe(429);
  });

  it('gives a made-up gateway id the same stand-in salt from both hubs', async () => {
    const [a, b] = await Promise.all([
      challenge(hubA.httpUrl, 'gw-made-up'),
      challenge(hubB.httpUrl, 'gw-made-up'),
    ]);
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.body.salt).toBe(a.body.salt);
    const other = await challenge(hubB.httpUrl, 'gw-made-up-2');
    expect(other.body.salt).not.toBe(a.body.salt);
  });
});
