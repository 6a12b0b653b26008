/**
 * The gateway's end of the claim channel (protocol/src/claim.ts): one pickup attempt = challenge,
 * proof, answer. The code never leaves the gateway; the answer is checked (server signature) and
 * the credentials opened (sealed for the holder of the code) before anything is believed.
 * HTTP(S) with node:http(s), so a private CA (claim.caFile) can be trusted without touching the
 * process-wide trust store.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import {
  CLAIM_CHALLENGE_PATH,
  CLAIM_ERROR_CODES,
  CLAIM_PROOF_PATH,
  type ClaimChallengeResponse,
  type ClaimedCredentials,
  type ClaimErrorCode,
  type ClaimProofResponse,
  errorMessage,
} from '@anxin/protocol';
import { openSealed, proveClaimCode, serverSignatureMatches } from '@anxin/protocol/claim-proof';
import { isCredentials } from './credential-store.js';

export interface ClaimClientOptions {
  hubUrl: string;
  gatewayId: string;
  code: string;
  /** PEM of the CA that signed the hub's certificate. */
  ca?: string | Buffer;
  timeoutMs: number;
}

export type PickupResult =
  | { kind: 'waiting'; retryAfterS: number }
  | { kind: 'issued'; credentials: ClaimedCredentials }
  /** The hub refused with a stable code (decommissioned, code used or wrong, rate limited). */
  | {
      kind: 'refused';
      code: ClaimErrorCode | 'RATE_LIMITED';
      message: string;
      retryAfterS?: number;
    };

/** A failure that says nothing about the claim (network, hub down, an answer we cannot trust). */
export class ClaimTransportError extends Error {
  constructor(
    readonly code: 'CLAIM_UNREACHABLE' | 'CLAIM_BAD_ANSWER' | 'CLAIM_SERVER_UNVERIFIED',
    message: string,
  ) {
    super(message);
    this.name = 'ClaimTransportError';
  }
}

interface HttpAnswer {
  status: number;
  body: unknown;
  retryAfterS?: number;
}

const MAX_ANSWER_BYTES = 16 * 1024;

function postJson(url: URL, body: unknown, o: ClaimClientOptions): Promise<HttpAnswer> {
  const payload = Buffer.from(JSON.stringify(body));
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': payload.length },
        timeout: o.timeoutMs,
        ...(o.ca !== undefined ? { ca: o.ca } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_ANSWER_BYTES) {
            req.destroy(new ClaimTransportError('CLAIM_BAD_ANSWER', 'answer too large'));
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          let parsed: unknown = null;
          try {
            parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
          } catch {
            reject(new ClaimTransportError('CLAIM_BAD_ANSWER', `HTTP ${res.statusCode}: not JSON`));
            return;
          }
          const retry = Number(res.headers['retry-after']);
          resolve({
            status: res.statusCode ?? 0,
            body: parsed,
            ...(Number.isFinite(retry) && retry > 0 ? { retryAfterS: retry } : {}),
          });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new ClaimTransportError('CLAIM_UNREACHABLE', `no answer in ${o.timeoutMs} ms`)),
    );
    req.on('error', (err) =>
      reject(
        err instanceof ClaimTransportError
          ? err
          : new ClaimTransportError('CLAIM_UNREACHABLE', `${url.origin}: ${err.message}`),
      ),
    );
    req.end(payload);
  });
}

function refusalOf(answer: HttpAnswer): PickupResult | null {
  if (answer.status < 400) return null;
  const error = (answer.body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' ? error.code : '';
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${answer.status}`;
  if (code === 'RATE_LIMITED' || (CLAIM_ERROR_CODES as readonly string[]).includes(code))
    return {
      kind: 'refused',
      code: code as ClaimErrorCode | 'RATE_LIMITED',
      message,
      ...(answer.retryAfterS !== undefined ? { retryAfterS: answer.retryAfterS } : {}),
    };
  throw new ClaimTransportError('CLAIM_BAD_ANSWER', `HTTP ${answer.status} ${code}: ${message}`);
}

function isChallenge(v: unknown): v is ClaimChallengeResponse {
  const o = v as Partial<ClaimChallengeResponse> | null;
  return (
    typeof o?.nonce === 'string' &&
    typeof o.salt === 'string' &&
    typeof o.kdf === 'object' &&
    o.kdf !== null &&
    typeof o.kdf.log2N === 'number'
  );
}

/** One pickup attempt. Throws ClaimTransportError when the hub could not be asked or trusted. */
export async function pickUpCredentials(o: ClaimClientOptions): Promise<PickupResult> {
  const base = new URL(o.hubUrl);
  const clientNonce = randomBytes(18).toString('base64');
  const challenge = await postJson(
    new URL(CLAIM_CHALLENGE_PATH, base),
    { gatewayId: o.gatewayId, clientNonce },
    o,
  );
  const refusedEarly = refusalOf(challenge);
  if (refusedEarly) return refusedEarly;
  if (!isChallenge(challenge.body) || !challenge.body.nonce.startsWith(clientNonce))
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', 'malformed challenge');
  let proved: Awaited<ReturnType<typeof proveClaimCode>>;
  try {
    proved = await proveClaimCode(o.code, o.gatewayId, challenge.body);
  } catch (err) {
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', errorMessage(err));
  }
  const answer = await postJson(
    new URL(CLAIM_PROOF_PATH, base),
    { gatewayId: o.gatewayId, nonce: challenge.body.nonce, proof: proved.proof },
    o,
  );
  const refused = refusalOf(answer);
  if (refused) return refused;
  const body = answer.body as Partial<ClaimProofResponse> | null;
  if (
    typeof body?.serverSignature !== 'string' ||
    !serverSignatureMatches(proved.keys.serverKey, proved.authMessage, body.serverSignature)
  )
    throw new ClaimTransportError(
      'CLAIM_SERVER_UNVERIFIED',
      'the answer is not signed by a hub that knows this code',
    );
  if (body.state === 'waiting')
    return {
      kind: 'waiting',
      retryAfterS: typeof body.retryAfterS === 'number' ? body.retryAfterS : 15,
    };
  if (body.state !== 'issued' || !body.sealed)
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', 'unknown answer state');
  let credentials: unknown;
  try {
    credentials = JSON.parse(openSealed(proved.keys.clientKey, proved.authMessage, body.sealed));
  } catch (err) {
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', `sealed credentials: ${errorMessage(err)}`);
  }
  if (!isCredentials(credentials))
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', 'sealed credentials are incomplete');
  if (credentials.gatewayId !== o.gatewayId)
    throw new ClaimTransportError('CLAIM_BAD_ANSWER', 'credentials for another gateway');
  return { kind: 'issued', credentials };
}
