/**
 * The care module's parts, built once by the composition root (hub.ts): scope resolver, audit
 * log, care store, scoped alarm reads, gateway provisioning and the per-request access checks.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { Access } from '../auth/guard.js';
import { ScopeResolver } from '../auth/scope.js';
import type { Authenticator } from '../http/auth.js';
import type { Database } from '../store/schema.js';
import { ScopedAlarms } from './alarm-scope.js';
import { AuditLog, ThrottledAudit } from './audit.js';
import { ClaimChannel } from './claim-channel.js';
import { Provisioning, type ProvisioningDeps } from './provisioning.js';
import { CareStore } from './store.js';

export interface CareModule {
  scopes: ScopeResolver;
  audit: AuditLog;
  store: CareStore;
  scopedAlarms: ScopedAlarms;
  provisioning: Provisioning;
  /** The zero-touch claim channel (issue 10): gateways pick up their own credentials. */
  claimChannel: ClaimChannel;
  access: Access;
  /** Set once the broker listens: the URL handed to gateways at claim time. */
  setMqttUrl(url: string): void;
  /** Broker hook: a known gateway was refused at login (audited at most hourly per gateway). */
  gatewayLoginRefused(gatewayId: string, reason: string): void;
}

export async function createCareModule(deps: {
  db: Kysely<Database>;
  auth: Authenticator;
  log: Logger;
  heartbeatIntervalS: number;
  /** Public MQTT URL for gateways (config); defaults to what the broker listens on. */
  publicMqttUrl?: string;
  publish: ProvisioningDeps['publish'];
  disconnect: ProvisioningDeps['disconnect'];
  credentialsIssued: ProvisioningDeps['credentialsIssued'];
}): Promise<CareModule> {
  const scopes = new ScopeResolver(deps.db);
  await scopes.load();
  const audit = new AuditLog(deps.db);
  const store = new CareStore(deps.db);
  let mqttUrl = deps.publicMqttUrl ?? '';
  const provisioning = new Provisioning({
    db: deps.db,
    care: store,
    publish: deps.publish,
    disconnect: deps.disconnect,
    credentialsIssued: deps.credentialsIssued,
    mqttUrl: () => mqttUrl,
    heartbeatIntervalS: deps.heartbeatIntervalS,
    log: deps.log,
  });
  const throttled = new ThrottledAudit(audit);
  return {
    gatewayLoginRefused(gatewayId, reason) {
      throttled
        .record(`${gatewayId}\u0000${reason}`, {
          user: null,
          action: 'mqtt.login_refused',
          targetType: 'gateway',
          targetId: gatewayId,
          detail: { reason },
        })
        .catch((err: unknown) => deps.log.warn({ err, gatewayId }, 'audit of MQTT refusal failed'));
    },
    scopes,
    audit,
    store,
    scopedAlarms: new ScopedAlarms(deps.db),
    provisioning,
    claimChannel: new ClaimChannel({
      db: deps.db,
      care: store,
      provisioning,
      audit,
      log: deps.log,
    }),
    access: new Access({ auth: deps.auth, scopes, audit }),
    setMqttUrl(url) {
      if (!deps.publicMqttUrl) mqttUrl = url;
    },
  };
}
