/**
 * Gateway provisioning (issue 5): a gateway is created with a claim code (printed on the box or
 * generated here; stored hashed), an installer claims it for a home with that code, and the hub
 * issues the gateway's own broker credentials (shown once; stored hashed by the hub's existing
 * provisioning function) and publishes its configuration retained on `down/config`. A
 * decommissioned gateway is disabled (the broker refuses it) and disconnected at once.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import {
  downlinkTopic,
  encodeDownlink,
  GATEWAY_CONFIG_VERSION,
  type DeviceKind,
  type GatewayConfigMessage,
  type GatewayCredentialsDto,
} from '@anxin/protocol';
import { hashSecret, USER_PASSWORD_COST, verifySecret } from '../security/password.js';
import type { Kysely } from 'kysely';
import type { Database } from '../store/schema.js';
import type { CareStore } from './store.js';
import './tables.js';

/** Marks a gateway row that has no broker credentials yet: never a valid hash, so never accepted. */
export const NO_CREDENTIALS = '!unclaimed';

/** Thresholds the gateway applies itself, with defaults from practice. */
export const DEFAULT_GATEWAY_THRESHOLDS: Record<string, number> = {
  battery_low_pct: 20,
};

export interface ProvisioningDeps {
  db: Kysely<Database>;
  care: CareStore;
  /** The hub's provisioning function (hashes and stores the secret; enables the gateway). */
  provision: (input: { gatewayId: string; secret: string; homeId: string | null }) => Promise<void>;
  /** Publishes on the embedded broker (config is retained). */
  publish: (topic: string, payload: Buffer, retain: boolean) => Promise<void>;
  disconnect: (gatewayId: string) => void;
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

export type ClaimResult =
  | { ok: true; credentials: GatewayCredentialsDto; config: GatewayConfigMessage }
  | { ok: false; reason: 'not_found' | 'wrong_code' | 'decommissioned' };

export class Provisioning {
  constructor(private readonly deps: ProvisioningDeps) {}

  /** Registers an unclaimed gateway; false when the id exists already. */
  async createGateway(id: string, claimCode: string, now: number): Promise<boolean> {
    const claimHash = await hashSecret(claimCode, USER_PASSWORD_COST);
    const r = await this.deps.db
      .insertInto('gateways')
      .values({
        id,
        secret_hash: NO_CREDENTIALS,
        home_id: null,
        created_at: now,
        status: 'unknown',
        status_at: null,
        last_seen_at: null,
        health_json: null,
        test_mode: 0,
        enabled: 1,
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
    if (row.enabled !== 1 || row.decommissioned_at !== null)
      return { ok: false, reason: 'decommissioned' };
    // Gateways provisioned before issue 5 (no claim code) can not be claimed: nothing to check.
    if (!row.claim_code_hash || !(await verifySecret(claimCode, row.claim_code_hash)))
      return { ok: false, reason: 'wrong_code' };
    const secret = randomBytes(24).toString('base64url');
    await this.deps.provision({ gatewayId, secret, homeId });
    const home = await this.deps.db
      .selectFrom('homes')
      .select('test_mode')
      .where('id', '=', homeId)
      .executeTakeFirst();
    await this.deps.db
      .updateTable('gateways')
      .set({ claimed_at: now, claimed_by: by, test_mode: home?.test_mode ?? 0 })
      .where('id', '=', gatewayId)
      .execute();
    // New credentials: an existing connection with the old ones must go.
    this.deps.disconnect(gatewayId);
    const config = await this.publishConfig(gatewayId, now);
    return {
      ok: true,
      credentials: { username: gatewayId, password: secret, mqttUrl: this.deps.mqttUrl() },
      config,
    };
  }

  async decommission(gatewayId: string, now: number): Promise<boolean> {
    const r = await this.deps.db
      .updateTable('gateways')
      .set({ enabled: 0, decommissioned_at: now, status: 'offline', status_at: now })
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) return false;
    this.deps.disconnect(gatewayId);
    // An empty retained message clears the retained config (MQTT 3.1.1 §3.3.1.3).
    await this.deps.publish(downlinkTopic(gatewayId, 'config'), Buffer.alloc(0), true);
    return true;
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
