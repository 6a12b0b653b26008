/**
 * The composition root: builds the hub from its parts (SQL state, telemetry store, ingest,
 * broker, HTTP, realtime) without opening any port; `listen()` opens them, `close()` shuts down
 * gracefully. Tests and `anxin` commands drive it in-process.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import {
  downlinkTopic,
  encodeDownlink,
  USER_ROLES,
  isValidGatewayId,
  parseTopic,
  type Ack,
  type AlarmDto,
  type UserDto,
  type UserRole,
} from '@anxin/protocol';
import { GatewayOfflineMonitor } from './alarms/gateway-offline.js';
import { resolveInstanceId } from './cluster/config.js';
import { Leases } from './cluster/leases.js';
import { connectRedisAdapter, type RedisLink } from './cluster/redis-adapter.js';
import { createCareModule, type CareModule } from './care/module.js';
import { GatewayControl } from './control/service.js';
import { ControlStore } from './control/store.js';
import { registerControlRoutes } from './http/control-routes.js';
import { telemetryReaderOf } from './care/telemetry-query.js';
import { createBroker } from './broker/create.js';
import type { HubBroker } from './broker/seam.js';
import { resolveWebRoot, type HubConfig } from './config.js';
import { Authenticator } from './http/auth.js';
import { registerCareDataRoutes } from './http/care-data-routes.js';
import { registerClaimRoutes } from './http/claim-routes.js';
import { registerBrokerAuthRoutes } from './http/broker-auth-routes.js';
import { SqlLoginLimiter } from './http/login-limiter.js';
import { buildHttpServer } from './http/server.js';
import { alarmEngineMetrics, AlarmEngineModule } from './engine/module.js';
import { Ingest, type IngestStats } from './ingest/ingest.js';
import { OperationsModule } from './operations/module.js';
import { createRootLogger, partLogger } from './logger.js';
import { createHubMetrics, withInstanceLabel, type HubMetrics } from './metrics.js';
import { Realtime } from './realtime/realtime.js';
import { hashSecret, USER_PASSWORD_COST } from './security/password.js';
import { hashGatewaySecret } from './security/gateway-secret.js';
import { AlarmStore } from './store/alarms.js';
import { openDatabase } from './store/db.js';
import { resolveDatabaseTarget } from './store/target.js';
import { GatewayStore } from './store/gateways.js';
import { UserStore } from './store/users.js';
import { createTelemetryStore } from './telemetry/create.js';
import type { TelemetryStore } from './telemetry/store.js';

export interface BuildHubOptions {
  logger?: Logger;
  /** Replaces the configured telemetry store (tests: a slow or failing store). */
  telemetryStore?: TelemetryStore;
  /** Replaces Date.now for care operations (tests: "today's" welfare checks, overdue orders). */
  clock?: () => number;
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

