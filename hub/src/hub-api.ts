/**
 * The hub's public surface (types) and the parts of it that are plain operations on the stores:
 * provisioning a gateway, creating users, the stats snapshot. hub.ts only composes.
 */
import { USER_ROLES, isValidGatewayId, type UserDto, type UserRole } from '@anxin/protocol';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { HubBroker } from './broker/seam.js';
import type { CareModule } from './care/module.js';
import type { Clock } from './clock.js';
import type { HubConfig } from './config.js';
import type { AlarmEngineModule } from './engine/module.js';
import type { Ingest, IngestStats } from './ingest/ingest.js';
import type { HubMetrics } from './metrics.js';
import type { OperationsModule } from './operations/module.js';
import { hashGatewaySecret } from './security/gateway-secret.js';
import { hashSecret, USER_PASSWORD_COST } from './security/password.js';
import type { GatewayStore } from './store/gateways.js';
import type { UserStore } from './store/users.js';
import type { TelemetryStore } from './telemetry/store.js';

export interface BuildHubOptions {
  logger?: Logger;
  /** Replaces the configured telemetry store (tests: a slow or failing store). */
  telemetryStore?: TelemetryStore;
  /** Replaces Date.now for care operations (tests: "today's" welfare checks, overdue orders). */
  clock?: () => number;
  /** Replaces real time for escalation steps and their poll (tests advance it instead of sleeping). */
  escalationClock?: Clock;
}

export interface HubStats {
  ingest: IngestStats;
  connectedGateways: number;
  consoleClients: number;
  /** By channel: `alarm`, `telemetry`, `heartbeat`, … */
  messagesIn: Record<string, number>;
  /** By code: `BAD_JSON`, `SCHEMA`, `TOO_LARGE`, `NOT_AUTHORIZED`, `SEQ_CONFLICT`. */
  rejections: Record<string, number>;
  /** By lane/outcome: `alarm/acked`, `telemetry/deferred`, … */
  acks: Record<string, number>;
  alarmTriggersStored: number;
  telemetryPointsWritten: number;
  telemetryStoreErrors: number;
  authFailures: number;
  aclRefusals: number;
  /** Alarm rules, escalation steps and webhook deliveries. */
  alarmEngine: ReturnType<AlarmEngineModule['stats']>;
}

export interface Hub {
  readonly config: HubConfig;
  /** Opens the MQTT and HTTP ports. */
  listen(): Promise<{ httpUrl: string; mqttUrl: string }>;
  /** Stops accepting, finishes queued work, closes the stores. Safe to call twice. */
  close(): Promise<void>;
  /** Stores a gateway's credentials (secret hashed with scrypt); replaces earlier ones. */
  provisionGateway(input: {
    gatewayId: string;
    secret: string;
    homeId?: string | null;
  }): Promise<void>;
  /**
   * The same for many gateways, all checked first and stored in one SQL transaction (one commit
   * instead of one per gateway: `anxin hub --provision-file` with thousands of gateways).
   */
  provisionGateways(
    inputs: readonly { gatewayId: string; secret: string; homeId?: string | null }[],
  ): Promise<void>;
  /** Creates a user, or updates the one with that username (password, role, display name). */
  createUser(input: {
    username: string;
    password: string;
    role: UserRole;
    displayName?: string;
  }): Promise<UserDto>;
  /** Same as createUser: sets a user's password, role and display name (`anxin demo`). */
  setUser(input: {
    username: string;
    password: string;
    role: UserRole;
    displayName?: string;
  }): Promise<UserDto>;
  countUsers(): Promise<number>;
  /** Prometheus text, as served on /metrics. */
  metrics(): Promise<string>;
  stats(): HubStats;
  /** The Fastify instance (tests may `inject` requests without a port). */
  readonly http: FastifyInstance;
  /** The care model (issue 5): scopes, audit log, care store, provisioning (seedDemo uses it). */
  readonly care: CareModule;
  /** Service requests, welfare checks, work orders (issue 13). */
  readonly operations: OperationsModule;
}

/** `{code="BAD_JSON"}` → `BAD_JSON`; `{lane="alarm",outcome="acked"}` → `alarm/acked`. */
function counterRecord(entries: [string, number][]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [key, value] of entries) {
    const name = [...key.matchAll(/="([^"]*)"/g)].map((m) => m[1]).join('/');
    out[name || 'total'] = value;
  }
  return out;
}

type HubOperations = Pick<
  Hub,
  'provisionGateway' | 'provisionGateways' | 'createUser' | 'setUser' | 'countUsers'
>;

export function hubOperations(deps: {
  gateways: GatewayStore;
  users: UserStore;
  broker: HubBroker;
  log: Logger;
}): HubOperations {
  const { gateways, users, broker: mqttBroker, log } = deps;
  const ops: HubOperations = {
    provisionGateway(input) {
      return ops.provisionGateways([input]);
    },
    async provisionGateways(inputs) {
      for (const { gatewayId, secret } of inputs) {
        if (!isValidGatewayId(gatewayId))
          throw new Error(`invalid gateway id ${JSON.stringify(gatewayId)}`);
        if (secret.length < 8) throw new Error('gateway secret must be at least 8 characters');
      }
      await gateways.upsertCredentialsMany(
        inputs.map(({ gatewayId, secret, homeId }) => ({
          id: gatewayId,
          secretHash: hashGatewaySecret(secret),
          homeId: homeId ?? null,
        })),
        Date.now(),
      );
      // An external broker keeps its own accounts (the embedded one reads SQL at CONNECT).
      for (const { gatewayId, secret } of inputs) {
        await mqttBroker.credentialsIssued(gatewayId, secret);
        log.info({ gatewayId }, 'gateway provisioned');
      }
    },
    async setUser(input) {
      return ops.createUser(input);
    },
    countUsers: () => users.count(),
    async createUser({ username, password, role, displayName }) {
      if (!USER_ROLES.includes(role)) throw new Error(`unknown role ${role}`);
      if (password.length < 8) throw new Error('password must be at least 8 characters');
      const user = await users.create(
        {
          username,
          displayName: displayName ?? username,
          role,
          passwordHash: await hashSecret(password, USER_PASSWORD_COST),
        },
        Date.now(),
      );
      log.info({ username, role }, 'user created');
      return user;
    },
  };
  return ops;
}

export function hubStats(deps: {
  ingest: Ingest;
  broker: HubBroker;
  consoleClients: () => number;
  metrics: HubMetrics;
  alarmEngine: AlarmEngineModule;
}): HubStats {
  const { ingest, broker: mqttBroker, metrics, alarmEngine } = deps;
  return {
    ingest: ingest.stats(),
    connectedGateways: mqttBroker.connectedClients,
    consoleClients: deps.consoleClients(),
    messagesIn: counterRecord(metrics.messagesIn.entries()),
    rejections: counterRecord(metrics.rejections.entries()),
    acks: counterRecord(metrics.acks.entries()),
    alarmTriggersStored: metrics.alarmsStored.get(),
    telemetryPointsWritten: metrics.telemetryPoints.get(),
    telemetryStoreErrors: metrics.telemetryStoreErrors.get(),
    authFailures: metrics.authFailures.entries().reduce((s, [, v]) => s + v, 0),
    aclRefusals: metrics.aclRefusals.entries().reduce((s, [, v]) => s + v, 0),
    alarmEngine: alarmEngine.stats(),
  };
}
