/**
 * Gateway provisioning (issue 5, zero-touch since issue 10): a gateway is created with a claim code
 * (printed on the box or generated here; only a SCRAM verifier of it is stored, see
 * protocol/src/claim-proof.ts), an installer claims it for a home with that code (once), and the
 * hub publishes its configuration retained on `down/config`. The gateway itself then picks up its
 * own broker credentials over the claim channel (claim-channel.ts), proving it holds the code;
 * nobody types a password. A decommissioned gateway loses its credentials (the broker refuses it),
 * is disconnected at once, and is told so when it asks the claim channel.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  downlinkTopic,
  encodeDownlink,
  GATEWAY_CONFIG_VERSION,
  type DeviceKind,
  type GatewayConfigMessage,
} from '@anxin/protocol';
import { claimCodeMatches, makeClaimVerifier } from '@anxin/protocol/claim-proof';
import { hashGatewaySecret } from '../security/gateway-secret.js';
import type { Kysely } from 'kysely';
import { newGatewayRow } from '../store/gateways.js';
import type { Database } from '../store/schema.js';
import { isDecommissioned, NO_CREDENTIALS } from './claim-state.js';
import type { CareStore } from './store.js';
import './tables.js';

export { NO_CREDENTIALS } from './claim-state.js';

/** Thresholds the gateway applies itself, with defaults from practice. */
export const DEFAULT_GATEWAY_THRESHOLDS: Record<string, number> = {
  battery_low_pct: 20,
};

export interface ProvisioningDeps {
  db: Kysely<Database>;
  care: CareStore;
  /** Publishes on the embedded broker (config is retained). */
  publish: (topic: string, payload: Buffer, retain: boolean) => Promise<void>;
  disconnect: (gatewayId: string) => void;
  /**
   * New credentials for a gateway (HubBroker.credentialsIssued): an external broker (Mosquitto's
   * dynamic security) gets the account; the embedded one reads the hash from SQL at CONNECT.
   */
  credentialsIssued: (gatewayId: string, secret: string) => Promise<void>;
  mqttUrl: () => string;
  heartbeatIntervalS: number;
  log: Logger;
}

/** Unambiguous alphabet (no 0/O, 1/I/l) for codes people type from a label. */
const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

export function generateClaimCode(): string {
  const bytes = randomBytes(12);
  let out = '';
  for (const b of bytes) out += CODE_ALPHABET[b % CODE_ALPHABET.length];
  return `${out.slice(0, 4)}-${out.slice(4, 8)}-${out.slice(8, 12)}`;
}

/** Re-arming (see rearm below): what was removed, or why not. */
export type RearmResult =
  | { ok: true; devicesRemoved: string[] }
  | { ok: false; reason: 'not_found' | 'not_decommissioned' };

export type ClaimResult =
  | { ok: true; config: GatewayConfigMessage }
  | { ok: false; reason: 'not_found' | 'wrong_code' | 'decommissioned' | 'code_used' };

/** Credentials picked up by the gateway itself (the secret leaves the hub only sealed). */
export interface IssuedCredentials {
  password: string;
  mqttUrl: string;
  homeId: string | null;
  issuedAt: number;
}

export class Provisioning {
  constructor(private readonly deps: ProvisioningDeps) {}

