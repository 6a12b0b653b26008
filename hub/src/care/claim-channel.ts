/**
 * The hub's end of the zero-touch claim channel (protocol/src/claim.ts): single-use challenges,
 * the proof check, and the answer — wait, your sealed credentials, or a stable refusal. Wrong
 * proofs are rate limited per (address, gateway) and per gateway, and audited; repeated refusals
 * of the same kind (a decommissioned gateway polling) are audited at most hourly.
 *
 * Challenges (single use, 60 s) and the wrong-proof counts live in the shared SQL state
 * (claim-challenges.ts, login-limiter.ts), so with several hubs behind one address the two
 * requests of a pickup may reach different hubs, and a guesser gains nothing by spreading its
 * attempts over them (issue 11).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type {
  ClaimChallengeResponse,
  ClaimedCredentials,
  ClaimErrorCode,
  ClaimProofResponse,
} from '@anxin/protocol';
import {
  checkClaimProof,
  claimAuthMessage,
  claimServerSignature,
  CLAIM_KDF_DEFAULT,
  parseClaimVerifier,
  sealForGateway,
  type ClaimVerifier,
} from '@anxin/protocol/claim-proof';
import type { Kysely } from 'kysely';
import { SqlLoginLimiter } from '../http/login-limiter.js';
import { loadSharedSecret } from '../store/hub-secrets.js';
import type { Database } from '../store/schema.js';
import { engineDb } from '../engine/tables.js';
import { ThrottledAudit, type AuditLog } from './audit.js';
import { ClaimChallengeStore } from './claim-challenges.js';
import { isDecommissioned, usedSinceIssue } from './claim-state.js';
import type { Provisioning } from './provisioning.js';
import type { CareStore } from './store.js';

export const CLAIM_NONCE_TTL_MS = 60_000;
/** How long a gateway whose code is right but not yet claimed should wait before asking again. */
export const CLAIM_WAIT_HINT_S = 15;

export interface ClaimChannelOptions {
  db: Kysely<Database>;
  care: CareStore;
  provisioning: Provisioning;
  audit: AuditLog;
  log: Logger;
  now?: () => number;
  /** Wrong proofs allowed per (address, gateway) and per gateway in a window. */
  maxFailuresPerClient?: number;
  maxFailuresPerGateway?: number;
  failureWindowMs?: number;
  /** Challenges outstanding at once (each ~200 bytes). */
  maxOpenChallenges?: number;
}

export type ClaimOutcome =
  | { ok: true; response: ClaimProofResponse }
  | { ok: false; code: ClaimErrorCode | 'RATE_LIMITED'; message: string; retryAfterS?: number };

export type ChallengeOutcome =
  | { ok: true; response: ClaimChallengeResponse }
  | { ok: false; code: 'RATE_LIMITED'; message: string; retryAfterS: number };

export class ClaimChannel {
  private readonly challenges: ClaimChallengeStore;
  private readonly perClient: SqlLoginLimiter;
  private readonly perGateway: SqlLoginLimiter;
  private readonly throttled: ThrottledAudit;
  /**
   * Keys the stand-in salt of unknown gateways, so an unknown id looks like a known one: shared
   * by the hubs (hub_secrets), or asking two hubs would tell a made-up id by its two salts.
   */
  private decoyKey: Promise<Buffer> | undefined;
  private readonly now: () => number;
  private sweptAt = 0;
  readonly stats = { challenges: 0, issued: 0, waiting: 0, refused: {} as Record<string, number> };

  constructor(private readonly o: ClaimChannelOptions) {
    const window = o.failureWindowMs ?? 15 * 60_000;
    this.perClient = new SqlLoginLimiter(o.db, o.maxFailuresPerClient ?? 5, window, 'claim');
    this.perGateway = new SqlLoginLimiter(o.db, o.maxFailuresPerGateway ?? 20, window, 'claim');
    this.challenges = new ClaimChallengeStore(o.db, o.maxOpenChallenges ?? 20_000);
    this.throttled = new ThrottledAudit(o.audit);
    this.now = o.now ?? Date.now;
  }

  private async blockedFor(ip: string, gatewayId: string): Promise<number> {
    const t = this.now();
    const [client, gateway] = await Promise.all([
      this.perClient.blockedFor(ip, gatewayId, t),
      this.perGateway.blockedFor('*', gatewayId, t),
    ]);
    return Math.max(client, gateway);
  }

  private async verifierOf(gatewayId: string): Promise<ClaimVerifier | null> {
    const row = await this.o.care.getGatewayRow(gatewayId);
    return row?.claim_code_hash ? parseClaimVerifier(row.claim_code_hash) : null;
  }

  async challenge(gatewayId: string, clientNonce: string, ip: string): Promise<ChallengeOutcome> {
    const wait = await this.blockedFor(ip, gatewayId);
    if (wait > 0) return this.rateLimited(wait);
    const t = this.now();
    const verifier = await this.verifierOf(gatewayId);
    const nonce = `${clientNonce}${randomBytes(24).toString('base64')}`;
    await this.challenges.issue(nonce, { gatewayId, expiresAt: t + CLAIM_NONCE_TTL_MS }, t);
    if (t - this.sweptAt > 60_000) {
      // Both limits share the 'claim' scope and window: one sweep forgets their ended windows.
      this.sweptAt = t;
      await this.perClient.sweep(t);
    }
    this.stats.challenges += 1;
    return {
      ok: true,
      response: {
        gatewayId,
        nonce,
        salt: (verifier?.salt ?? (await this.decoySalt(gatewayId, t))).toString('base64'),
        kdf: verifier?.kdf ?? CLAIM_KDF_DEFAULT,
        expiresInS: CLAIM_NONCE_TTL_MS / 1000,
      },
    };
  }