export async function buildHub(config: HubConfig, options: BuildHubOptions = {}): Promise<Hub> {
  const root = options.logger ?? createRootLogger(config);
  const log = partLogger(root, config, 'hub');
  const metrics: HubMetrics = createHubMetrics();
  const instanceId = resolveInstanceId(config.cluster);

  const store = await openDatabase(
    resolveDatabaseTarget(config),
    partLogger(root, config, 'store'),
  );
  const { db } = store;
  const alarms = new AlarmStore(db);
  const gateways = new GatewayStore(db);
  const users = new UserStore(db);

  const telemetry =
    options.telemetryStore ?? createTelemetryStore(config, partLogger(root, config, 'telemetry'));
  await telemetry.start();

  // Counted in SQL: the limit holds across several hubs and restarts (issue 11).
  const loginLimiter = new SqlLoginLimiter(
    db,
    config.auth.loginRateLimit.maxFailures,
    config.auth.loginRateLimit.windowSeconds * 1000,
  );
  const auth = new Authenticator(users, loginLimiter, config.auth.sessionTtlMinutes * 60_000);
  // The broker and ingest reference each other (uplinks in, acks out): late-bound.
  const late: {
    broker?: HubBroker;
    hub?: Hub;
    operations?: OperationsModule;
    control?: GatewayControl;
    ingest?: Ingest;
  } = {};
  /** The Socket.IO Redis adapter's link (cluster.redis.url), connected by listen(). */
  let redis: RedisLink | undefined;
  const care: CareModule = await createCareModule({
    db,
    auth,
    log: partLogger(root, config, 'hub'),
    heartbeatIntervalS: config.liveness.heartbeatIntervalS,
    ...(config.mqtt.publicUrl ? { publicMqttUrl: config.mqtt.publicUrl } : {}),
    publish: async (topic, payload, retain) => {
      if (!late.broker) throw new Error('broker not built yet');
      await late.broker.publish(topic, payload, { retain });
      // A new configuration version: installers see "waiting to apply N" at once (issue 10).
      const parsed = parseTopic(topic);
      if (parsed?.direction === 'down' && parsed.channel === 'config')
        late.control?.configPublished(parsed.gatewayId);
    },
    disconnect: (gatewayId) => late.broker?.disconnectGateway(gatewayId),
    credentialsIssued: async (gatewayId, secret) => {
      if (!late.broker) throw new Error('broker not built yet');
      await late.broker.credentialsIssued(gatewayId, secret);
    },
  });
  const realtime = new Realtime({
    auth,
    scopes: care.scopes,
    unresolvedAlarms: (scope) => care.scopedAlarms.list(scope, ['open', 'acknowledged'], 100_000),
    enrichAlarms: (alarms) => care.scopedAlarms.enrichMany(alarms),
    log: partLogger(root, config, 'realtime'),
  });

  // Alarm rules, escalation, webhooks and figures (issue 5); their alarms go out like any other.
  const alarmEngine = new AlarmEngineModule({
    db,
    config,
    log: partLogger(root, config, 'engine'),
    pushAlarms: (created, updated) => {
      realtime.alarmsChanged(created, updated);
      late.operations?.alarmsChanged(created, updated);
    },
    push: {
      toSupervisors: (escalation) => realtime.escalation(escalation, []),
      toUsers: (userIds, escalation) => realtime.escalation(escalation, userIds),
    },
  });

  // Service requests, welfare checks, work orders (issue 13); shares the engine's webhooks.
  const operations = new OperationsModule({
    db,
    config: config.operations,
    notifier: alarmEngine.notifier,
    alarms,
    log: partLogger(root, config, 'hub'),
    alarmUpdated: (alarm) => realtime.alarmUpdated(alarm),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  late.operations = operations;
  // Commands and configuration state of gateways (issue 10); publishes through the broker seam.
  const gatewayControl = new GatewayControl({
    store: new ControlStore(db),
    audit: care.audit,
    publish: async (topic, payload, retain) => {
      if (!late.broker) throw new Error('broker not built yet');
      await late.broker.publish(topic, payload, { retain });
    },
    gatewayInfo: async (gatewayId) => {
      const row = await care.store.getGatewayRow(gatewayId);
      return row ? { homeId: row.home_id, publishedVersion: row.config_version } : undefined;
    },
    push: {
      command: (homeId, payload) =>
        realtime.gatewayControl(homeId, { event: 'gateway:command', payload }),
      control: (homeId, payload) =>
        realtime.gatewayControl(homeId, { event: 'gateway:control', payload }),
    },
    log: partLogger(root, config, 'hub'),
    alarmsIdle: () => late.ingest?.alarmsIdle() ?? Promise.resolve(),
  });
  late.control = gatewayControl;

  const ingestLog = partLogger(root, config, 'ingest');
  const ingest = new Ingest({
    config: {
      ...config.ingest,
      telemetryBatchSize: Math.min(
        config.telemetry.batchSize,
        telemetry.maxPointsPerWrite ?? config.telemetry.batchSize,
      ),
      telemetryFlushIntervalMs: config.telemetry.flushIntervalMs,
      telemetryWriteTimeoutMs: config.telemetry.writeTimeoutMs,
    },
    alarms,
    gateways,
    telemetry,
    metrics,
    log: ingestLog,
    sendAck: (gatewayId: string, ack: Ack) => {
      let payload: Buffer;
      try {
        payload = encodeDownlink('ack', ack);
      } catch (err) {
        // Our own bug; the gateway resends after its ack timeout, so nothing is lost.
        ingestLog.error({ err, gatewayId }, 'ack does not fit the contract; not sent');
        return;
      }
      late.broker?.publish(downlinkTopic(gatewayId, 'ack'), payload).catch((err: unknown) => {
        ingestLog.warn({ err, gatewayId }, 'ack not published (the gateway will resend)');
      });
    },
    onAlarmChanges: (created: AlarmDto[], updated: AlarmDto[]) => {
      realtime.alarmsChanged(created, updated);
      alarmEngine.onAlarmChanges(created, updated);
      operations.alarmsChanged(created, updated);
    },
    onTelemetryStored: (gatewayId, events) => alarmEngine.onTelemetry(gatewayId, events),
    onCommandResult: (gatewayId, result) => gatewayControl.onResult(gatewayId, result),
    onConfigState: (gatewayId, state) => gatewayControl.onConfigState(gatewayId, state),
  });
  late.ingest = ingest;
  const mqttBroker = await createBroker({
    config: config.mqtt,
    instanceId,
    gateways,
    metrics,
    log: partLogger(root, config, 'broker'),
    uplinks: { onUplink: (topic, payload) => ingest.accept(topic, payload) },
    onLoginRefused: (gatewayId, reason) => care.gatewayLoginRefused(gatewayId, reason),
  });
  late.broker = mqttBroker;

  const renderMetrics = async (): Promise<string> => {
    const open = await alarms.countUnresolved();
    const depth = ingest.stats();
    const extra = [
      '# HELP anxin_alarms_open Unresolved alarms (open or acknowledged), by priority',
      '# TYPE anxin_alarms_open gauge',
      ...([1, 2, 3] as const).map(
        (p) =>
          `anxin_alarms_open{priority="${p}"} ${open.find((o) => o.priority === p)?.count ?? 0}`,
      ),
      '# HELP anxin_gateways_connected Gateways with an open MQTT connection',
      '# TYPE anxin_gateways_connected gauge',
      `anxin_gateways_connected ${mqttBroker.connectedClients}`,
      '# HELP anxin_socketio_clients Connected console sockets',
      '# TYPE anxin_socketio_clients gauge',
      `anxin_socketio_clients ${realtime.clientCount}`,
      '# HELP anxin_ingest_queue_events Events waiting in the ingest queues, by lane',
      '# TYPE anxin_ingest_queue_events gauge',
      `anxin_ingest_queue_events{lane="alarm"} ${depth.alarmQueueEvents}`,
      `anxin_ingest_queue_events{lane="telemetry"} ${depth.telemetryQueueEvents}`,
      '# HELP anxin_telemetry_intake_rate Points/s the hub paces deferred gateways at (learnt)',
      '# TYPE anxin_telemetry_intake_rate gauge',
      `anxin_telemetry_intake_rate ${depth.telemetryRatePerS}`,
      '# HELP anxin_telemetry_retry_booked_ahead_seconds Wait a gateway deferred now would get',
      '# TYPE anxin_telemetry_retry_booked_ahead_seconds gauge',
      `anxin_telemetry_retry_booked_ahead_seconds ${depth.telemetryRetryBookedAheadMs / 1000}`,
      '# HELP anxin_telemetry_waiting_gateways Gateways holding deferred telemetry until called back',
      '# TYPE anxin_telemetry_waiting_gateways gauge',
      `anxin_telemetry_waiting_gateways ${depth.telemetryWaitingGateways}`,
      '# HELP anxin_telemetry_store_up 1 while telemetry writes succeed',
      '# TYPE anxin_telemetry_store_up gauge',
      `anxin_telemetry_store_up ${depth.telemetryStoreDown ? 0 : 1}`,
      ...alarmEngineMetrics(alarmEngine.stats()),
    ];
    const text = metrics.registry.render() + extra.join('\n') + '\n';
    // Labelled once the hub is named as one of several; one hub's output stays as it was.
    return config.cluster.instanceId ? withInstanceLabel(text, instanceId) : text;
  };

  const http = await buildHttpServer({
    log: partLogger(root, config, 'http'),
    bodyLimit: config.http.bodyLimit,
    ...(config.http.tls
      ? {
          https: {
            cert: readFileSync(config.http.tls.certFile),
            key: readFileSync(config.http.tls.keyFile),
          },
        }
      : {}),
    webRoot: resolveWebRoot(config),
    alarms,
    auth,
    secureCookie: config.auth.secureCookie,
    alarmUpdated: (alarm) => {
      realtime.alarmUpdated(alarm);
      operations.alarmHandled(alarm);
    },
    access: care.access,
    scopedAlarms: care.scopedAlarms,
    care: {
      care: care.store,
      audit: care.audit,
      provisioning: care.provisioning,
      createUser: (input) => hub.createUser(input),
      alarmUpdated: (alarm) => {
        realtime.alarmUpdated(alarm);
        // A family contact's "I am going there" accepts the escalation (stops the chain).
        alarmEngine.onResponders(alarm);
      },
      disconnectUser: (userId) => realtime.disconnectUser(userId),
      telemetry: telemetryReaderOf(telemetry),
    },
    checks: [
      {
        name: 'database',
        readiness: true,
        run: () => store.ping(),
      },
      { name: 'broker', readiness: true, run: () => mqttBroker.check() },
      { name: 'telemetry', run: () => telemetry.check() },
      ...(config.cluster.redis.url
        ? [
            {
              name: 'redis',
              run: () => redis?.check() ?? Promise.reject(new Error('not connected yet')),
            },
          ]
        : []),
    ],
    renderMetrics,
    onError: (code) => metrics.httpErrors.inc({ code }),
  });
  alarmEngine.registerRoutes(http, {
    auth,
    scopes: care.scopes,
    alarmUpdated: (alarm) => realtime.alarmUpdated(alarm),
    enrichAlarm: (alarm) => care.scopedAlarms.enrich(alarm),
  });
  await registerCareDataRoutes(http, {
    db,
    access: care.access,
    care: care.store,
    audit: care.audit,
    timeZone: config.operations.timeZone,
    ...(options.clock ? { now: options.clock } : {}),
  });
  operations.registerRoutes(http, care.access);
  registerClaimRoutes(http, care.claimChannel);
  if (config.mqtt.mode === 'external' && config.mqtt.external.gatewayAccounts === 'broker-http')
    registerBrokerAuthRoutes(http, {
      external: config.mqtt.external,
      login: mqttBroker.login,
      gateways,
      metrics,
    });
  registerControlRoutes(http, {
    access: care.access,
    scopes: care.scopes,
    care: care.store,
    control: gatewayControl,
  });
  realtime.attach(http.server);

  const offlineMonitor = new GatewayOfflineMonitor({
    alarms,
    config: config.liveness,
    log: partLogger(root, config, 'ingest'),
    onChanges: (created, updated) => {
      realtime.alarmsChanged(created, updated);
      alarmEngine.onAlarmChanges(created, updated);
      operations.alarmsChanged(created, updated);
    },
    lease: new Leases(db, instanceId),
  });

  const sessionSweep = setInterval(() => {
    users
      .purgeExpiredSessions(Date.now())
      .then(() => loginLimiter.sweep(Date.now()))
      .catch((err: unknown) => log.warn({ err }, 'session sweep failed'));
  }, 10 * 60_000);
  sessionSweep.unref();

  let closed: Promise<void> | undefined;

  const hub: Hub = {
    config,
    http,
    operations,
    async listen() {
      const mqttUrl = await mqttBroker.listen();
      care.setMqttUrl(mqttUrl);
      offlineMonitor.start();
      gatewayControl.start();
      await alarmEngine.start();
      if (config.cluster.redis.url) {
        redis = await connectRedisAdapter(
          config.cluster.redis.url,
          config.cluster.redis.channelPrefix,
          partLogger(root, config, 'realtime'),
        );
        realtime.useAdapter(redis.adapter);
      }
      await http.listen({ host: config.http.host, port: config.http.port });
      const address = http.server.address() as AddressInfo;
      const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
      const httpUrl = `${config.http.tls ? 'https' : 'http'}://${host}:${address.port}`;
      log.info({ httpUrl, mqttUrl }, 'hub listening');
      return { httpUrl, mqttUrl };
    },
    close() {
      closed ??= (async () => {
        clearInterval(sessionSweep);
        await offlineMonitor.stop();
        log.info('hub closing');
        // Stop new connections, finish what is queued while gateways can still get their acks,
        // then disconnect them.
        mqttBroker.stopAccepting();
        await ingest.close();
        await gatewayControl.close();
        log.debug('ingest drained');
        await alarmEngine.close();
        await mqttBroker.close();
        log.debug('broker closed');
        await realtime.close();
        await redis?.close();
        await http.close();
        log.debug('http closed');
        await telemetry.close();
        await db.destroy();
        log.info('hub closed');
      })();
      return closed;
    },
    provisionGateway(input) {
      return this.provisionGateways([input]);
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
      return hub.createUser(input);
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
    metrics: renderMetrics,
    care,
    stats() {
      return {
        ingest: ingest.stats(),
        connectedGateways: mqttBroker.connectedClients,
        consoleClients: realtime.clientCount,
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
    },
  };
  late.hub = hub;
  return hub;
}
