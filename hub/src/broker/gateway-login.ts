/**
 * A gateway's MQTT login, decided once for every broker that asks the hub (issue 11): the
 * embedded aedes broker (broker.ts) and an external broker calling the hub's HTTP auth endpoint
 * (EMQX, http/broker-auth-routes.ts). Username = gateway id = client id (no gateway can take over
 * another's session), the gateway enabled, the password checked against the salted hash in SQL.
 * Verified secrets are remembered as an HMAC under a per-process key (reconnect storms skip the
 * hash check), invalidated when the stored hash changes; legacy scrypt rows are re-hashed on the
 * first good login.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { isValidGatewayId, errorMessage } from '@anxin/protocol';
import type { HubMetrics } from '../metrics.js';
import { hashGatewaySecret, verifyGatewaySecret } from '../security/gateway-secret.js';
import type { GatewayStore } from '../store/gateways.js';

/** Why a login was refused (the `reason` label of anxin_mqtt_auth_failures_total). */
export type LoginRefusal =
  | 'missing_credentials'
  | 'bad_username'
  | 'client_id_mismatch'
  | 'unknown_gateway'
  | 'disabled'
  | 'wrong_password';

export type LoginVerdict = { ok: true } | { ok: false; reason: LoginRefusal };

export interface GatewayLoginDeps {
  gateways: GatewayStore;
  metrics: HubMetrics;
  log: Logger;
  /** A known gateway refused (audited at most hourly per gateway by the care module). */
  onLoginRefused?: (gatewayId: string, reason: string) => void;
}

export class GatewayLogin {
  private readonly verified = new Map<string, { hash: string; digest: Buffer }>();
  private readonly cacheKey = randomBytes(32);

  constructor(private readonly deps: GatewayLoginDeps) {}

  /** Re-issued or revoked credentials: the next login is checked against SQL again. */
  forget(gatewayId: string): void {
    this.verified.delete(gatewayId);
  }

  async check(
    clientId: string,
    username: string | undefined,
    password: Buffer | string | undefined,
  ): Promise<LoginVerdict> {
    const verdict = await this.decide(clientId, username, password);
    if (!verdict.ok) {
      this.deps.metrics.authFailures.inc({ reason: verdict.reason });
      this.deps.log.warn(
        { gatewayId: username ?? null, clientId, reason: verdict.reason },
        'MQTT login refused',
      );
      if (verdict.reason === 'disabled' && username)
        this.deps.onLoginRefused?.(username, 'disabled');
    }
    return verdict;
  }

  private async decide(
    clientId: string,
    username: string | undefined,
    password: Buffer | string | undefined,
  ): Promise<LoginVerdict> {
    const refuse = (reason: LoginRefusal): LoginVerdict => ({ ok: false, reason });
    if (!username || password === undefined) return refuse('missing_credentials');
    if (!isValidGatewayId(username)) return refuse('bad_username');
    if (clientId !== username) return refuse('client_id_mismatch');
    const row = await this.deps.gateways.get(username);
    if (!row) return refuse('unknown_gateway');
    if (row.enabled !== 1) return refuse('disabled');
    const secret = typeof password === 'string' ? password : password.toString('utf8');
    const digest = createHmac('sha256', this.cacheKey).update(secret).digest();
    const cached = this.verified.get(username);
    if (cached && cached.hash === row.secret_hash && timingSafeEqual(cached.digest, digest))
      return { ok: true };
    const check = await verifyGatewaySecret(secret, row.secret_hash);
    if (!check.ok) return refuse('wrong_password');
    let hash = row.secret_hash;
    if (check.legacy) {
      // Migrate the row to the fast format now that we know the secret (compare-and-set: a
      // re-provisioning that happened meanwhile wins).
      const rehashed = hashGatewaySecret(secret);
      try {
        if (await this.deps.gateways.replaceSecretHash(username, row.secret_hash, rehashed)) {
          hash = rehashed;
          this.deps.log.info({ gatewayId: username }, 'gateway secret re-hashed (scrypt → hmac)');
        }
      } catch (err) {
        this.deps.log.warn(
          { gatewayId: username, err: errorMessage(err) },
          'cannot re-hash a legacy gateway secret; it stays valid',
        );
      }
    }
    this.verified.set(username, { hash, digest });
    return { ok: true };
  }
}