  async proof(gatewayId: string, nonce: string, proof: string, ip: string): Promise<ClaimOutcome> {
    const wait = await this.blockedFor(ip, gatewayId);
    if (wait > 0) return this.rateLimited(wait);
    const t = this.now();
    // Spent on first use, right or wrong: a proof seen on the wire can never be played again.
    const challenge = await this.challenges.take(nonce);
    if (!challenge || challenge.gatewayId !== gatewayId || challenge.expiresAt < t) {
      await this.auditRepeated(gatewayId, 'nonce_invalid', ip);
      return this.refuse('CLAIM_NONCE_INVALID', 'unknown, expired or already used challenge');
    }
    const authMessage = claimAuthMessage(gatewayId, nonce);
    const row = await this.o.care.getGatewayRow(gatewayId);
    const verifier = row?.claim_code_hash ? parseClaimVerifier(row.claim_code_hash) : null;
    const clientKey = verifier ? checkClaimProof(proof, verifier, authMessage) : null;
    if (!row || !verifier || !clientKey) {
      await this.perClient.fail(ip, gatewayId, t);
      await this.perGateway.fail('*', gatewayId, t);
      const entry = {
        user: null,
        action: 'gateway.pickup_failed',
        targetType: 'gateway',
        targetId: gatewayId,
        detail: { reason: 'wrong_code', ip },
      };
      // Known gateways: every wrong proof (bounded by the rate limit). Made-up ids: at most
      // hourly per address, so a scan cannot flood the log.
      if (row) await this.o.audit.record(entry);
      else await this.throttled.record(`${ip}\u0000unknown`, entry);
      return this.refuse('CLAIM_CODE_INVALID', 'no gateway with that id and claim code');
    }
    await this.perClient.succeed(ip, gatewayId);
    const serverSignature = claimServerSignature(verifier.serverKey, authMessage);
    if (isDecommissioned(row)) {
      await this.auditRepeated(gatewayId, 'decommissioned', ip);
      return this.refuse('GATEWAY_DECOMMISSIONED', 'gateway decommissioned: credentials revoked');
    }
    if (row.claimed_at === null) {
      this.stats.waiting += 1;
      return {
        ok: true,
        response: { state: 'waiting', serverSignature, retryAfterS: CLAIM_WAIT_HINT_S },
      };
    }
    if (usedSinceIssue(row)) {
      await this.auditRepeated(gatewayId, 'code_used', ip);
      return this.refuse('CLAIM_CODE_USED', 'claim code already used: credentials were issued');
    }
    const issued = await this.o.provisioning.issueCredentials(gatewayId, t);
    if (!issued) return this.refuse('GATEWAY_DECOMMISSIONED', 'gateway no longer claimable');
    const plain: ClaimedCredentials = {
      gatewayId,
      username: gatewayId,
      password: issued.password,
      mqttUrl: issued.mqttUrl,
      homeId: issued.homeId,
      issuedAt: issued.issuedAt,
    };
    await this.o.audit.record({
      user: null,
      action: 'gateway.credentials_issued',
      targetType: 'gateway',
      targetId: gatewayId,
      detail: { homeId: issued.homeId, ip, reissue: row.credentials_issued_at !== null },
    });
    this.o.log.info({ gatewayId, homeId: issued.homeId }, 'gateway picked up its credentials');
    this.stats.issued += 1;
    return {
      ok: true,
      response: {
        state: 'issued',
        serverSignature,
        sealed: sealForGateway(clientKey, authMessage, JSON.stringify(plain)),
      },
    };
  }

  private async decoySalt(gatewayId: string, now: number): Promise<Buffer> {
    // hub_secrets is the engine's table; the care Database type does not list it.
    const db = engineDb(this.o.db);
    this.decoyKey ??= loadSharedSecret(db, 'claim_decoy_salt_key', now);
    const key = await this.decoyKey.catch((err: unknown) => {
      this.decoyKey = undefined; // the database was away: ask again next time
      throw err;
    });
    return createHmac('sha256', key).update(gatewayId).digest().subarray(0, 16);
  }

  private async auditRepeated(gatewayId: string, reason: string, ip: string): Promise<void> {
    await this.throttled.record(`${gatewayId}\u0000${reason}`, {
      user: null,
      action: 'gateway.pickup_refused',
      targetType: 'gateway',
      targetId: gatewayId,
      detail: { reason, ip },
    });
  }

  private refuse(code: ClaimErrorCode, message: string): ClaimOutcome {
    this.stats.refused[code] = (this.stats.refused[code] ?? 0) + 1;
    return { ok: false, code, message };
  }

  private rateLimited(waitMs: number): {
    ok: false;
    code: 'RATE_LIMITED';
    message: string;
    retryAfterS: number;
  } {
    this.stats.refused.RATE_LIMITED = (this.stats.refused.RATE_LIMITED ?? 0) + 1;
    return {
      ok: false,
      code: 'RATE_LIMITED',
      message: 'too many wrong claim codes; try again later',
      retryAfterS: Math.ceil(waitMs / 1000),
    };
  }
}
