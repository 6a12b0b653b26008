/**
 * Test support: the gateway's side of the claim channel, step by step over real HTTP, so tests can
 * also misbehave (send a wrong code, replay a proof). The gateway's own client is
 * gateway/src/claim/claim-client.ts; both use protocol/src/claim-proof.ts.
 */
import { randomBytes } from 'node:crypto';
import {
  CLAIM_CHALLENGE_PATH,
  CLAIM_PROOF_PATH,
  type ApiError,
  type ClaimChallengeResponse,
  type ClaimedCredentials,
  type ClaimProofResponse,
  type CreateGatewayResponse,
} from '@anxin/protocol';
import {
  openSealed,
  proveClaimCode,
  serverSignatureMatches,
  type ClaimKeys,
} from '@anxin/protocol/claim-proof';
import type { ApiAnswer } from './harness.js';

export interface ClaimAnswer {
  status: number;
  body: ClaimProofResponse | ApiError;
  retryAfter: string | null;
}

async function post(url: string, body: unknown) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

export async function challenge(httpUrl: string, gatewayId: string) {
  const clientNonce = randomBytes(18).toString('base64');
  const r = await post(`${httpUrl}${CLAIM_CHALLENGE_PATH}`, { gatewayId, clientNonce });
  return { status: r.status, body: r.body as ClaimChallengeResponse };
}

/** A proof for a fresh challenge, not yet sent (to send it, or to send it twice). */
export async function prepareProof(httpUrl: string, gatewayId: string, code: string) {
  const c = await challenge(httpUrl, gatewayId);
  if (c.status !== 200) throw new Error(`challenge refused: ${c.status}`);
  const proved = await proveClaimCode(code, gatewayId, c.body);
  return {
    request: { gatewayId, nonce: c.body.nonce, proof: proved.proof },
    keys: proved.keys,
    authMessage: proved.authMessage,
  };
}

export async function sendProof(
  httpUrl: string,
  request: { gatewayId: string; nonce: string; proof: string },
): Promise<ClaimAnswer> {
  const r = await post(`${httpUrl}${CLAIM_PROOF_PATH}`, request);
  return {
    status: r.status,
    body: r.body as ClaimProofResponse | ApiError,
    retryAfter: r.headers.get('retry-after'),
  };
}

/** Opens an `issued` answer after checking the hub's signature. */
export function openAnswer(
  answer: ClaimAnswer,
  keys: ClaimKeys,
  authMessage: string,
): ClaimedCredentials | null {
  const body = answer.body as ClaimProofResponse;
  if (!serverSignatureMatches(keys.serverKey, authMessage, body.serverSignature))
    throw new Error('answer not signed by the hub');
  if (body.state !== 'issued') return null;
  return JSON.parse(openSealed(keys.clientKey, authMessage, body.sealed)) as ClaimedCredentials;
}

/** One whole pickup: challenge, proof, answer (opened when credentials were issued). */
export async function pickUp(httpUrl: string, gatewayId: string, code: string) {
  const p = await prepareProof(httpUrl, gatewayId, code);
  const answer = await sendProof(httpUrl, p.request);
  const credentials = answer.status === 200 ? openAnswer(answer, p.keys, p.authMessage) : null;
  return { answer, credentials };
}

/**
 * A gateway as an installer puts one into service: the admin registers `gatewayId` (its claim
 * code shown once), the installer claims it for `homeId`, and the gateway picks up its own
 * credentials over the claim channel. `call(who, method, path, body)` is the REST API as the
 * test reaches it (fetch or inject); `admin` and `installer` are whatever `who` it takes.
 * Returns the credentials the gateway connects with; throws when a step is refused.
 */
export async function claimedGateway(
  httpUrl: string,
  call: (who: string, method: string, path: string, body?: unknown) => Promise<ApiAnswer>,
  who: { admin: string; installer: string },
  gatewayId: string,
  homeId: string,
): Promise<ClaimedCredentials> {
  const created = await call(who.admin, 'POST', '/api/v1/gateways', { id: gatewayId });
  const body = created.body as CreateGatewayResponse;
  if (created.status !== 201) throw new Error(`gateway ${gatewayId}: ${JSON.stringify(body)}`);
  const claimed = await call(who.installer, 'POST', '/api/v1/gateways/claim', {
    gatewayId,
    claimCode: body.claimCode,
    homeId,
  });
  if (claimed.status !== 200)
    throw new Error(`claim of ${gatewayId}: ${claimed.status} ${JSON.stringify(claimed.body)}`);
  const picked = await pickUp(httpUrl, gatewayId, body.claimCode);
  if (!picked.credentials) throw new Error(`no credentials: ${JSON.stringify(picked.answer)}`);
  return picked.credentials;
}