  /** Registers an unclaimed gateway; false when the id exists already. */
  async createGateway(id: string, claimCode: string, now: number): Promise<boolean> {
    const claimHash = await makeClaimVerifier(claimCode);
    const r = await this.deps.db
      .insertInto('gateways')
      .values({
        ...newGatewayRow(id, now),
        secret_hash: NO_CREDENTIALS,
        home_id: null,
        claim_code_hash: claimHash,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) === 1;
  }

  async claim(
    gatewayId: string,
    claimCode: string,
    homeId: string,
    by: string,
    now: number,
  ): Promise<ClaimResult> {
    const row = await this.deps.care.getGatewayRow(gatewayId);
    if (!row) return { ok: false, reason: 'not_found' };
    // Gateways provisioned by hand (no claim code) can not be claimed: nothing to check. The code
    // is checked before any state is told, so only its holder learns more than "refused".
    if (!row.claim_code_hash || !(await claimCodeMatches(claimCode, row.claim_code_hash)))
      return { ok: false, reason: 'wrong_code' };
    if (isDecommissioned(row)) return { ok: false, reason: 'decommissioned' };
    if (row.claimed_at !== null) return { ok: false, reason: 'code_used' };
    const home = await this.deps.db
      .selectFrom('homes')
      .select('test_mode')
      .where('id', '=', homeId)
      .executeTakeFirst();
    // Compare-and-set on claimed_at: of two installers claiming at once, one wins.
    const r = await this.deps.db
      .updateTable('gateways')
      .set({
        home_id: homeId,
        claimed_at: now,
        claimed_by: by,
        test_mode: home?.test_mode ?? 0,
        secret_hash: NO_CREDENTIALS,
        credentials_issued_at: null,
      })
      .where('id', '=', gatewayId)
      .where('claimed_at', 'is', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: 'code_used' };
    const config = await this.publishConfig(gatewayId, now);
    return { ok: true, config };
  }

  /**
   * Issues the gateway its own broker credentials (claim channel, after its proof was checked):
   * a fresh random secret, stored hashed; an earlier one (an answer the gateway never got) stops
   * working and any session with it is dropped.
   */
  async issueCredentials(gatewayId: string, now: number): Promise<IssuedCredentials | null> {
    const secret = randomBytes(24).toString('base64url');
    const r = await this.deps.db
      .updateTable('gateways')
      .set({ secret_hash: hashGatewaySecret(secret), credentials_issued_at: now })
      .where('id', '=', gatewayId)
      .where('enabled', '=', 1)
      .where('decommissioned_at', 'is', null)
      .where('claimed_at', 'is not', null)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return null;
    await this.deps.credentialsIssued(gatewayId, secret);
    this.deps.disconnect(gatewayId);
    const row = await this.deps.care.getGatewayRow(gatewayId);
    return {
      password: secret,
      mqttUrl: this.deps.mqttUrl(),
      homeId: row?.home_id ?? null,
      issuedAt: now,
    };
  }

  async decommission(gatewayId: string, now: number): Promise<boolean> {
    // Revoked twice over: disabled (the broker refuses it whatever it sends) and no secret left.
    const r = await this.deps.db
      .updateTable('gateways')
      .set({
        enabled: 0,
        decommissioned_at: now,
        status: 'offline',
        status_at: now,
        secret_hash: NO_CREDENTIALS,
      })
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    this.deps.disconnect(gatewayId);
    // An empty retained message clears the retained config (MQTT 3.1.1 §3.3.1.3).
    await this.deps.publish(downlinkTopic(gatewayId, 'config'), Buffer.alloc(0), true);
    return true;
  }

  /**
   * Gives a decommissioned gateway a new claim code and returns it to stock: enabled, unclaimed,
   * no home, no credentials, its former home's devices removed (a refurbished box goes to another
   * home; its installer adds what is there). The old code's verifier is replaced, so that code
   * stays refused; the old secret was dropped at decommissioning and a new one is issued only at
   * the next pickup with the new code. The config version keeps counting up, so a gateway that
   * persisted version N never mistakes the next home's config for one it already applied.
   */
  async rearm(gatewayId: string, claimCode: string, now: number): Promise<RearmResult> {
    const claimHash = await makeClaimVerifier(claimCode);
    return this.deps.db.transaction().execute(async (trx): Promise<RearmResult> => {
      const row = await trx
        .selectFrom('gateways')
        .select(['enabled', 'decommissioned_at'])
        .where('id', '=', gatewayId)
        .executeTakeFirst();
      if (!row) return { ok: false, reason: 'not_found' };
      // Compare-and-set on the decommissioned state: of two admins re-arming at once, one wins
      // (the other's code would otherwise be shown and never work).
      const r = await trx
        .updateTable('gateways')
        .set({
          enabled: 1,
          decommissioned_at: null,
          home_id: null,
          claimed_at: null,
          claimed_by: null,
          claim_code_hash: claimHash,
          secret_hash: NO_CREDENTIALS,
          credentials_issued_at: null,
          test_mode: 0,
          status: 'offline',
          status_at: now,
        })
        .where('id', '=', gatewayId)
        .where((eb) => eb.or([eb('enabled', '!=', 1), eb('decommissioned_at', 'is not', null)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) return { ok: false, reason: 'not_decommissioned' };
      const devices = await trx
        .deleteFrom('devices')
        .where('gateway_id', '=', gatewayId)
        .returning('device_id')
        .execute();
      return { ok: true, devicesRemoved: devices.map((d) => d.device_id).sort() };
    });
  }

  async buildConfig(
    gatewayId: string,
    version: number,
    now: number,
  ): Promise<GatewayConfigMessage> {
    const row = await this.deps.care.getGatewayRow(gatewayId);
    const devices = await this.deps.care.registeredDevices(gatewayId);
    return {
      v: GATEWAY_CONFIG_VERSION,
      configVersion: version,
      gatewayId,
      homeId: row?.home_id ?? null,
      issuedAt: now,
      testMode: row?.test_mode === 1,
      heartbeatIntervalS: Math.max(1, Math.round(this.deps.heartbeatIntervalS)),
      devices: devices.map((d) => ({
        id: d.id,
        driver: d.driver,
        ...(d.kind ? { kind: d.kind as DeviceKind } : {}),
        ...(d.room ? { room: d.room } : {}),
        ...(d.port ? { port: d.port } : {}),
        options: d.options,
        ...(d.expectedIntervalS ? { expectedIntervalS: d.expectedIntervalS } : {}),
      })),
      thresholds: { ...DEFAULT_GATEWAY_THRESHOLDS },
    };
  }

  /** Bumps the config version and publishes the config retained (claimed gateways only). */
  async publishConfig(gatewayId: string, now: number): Promise<GatewayConfigMessage> {
    const version = await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .updateTable('gateways')
        .set((eb) => ({ config_version: eb('config_version', '+', 1) }))
        .where('id', '=', gatewayId)
        .execute();
      const row = await trx
        .selectFrom('gateways')
        .select('config_version')
        .where('id', '=', gatewayId)
        .executeTakeFirstOrThrow();
      return row.config_version;
    });
    const config = await this.buildConfig(gatewayId, version, now);
    try {
      // Through the contract: a config the gateway would refuse as malformed is never published.
      await this.deps.publish(
        downlinkTopic(gatewayId, 'config'),
        encodeDownlink('config', config),
        true,
      );
    } catch (err) {
      // Retained on the broker once published; a failure here is logged and the next change
      // publishes a newer version.
      this.deps.log.warn({ err, gatewayId }, 'gateway config not published');
    }
    return config;
  }

  /** Republishes the config of every claimed gateway of a home (test mode changed). */
  async publishHomeConfigs(gatewayIds: string[], now: number): Promise<void> {
    for (const id of gatewayIds) {
      const row = await this.deps.care.getGatewayRow(id);
      if (row?.claimed_at !== null && row?.claimed_at !== undefined)
        await this.publishConfig(id, now);
    }
  }
}
