/**
 * The claim channel's REST endpoints (protocol/src/claim.ts). No session: the gateway has none;
 * its proof of the claim code is the authentication, checked by ClaimChannel. Bodies are small
 * and validated by schema before anything is looked up.
 */
import type { FastifyInstance } from 'fastify';
import {
  CLAIM_CHALLENGE_PATH,
  CLAIM_PROOF_PATH,
  ClaimChallengeRequestSchema,
  ClaimProofRequestSchema,
  ClaimChallengeResponseSchema,
  ClaimProofResponseSchema,
  type ClaimChallengeResponse,
  type ClaimProofResponse,
} from '@anxin/protocol';
import type { ClaimChannel } from '../care/claim-channel.js';
import { HttpError } from './errors.js';
import { typed } from './typed.js';

/** A challenge or proof body is a few hundred bytes; anything bigger is not a gateway. */
const CLAIM_BODY_LIMIT = 2048;

export function registerClaimRoutes(server: FastifyInstance, channel: ClaimChannel): void {
  const app = typed(server);
  const fail = (outcome: { code: HttpError['code']; message: string; retryAfterS?: number }) =>
    new HttpError(
      outcome.code,
      outcome.message,
      undefined,
      outcome.retryAfterS !== undefined
        ? { 'retry-after': String(outcome.retryAfterS) }
        : undefined,
    );

  app.post(
    CLAIM_CHALLENGE_PATH,
    {
      bodyLimit: CLAIM_BODY_LIMIT,
      schema: {
        tags: ['claim'],
        body: ClaimChallengeRequestSchema,
        response: { 200: ClaimChallengeResponseSchema },
      },
    },
    async (request): Promise<ClaimChallengeResponse> => {
      const body = request.body;
      const outcome = await channel.challenge(body.gatewayId, body.clientNonce, request.ip);
      if (!outcome.ok) throw fail(outcome);
      return outcome.response;
    },
  );

  app.post(
    CLAIM_PROOF_PATH,
    {
      bodyLimit: CLAIM_BODY_LIMIT,
      schema: {
        tags: ['claim'],
        body: ClaimProofRequestSchema,
        response: { 200: ClaimProofResponseSchema },
      },
    },
    async (request): Promise<ClaimProofResponse> => {
      const body = request.body;
      const outcome = await channel.proof(body.gatewayId, body.nonce, body.proof, request.ip);
      if (!outcome.ok) throw fail(outcome);
      return outcome.response;
    },
  );
}
