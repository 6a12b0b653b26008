/**
 * The hub's configuration: one TypeBox schema with defaults, validated once at start-up by
 * @anxin/protocol's loadConfig/validateConfig (which name the bad key). Every section defaults to
 * `{}` so an empty file is a working single-host hub (SQLite, embedded broker, embedded telemetry).
 */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Type, type Static } from '@sinclair/typebox';
import { validateConfig } from '@anxin/protocol';
import { BrokerModeSchema, ExternalBrokerConfigSchema } from './broker/external-config.js';
import { ClusterConfigSchema } from './cluster/config.js';
import { EngineConfigSchema } from './engine/config.js';
import { EscalationConfigSchema } from './escalation/config.js';
import { NotifyConfigSchema } from './notify/config.js';
import { PostgresConfigSchema } from './store/target.js';
import { OperationsConfigSchema } from './operations/config.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const logLevel = (options: { default?: LogLevel } = {}) =>
  Type.Union(
    LOG_LEVELS.map((l) => Type.Literal(l)),
    options,
  );
export type LogLevel = (typeof LOG_LEVELS)[number];

const port = (defaultPort: number) =>
  Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort });

/** The built console, relative to this package (src/ or dist/ are both one level below it). */
export const DEFAULT_WEB_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../web/dist');

export const HubConfigSchema = Type.Object(
  {
    /** Where the SQLite files live unless a file is given explicitly. */
    dataDir: Type.String({ minLength: 1, default: './data/hub' }),
    http: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1' }),
        /** 0 = an ephemeral port (tests). */
        port: port(8080),
        /** Folder of the built web console; empty = the web package's dist/. */
        webRoot: Type.String({ default: '' }),
        /** Largest request body accepted (bytes). */
        bodyLimit: Type.Integer({ minimum: 1024, default: 64 * 1024 }),
        /** HTTPS (and Socket.IO over it) with this PEM certificate and key (`anxin certs`). */
        tls: Type.Optional(
          Type.Object(
            { certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) },
            { additionalProperties: false },
          ),
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    mqtt: Type.Object(
      {
        /**
         * `embedded`: the hub is the broker (the default, one hub). `external`: the hub is a client
         * of Mosquitto or EMQX, with other hubs (broker/external.ts; `external` below).
         */
        mode: BrokerModeSchema,
        external: ExternalBrokerConfigSchema,
        /** Embedded broker only, from here to acceptHandles. */
        host: Type.String({ default: '127.0.0.1' }),
        port: port(1883),
        tls: Type.Optional(
          Type.Object(
            { certFile: Type.String({ minLength: 1 }), keyFile: Type.String({ minLength: 1 }) },
            { additionalProperties: false },
          ),
        ),
        /**
         * The broker URL gateways are given at claim time (e.g. mqtts://hub.example.org:8883);
         * default: the URL the broker listens on.
         */
        publicUrl: Type.Optional(Type.String({ pattern: '^mqtts?://' })),
        /**
         * MQTT packets whose declared length exceeds this are cut off at the socket before being
         * buffered (LIMITS.maxPayloadBytes is enforced per message on top, and counted).
         */
        maxPacketBytes: Type.Integer({ minimum: 1024, default: 1024 * 1024 }),
        /**
         * Accept handles on the MQTT port (broker/accept-handles.ts): Node 20 accepts one
         * connection per handle per event-loop iteration, so a busy hub takes a reconnect storm
         * at up to this many connections per iteration. 1 = a plain listener.
         */
        acceptHandles: Type.Integer({ minimum: 1, maximum: 256, default: 128 }),
      },
      { default: {}, additionalProperties: false },
    ),
    database: Type.Object(
      {
        /**
         * 'sqlite' (embedded, one hub) or 'postgres' (several hubs share one PostgreSQL; DESIGN.md,
         * Scale). Both run the same migrations (store/migrations.ts).
         */
        driver: Type.Union([Type.Literal('sqlite'), Type.Literal('postgres')], {
          default: 'sqlite',
        }),
        /** SQLite only. Empty = <dataDir>/anxin.db. */
        file: Type.String({ default: '' }),
        /** PostgreSQL only: a connection URL, or host settings (store/target.ts). */
        postgres: PostgresConfigSchema,
      },
      { default: {}, additionalProperties: false },
    ),
    telemetry: Type.Object(
      {
        store: Type.Union(
          [Type.Literal('embedded'), Type.Literal('influx1'), Type.Literal('influx2')],
          {
            default: 'embedded',
          },
        ),
        influx1: Type.Object(
          {
            url: Type.String({ default: 'http://127.0.0.1:8086' }),
            database: Type.String({ minLength: 1, default: 'anxin' }),
            username: Type.Optional(Type.String()),
            password: Type.Optional(Type.String()),
            retentionPolicy: Type.Optional(Type.String({ minLength: 1 })),
          },
          { default: {}, additionalProperties: false },
        ),
        influx2: Type.Object(
          {
            url: Type.String({ default: 'http://127.0.0.1:8086' }),
            org: Type.String({ default: 'anxin' }),
            bucket: Type.String({ default: 'anxin' }),
            token: Type.String({ default: '' }),
          },
          { default: {}, additionalProperties: false },
        ),
        embedded: Type.Object(
          {
            /** Empty = <dataDir>/telemetry.db (its own file, apart from the SQL state). */
            file: Type.String({ default: '' }),
            retentionDays: Type.Number({ exclusiveMinimum: 0, default: 30 }),
          },
          { default: {}, additionalProperties: false },
        ),
        /** Most points in one write to the store (gateway batches are coalesced up to this). */
        batchSize: Type.Integer({ minimum: 1, maximum: 100_000, default: 5000 }),
        /** How long a partial write may wait for more points. */
        flushIntervalMs: Type.Integer({ minimum: 0, maximum: 60_000, default: 20 }),
        /** Per-write timeout; a slower store counts as down (telemetry deferred). */
        writeTimeoutMs: Type.Integer({ minimum: 100, default: 10_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    auth: Type.Object(
      {
        sessionTtlMinutes: Type.Integer({ minimum: 1, default: 12 * 60 }),
        loginRateLimit: Type.Object(
          {
            /** Failed logins allowed per client address + username within the window. */
            maxFailures: Type.Integer({ minimum: 1, default: 5 }),
            windowSeconds: Type.Integer({ minimum: 1, default: 300 }),
          },
          { default: {}, additionalProperties: false },
        ),
        /** Send the session cookie only over HTTPS. */
        secureCookie: Type.Boolean({ default: false }),
      },
      { default: {}, additionalProperties: false },
    ),
    ingest: Type.Object(
      {
        /** Alarm events waiting for SQL; beyond it alarms are deferred (held by gateways). */
        alarmQueueMaxEvents: Type.Integer({ minimum: 1, default: 100_000 }),
        /** Telemetry events waiting for the store; beyond it telemetry is deferred. */
        telemetryQueueMaxEvents: Type.Integer({ minimum: 1, default: 50_000 }),
        /** Telemetry writes in flight at once. */
        telemetryConcurrency: Type.Integer({ minimum: 1, maximum: 64, default: 2 }),
        /** retryAfterMs sent when the alarm queue is full, and to everything while shutting down. */
        overloadRetryAfterMs: Type.Integer({ minimum: 0, default: 5000 }),
        /**
         * Telemetry finding its queue full is sent back to a booked slot (ingest/retry-schedule.ts):
         * spread at the store's measured rate, at least the minimum and at most the maximum wait.
         */
        telemetryRetryMinMs: Type.Integer({ minimum: 0, default: 250 }),
        telemetryRetryMaxMs: Type.Integer({ minimum: 0, default: 300_000 }),
        /** First and largest back-off while the telemetry store is failing. */
        storeRetryMinMs: Type.Integer({ minimum: 0, default: 1000 }),
        storeRetryMaxMs: Type.Integer({ minimum: 0, default: 30_000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    liveness: Type.Object(
      {
        /** The gateways' heartbeat interval (their `heartbeatIntervalS`). */
        heartbeatIntervalS: Type.Number({ exclusiveMinimum: 0, default: 30 }),
        /** Heartbeats missed before a gateway_offline alarm is raised (issue 4: three). */
        missedHeartbeats: Type.Integer({ minimum: 1, default: 3 }),
        checkIntervalMs: Type.Integer({ minimum: 100, default: 5000 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** Alarm rules over telemetry and silence; per-home overrides via /api/v1/homes/:id/rules. */
    engine: EngineConfigSchema,
    /** Untaken alarms → supervisors → contacts in call order. */
    escalation: EscalationConfigSchema,
    /** Outbound webhooks (SMS / WeChat gateways). */
    notify: NotifyConfigSchema,
    /** Several hubs side by side (issue 11): this hub's name, the Redis the consoles share. */
    cluster: ClusterConfigSchema,
    /** Service requests, welfare checks, work orders (issue 13). */
    operations: OperationsConfigSchema,
    log: Type.Object(
      {
        level: logLevel({ default: 'info' }),
        /** Level per part, e.g. { broker: 'debug' }; parts: broker, ingest, store, telemetry, http, realtime. */
        parts: Type.Record(Type.String(), logLevel(), { default: {} }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

export type HubConfig = Static<typeof HubConfigSchema>;

/** Defaults + validation for an object assembled in code (tests, `anxin demo`). */
export function hubConfig(input: unknown = {}, source = 'hub config'): HubConfig {
  return validateConfig(HubConfigSchema, input, source);
}

/** The SQLite file of a sqlite-driver hub (database.file, else <dataDir>/anxin.db). */
export function resolveDatabaseFile(config: HubConfig): string {
  return config.database.file || join(config.dataDir, 'anxin.db');
}

export function resolveEmbeddedTelemetryFile(config: HubConfig): string {
  return config.telemetry.embedded.file || join(config.dataDir, 'telemetry.db');
}

export function resolveWebRoot(config: HubConfig): string {
  return config.http.webRoot || DEFAULT_WEB_ROOT;
}
