/**
 * The composition root: builds the hub from its parts (SQL state, telemetry store, ingest,
 * broker, HTTP, realtime) without opening any port; `listen()` opens them, `close()` shuts down
 * gracefully. Tests and `anxin` commands drive it in-process.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { LANE_QOS, downlinkTopic, encodeDownlink, parseTopic, type Ack } from '@anxin/protocol';
import { GatewayOfflineMonitor } from './alarms/gateway-offline.js';
import { resolveInstanceId } from './cluster/config.js';
import { Leases } from './cluster/leases.js';
import { RedisPart } from './cluster/redis-part.js';
import { createCareModule, type CareModule } from './care/module.js';
import { gatewayTestModeOf } from './care/gateway-store.js';
import { GatewayControl } from './control/service.js';
import { ControlStore } from './control/store.js';
import { registerControlRoutes } from './http/control-routes.js';
import { telemetryReaderOf } from './care/telemetry-query.js';
import { createBroker } from './broker/create.js';
import { resolveWebRoot, type HubConfig } from './config.js';
import { Authenticator } from './http/auth.js';
import { registerCareDataRoutes } from './http/care-data-routes.js';
import { registerClaimRoutes } from './http/claim-routes.js';
import { registerBrokerAuthRoutes } from './http/broker-auth-routes.js';
import { SqlLoginLimiter } from './http/login-limiter.js';
import { checkResponsesFromEnv } from './http/response-check.js';
import { sessionSweep } from './http/session-sweep.js';
import { buildHttpServer, lazySerializersFromEnv } from './http/server.js';
import { AlarmEngineModule } from './engine/module.js';
import { engineDb } from './engine/tables.js';
import { createHubBus } from './events/hub-events.js';
import { wireHubEvents } from './events/wiring.js';
import { metricsRenderer } from './hub-metrics.js';
import { Lifecycle, part } from './lifecycle.js';
import { eventLoopLagSampler } from './event-loop-lag.js';
import { Ingest } from './ingest/ingest.js';
import { OperationsModule } from './operations/module.js';
import { createRootLogger, partLogger } from './logger.js';
import { createHubMetrics, type HubMetrics } from './metrics.js';
import { Realtime } from './realtime/realtime.js';
import { AlarmStore } from './store/alarms.js';
import { openDatabase, sqliteDurabilityOf } from './store/db.js';
import { checkpointsOffTheLoop } from './store/wal-checkpointer.js';
import { loadSharedSecret } from './store/hub-secrets.js';
import { resolveDatabaseTarget } from './store/target.js';
import { GatewayStore } from './store/gateways.js';
import { UserStore } from './store/users.js';
import { createTelemetryStore } from './telemetry/create.js';
import { hubOperations, hubStats, type BuildHubOptions, type Hub } from './hub-api.js';
export type { BuildHubOptions, Hub, HubStats } from './hub-api.js';

export async function buildHub(config: HubConfig, options: BuildHubOptions = {}): Promise<Hub> {
  const root = options.logger ?? createRootLogger(config);
  const log = partLogger(root, config, 'hub');
  const metrics: HubMetrics = createHubMetrics();
  const instanceId = resolveInstanceId(config.cluster);

  const storeLog = partLogger(root, config, 'store');
  const target = resolveDatabaseTarget(config);
  const store = await openDatabase(target, storeLog);
  const { db } = store;
  // On SQLite, checkpoints leave the event loop (store/wal-checkpointer.ts says why).
  const checkpointer = checkpointsOffTheLoop(db, target, storeLog);
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
  // Parts announce what happened; the subscriptions below decide who hears it (events/wiring.ts).
  const bus = createHubBus({
    log: partLogger(root, config, 'hub'),
    failures: metrics.listenerFailures,
  });

  // Built first: care, control and ingest publish through it. Nothing runs until listen();
  // uplinks reach ingest (built below) only once gateways connect.
  const mqttBroker = await createBroker({
    config: config.mqtt,
    instanceId,
    gateways,
    metrics,
    log: partLogger(root, config, 'broker'),
    uplinks: { onUplink: (topic, payload) => ingest.accept(topic, payload) },
    onLoginRefused: (gatewayId, reason) => bus.emit('gateway:login-refused', { gatewayId, reason }),
    ...(config.mqtt.tls
      ? { tlsTicketSecret: await loadSharedSecret(engineDb(db), 'mqtt_tls_ticket_key', Date.now()) }
      : {}),
  });
  const publish = (topic: string, payload: Buffer, retain: boolean): Promise<void> =>
    mqttBroker.publish(topic, payload, { retain });

  const care: CareModule = await createCareModule({
    db,
    auth,
    log: partLogger(root, config, 'hub'),
    heartbeatIntervalS: config.liveness.heartbeatIntervalS,
    ...(config.mqtt.publicUrl ? { publicMqttUrl: config.mqtt.publicUrl } : {}),
    publish: async (topic, payload, retain) => {
      await publish(topic, payload, retain);
      const parsed = parseTopic(topic);
      if (parsed?.direction === 'down' && parsed.channel === 'config')
        bus.emit('gateway:config-published', { gatewayId: parsed.gatewayId });
    },
    disconnect: (gatewayId) => mqttBroker.disconnectGateway(gatewayId),
    credentialsIssued: (gatewayId, secret) => mqttBroker.credentialsIssued(gatewayId, secret),
  });
  const realtime = new Realtime({
    auth,
    scopes: care.scopes,
    unresolvedAlarms: (scope) => care.scopedAlarms.list(scope, ['open', 'acknowledged'], 100_000),
    enrichAlarms: (alarms) => care.scopedAlarms.enrichMany(alarms),
    log: partLogger(root, config, 'realtime'),
  });
  // The Socket.IO Redis adapter (cluster.redis.url), connected by listen().
  const redis = new RedisPart({
    url: config.cluster.redis.url,
    channelPrefix: config.cluster.redis.channelPrefix,
    realtime,
    log: partLogger(root, config, 'realtime'),
  });

  // Alarm rules, escalation, webhooks and figures (issue 5); their alarms go out like any other.
  const alarmEngine = new AlarmEngineModule({
    db,
    config,
    log: partLogger(root, config, 'engine'),
    // Bound late, as the broker's uplinks are: ingest is built below and runs only after listen().
    alarmsIdle: () => ingest.alarmsIdle(),
    pushAlarms: (created, updated) =>
      bus.emit('alarms:changed', { created, updated, source: 'rules' }),
    push: {
      toSupervisors: (escalation) => bus.emit('escalation:changed', { escalation, userIds: [] }),
      toUsers: (userIds, escalation) => bus.emit('escalation:changed', { escalation, userIds }),
    },
    ...(options.escalationClock ? { escalationClock: options.escalationClock } : {}),
  });

  // Service requests, welfare checks, work orders (issue 13); shares the engine's webhooks.
  const operations = new OperationsModule({
    db,
    config: config.operations,
    notifier: alarmEngine.notifier,
    alarms,
    log: partLogger(root, config, 'hub'),
    alarmUpdated: (alarm) => bus.emit('alarm:updated', { alarm, cause: 'operations' }),
    changed: (change) =>
      bus.emit('operations:changed', {
        ...change,
        areaId: change.homeId === null ? null : (care.scopes.areaOfHome(change.homeId) ?? null),
      }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  // Commands and configuration state of gateways (issue 10); publishes through the broker seam.
  const gatewayControl = new GatewayControl({
    store: new ControlStore(db),
    audit: care.audit,
    publish,
    gatewayInfo: async (gatewayId) => {
      const row = await care.store.getGatewayRow(gatewayId);
      return row
        ? {
            homeId: row.home_id,
            publishedVersion: row.config_version,
            gatewayTestMode: gatewayTestModeOf(row),
          }
        : undefined;
    },
    push: {
      command: (homeId, command) => bus.emit('gateway:command-changed', { homeId, command }),
      control: (homeId, control) => bus.emit('gateway:control-changed', { homeId, control }),
    },
    log: partLogger(root, config, 'hub'),
    // Ingest is built below; this is only called once gateways report.
    alarmsIdle: () => ingest.alarmsIdle(),
  });

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
      const qos = LANE_QOS[ack.lane];
      mqttBroker
        .publish(downlinkTopic(gatewayId, 'ack'), payload, { qos })
        .catch((err: unknown) => {
          ingestLog.warn({ err, gatewayId }, 'ack not published (the gateway will resend)');
        });
    },
    onAlarmChanges: (created, updated, careFields) =>
      bus.emit('alarms:changed', { created, updated, source: 'ingest', careFields }),
    pushesSent: () => realtime.pushesEmittedAt(),
    onTelemetryStored: (gatewayId, events) => bus.emit('telemetry:stored', { gatewayId, events }),
    onCommandResult: (gatewayId, result) =>
      bus.emit('gateway:command-result', { gatewayId, result }),
    onConfigState: (gatewayId, state) => bus.emit('gateway:config-state', { gatewayId, state }),
    onTestModeReported: (gatewayId) => bus.emit('gateway:test-mode-reported', { gatewayId }),
  });
  wireHubEvents(bus, { realtime, alarmEngine, operations, gatewayControl, care });

  const renderMetrics = metricsRenderer({
    metrics,
    alarms,
    ingest,
    alarmEngine,
    connectedGateways: () => mqttBroker.connectedClients,
    consoleClients: () => realtime.clientCount,
    instanceLabel: config.cluster.instanceId ? instanceId : undefined,
    walSync: sqliteDurabilityOf(store.db)?.wal,
  });

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
    checkResponses: checkResponsesFromEnv(),
    lazySerializers: lazySerializersFromEnv(),
    alarms,
    auth,
    secureCookie: config.auth.secureCookie,
    alarmUpdated: (alarm) => bus.emit('alarm:updated', { alarm, cause: 'handled' }),
    access: care.access,
    scopedAlarms: care.scopedAlarms,
    care: {
      care: care.store,
      audit: care.audit,
      provisioning: care.provisioning,
      createUser: (input) => hub.createUser(input),
      alarmUpdated: (alarm) => bus.emit('alarm:updated', { alarm, cause: 'responders' }),
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
              run: () => redis.check(),
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
    alarmUpdated: (alarm) => bus.emit('alarm:updated', { alarm, cause: 'escalation' }),
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
    care: care.store,
    control: gatewayControl,
  });
  realtime.attach(http.server);

  const offlineMonitor = new GatewayOfflineMonitor({
    alarms,
    config: config.liveness,
    log: partLogger(root, config, 'ingest'),
    onChanges: (created, updated) =>
      bus.emit('alarms:changed', { created, updated, source: 'liveness' }),
    lease: new Leases(db, instanceId),
  });

  let urls: { httpUrl: string; mqttUrl: string } | undefined;
  // Dependency order: each part after what it uses. listen() starts them in this order and
  // close() stops them in reverse: intake stops first (sweep, liveness, new MQTT connections),
  // queued work drains while gateways can still get their acks, then the stores close.
  const lifecycle = new Lifecycle(log).add(
    eventLoopLagSampler(metrics.eventLoopLagSeconds),
    part('database', { stop: () => checkpointer.stop().then(() => db.destroy()) }),
    // Started by buildHub: in-process users (tests, `anxin` commands) read it without listen().
    part('telemetry', { stop: () => telemetry.close() }),
    part('http', { stop: () => http.close() }),
    redis,
    realtime,
    part('broker', {
      start: async () => {
        const mqttUrl = await mqttBroker.listen();
        care.setMqttUrl(mqttUrl);
        urls = { httpUrl: '', mqttUrl };
      },
      stop: () => mqttBroker.close(),
    }),
    alarmEngine,
    gatewayControl,
    ingest,
    part('broker-intake', { stop: () => mqttBroker.stopAccepting() }),
    offlineMonitor,
    sessionSweep({ users, loginLimiter, log }),
    part('http-listen', {
      start: async () => {
        await http.listen({ host: config.http.host, port: config.http.port });
        const address = http.server.address() as AddressInfo;
        const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
        if (urls) urls.httpUrl = `${config.http.tls ? 'https' : 'http'}://${host}:${address.port}`;
      },
    }),
  );

  let closed: Promise<void> | undefined;

  const hub: Hub = {
    config,
    http,
    operations,
    async listen() {
      await lifecycle.start();
      if (!urls) throw new Error('hub parts did not start');
      log.info(urls, 'hub listening');
      return urls;
    },
    close() {
      closed ??= (async () => {
        log.info('hub closing');
        await lifecycle.stop();
        log.info('hub closed');
      })();
      return closed;
    },
    ...hubOperations({ gateways, users, broker: mqttBroker, log }),
    metrics: renderMetrics,
    care,
    stats: () =>
      hubStats({
        ingest,
        broker: mqttBroker,
        consoleClients: () => realtime.clientCount,
        metrics,
        alarmEngine,
      }),
  };
  return hub;
}
