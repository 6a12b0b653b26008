/**
 * The embedded MQTT broker (aedes 1.x) on a TCP (or TLS) server, with the gateway ACL of
 * DESIGN.md, Security:
 *  - authenticate: username = gatewayId = MQTT client id, password checked against the salted
 *    HMAC-SHA256 stored for that gateway (security/gateway-secret.ts; legacy scrypt rows are
 *    accepted and re-hashed on their next successful login); anything else refused and counted;
 *  - authorizePublish: a gateway publishes only under its own `anxin/v1/gw/{id}/up/*`;
 *  - authorizeSubscribe: a gateway subscribes only to its own `anxin/v1/gw/{id}/down/*`.
 * Refusals are logged with the gateway id and counted. Authorized uplinks go to ingest through
 * the broker seam (seam.ts) straight from the authorizePublish hook (no TCP client of its own; see
 * create() for why not `published`); acks, config and commands go out with `broker.publish`.
 */
import { readFileSync } from 'node:fs';
import {
  createServer as createTcpServer,
  type AddressInfo,
  type Server,
  type Socket,
} from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import { parseTopic } from '@anxin/protocol';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import type { Logger } from 'pino';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { GatewayStore } from '../store/gateways.js';
import { addAcceptHandles, type AcceptHandles } from './accept-handles.js';
import { DownlinkOrder } from './downlink-order.js';
import { SubscriptionGate, subscribingClient } from './subscription-gate.js';
import { GuardedConnection } from './frame-guard.js';
import { GatewayLogin } from './gateway-login.js';
import { indexRetainedMessages } from './retained-index.js';
import { rotateTicketKeysDaily, ticketOptions } from './tls-tickets.js';
import {
  authorizeUplink,
  BROKER_VOUCHED,
  gatewayMaySubscribe,
  type HubBroker,
  type PublishOptions,
  type UplinkSink,
} from './seam.js';

/** Pending connections the kernel may queue for accept(); see listen(). */
const ACCEPT_BACKLOG = 4096;

/** See Broker.create: aedes' mqemitter deliveries in flight (a district's gateways). */
const MQ_CONCURRENCY = 20_000;

/**
 * How long a publish waits for its connected gateway's subscription (subscription-gate.ts). A
 * gateway subscribes right after CONNECT, so a hold normally ends within milliseconds (none was
 * needed in two 2,000-gateway storms of this release's gateways); the bound is for a client that
 * never subscribes, which then gets what it got before the gate: nothing.
 */
const SUBSCRIPTION_WAIT_MS = 5_000;

/** CONNACK return codes, MQTT 3.1.1 §3.2.2.3. */
const BAD_USERNAME_OR_PASSWORD = 4 as AuthenticateError['returnCode'];
const NOT_AUTHORIZED = 5 as AuthenticateError['returnCode'];

export interface BrokerDeps {
  config: HubConfig['mqtt'];
  gateways: GatewayStore;
  metrics: HubMetrics;
  log: Logger;
  /** Every message a gateway published on its uplink topics (already ACL-checked and parsed). */
  uplinks: UplinkSink;
  /** A known gateway refused at login (e.g. decommissioned), for the audit log. */
  onLoginRefused?: (gatewayId: string, reason: string) => void;
  /**
   * The secret the mqtts:// listener's session-ticket keys derive from (tls-tickets.ts), kept in
   * hub_secrets so that tickets outlive a restart. Without it (mqtt.tls unset, or a test) Node's
   * per-process keys are used.
   */
  tlsTicketSecret?: Buffer;
}

function authError(
  message: string,
  returnCode: AuthenticateError['returnCode'],
): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export class Broker implements HubBroker {
  readonly mode = 'embedded' as const;
  private server: Server | undefined;
  private acceptHandles: AcceptHandles | undefined;
  readonly login: GatewayLogin;
  private readonly sockets = new Set<Socket>();
  /** Registered (authenticated) clients by id, kept from aedes' events: its typings hide its own. */
  private readonly clients = new Map<string, Client>();
  private serverClosed: Promise<void> | undefined;
  private stopTicketRotation: (() => void) | undefined;
  private readonly downlinkOrder = new DownlinkOrder();
  private readonly subscriptionGate: SubscriptionGate;

  private constructor(
    private readonly aedes: Aedes,
    private readonly deps: BrokerDeps,
  ) {
    this.login = new GatewayLogin(deps);
    this.subscriptionGate = new SubscriptionGate(SUBSCRIPTION_WAIT_MS, (why) =>
      deps.metrics.downlinkHeld.inc({ released: why }),
    );
  }

  static async create(deps: BrokerDeps): Promise<Broker> {
    // The hooks need the Broker instance; create aedes first, then attach them.
    const aedes = await Aedes.createBroker({
      maxClientsIdLength: 64,
      heartbeatInterval: 60_000,
      // Deliveries (the hub's acks, config and commands) in flight at once. aedes' default of 100
      // lets a hundred gateways that read slowly hold up every other gateway's acks; one per
      // gateway of a district is the natural bound (each has few packets in flight).
      concurrency: MQ_CONCURRENCY,
    });
    const broker = new Broker(aedes, deps);
    // aedes' typings leave its persistence out; indexRetainedMessages checks the shape it gets.
    if (!indexRetainedMessages('persistence' in aedes ? aedes.persistence : undefined))
      deps.log.warn('retained messages not indexed: SUBSCRIBE scans every retained message');
    aedes.authenticate = (client, username, password, done) => {
      broker.authenticate(client, username, password).then(
        () => done(null, true),
        (err: AuthenticateError) => done(err, false),
      );
    };
    // Uplinks are consumed here, as soon as their packet is read, not in aedes' `published` hook:
    // that hook runs only after the message has been through mqemitter, whose bounded concurrency
    // (in-flight deliveries) is held by acks waiting on slow gateways' sockets, so in a reconnect
    // storm every uplink, an SOS included, queued behind them (measured: connected gateways'
    // alarm p99 2.4 s with the telemetry lane paced). This hook sees a client's packets in order,
    // and last wills too (client null for a will aedes publishes after a broker restart).
    // The topic is parsed once, here, for the ACL and for ingest.
    aedes.authorizePublish = (client, packet, done) => {
      // A null client is aedes itself publishing a last will it authorized when the will was set.
      const uplink = authorizeUplink(packet.topic, client ? client.id : BROKER_VOUCHED);
      if (uplink)
        deps.uplinks.onUplink(
          uplink,
          Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload),
        );
      done(client && !uplink ? broker.refusePublish(client, packet.topic) : null);
    };
    // A refused filter is answered with return code 0x80 in SUBACK (MQTT 3.1.1 §3.9.3) rather
    // than an error, which would drop the gateway's whole connection.
    aedes.authorizeSubscribe = (client, sub, done) =>
      done(null, broker.allowSubscribe(client, sub.topic) ? sub : null);
    aedes.on('clientError', (client, err) =>
      deps.log.debug({ gatewayId: client.id, err: err.message }, 'client error'),
    );
    aedes.on('connectionError', (client, err) =>
      deps.log.debug({ gatewayId: client.id, err: err.message }, 'connection error'),
    );
    aedes.on('clientReady', (client) =>
      deps.log.info({ gatewayId: client.id }, 'gateway connected'),
    );
    aedes.on('clientDisconnect', (client) => {
      // A takeover (the same id connecting again) registers the new client first: keep it.
      if (broker.clients.get(client.id) === client) {
        broker.clients.delete(client.id);
        broker.subscriptionGate.disconnected(client.id);
      }
      deps.log.info({ gatewayId: client.id }, 'gateway disconnected');
    });
    aedes.on('client', (client) => broker.clients.set(client.id, client));
    // After the SUBACK is written and the subscriptions are live (aedes handlers/subscribe.js).
    aedes.on('subscribe', (_subs, client) => {
      const gated = broker.clients.get(client.id) === client && subscribingClient(client);
      if (gated) broker.subscriptionGate.subscribed(gated);
    });
    return broker;
  }

  private async authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
  ): Promise<void> {
    const verdict = await this.login.check(client.id, username, password);
    if (verdict.ok) return;
    // Identity and lock-out refusals are "not authorized" (MQTT 3.1.1 §3.2.2.3, code 5); the
    // rest "bad user name or password" (code 4).
    const code =
      verdict.reason === 'client_id_mismatch' || verdict.reason === 'disabled'
        ? NOT_AUTHORIZED
        : BAD_USERNAME_OR_PASSWORD;
    throw authError(`login refused: ${verdict.reason}`, code);
  }

  /** Counts and logs a publish outside the gateway's own `up/` topics (see authorizeUplink). */
  private refusePublish(client: Client, topic: string): Error {
    this.deps.metrics.rejections.inc({ code: 'NOT_AUTHORIZED' });
    this.deps.metrics.aclRefusals.inc({ action: 'publish' });
    this.deps.log.warn(
      { gatewayId: client.id, topic: topic.slice(0, 200) },
      "publish refused: not under the gateway's own up/ topics",
    );
    return new Error('not authorized');
  }

  private allowSubscribe(client: Client, filter: string): boolean {
    if (gatewayMaySubscribe(client.id, filter)) return true;
    this.deps.metrics.aclRefusals.inc({ action: 'subscribe' });
    this.deps.log.warn(
      { gatewayId: client.id, filter: filter.slice(0, 200) },
      "subscribe refused: not the gateway's own down/ topics",
    );
    return false;
  }

  /** Starts accepting connections; returns the mqtt:// or mqtts:// URL. */
  async listen(): Promise<string> {
    const { host, port, tls, maxPacketBytes } = this.deps.config;
    // No aedes.listen() here: Aedes.createBroker already ran it, and a second run starts a second
    // pair of $SYS intervals that close() cannot clear (they kept `anxin hub` alive after SIGTERM).
    const onSocket = (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.setNoDelay(true);
      // Resumed or not: a storm of full handshakes after a restart shows here (tls-tickets.ts).
      if (socket instanceof TLSSocket)
        this.deps.metrics.mqttTlsHandshakes.inc({ resumed: String(socket.isSessionReused()) });
      const conn = new GuardedConnection(socket, maxPacketBytes, (reason) => {
        this.deps.metrics.rejections.inc({ code: 'TOO_LARGE' });
        this.deps.log.warn(
          { remote: socket.remoteAddress, reason },
          'MQTT connection cut: packet too large',
        );
      });
      this.aedes.handle(conn);
    };
    const secret = this.deps.tlsTicketSecret;
    let server: Server;
    if (tls) {
      const tlsServer = createTlsServer(
        {
          cert: readFileSync(tls.certFile),
          key: readFileSync(tls.keyFile),
          ...(secret ? ticketOptions(secret, Date.now()) : {}),
        },
        onSocket,
      );
      if (secret) this.stopTicketRotation = rotateTicketKeysDaily(tlsServer, secret, Date.now);
      server = tlsServer;
    } else server = createTcpServer(onSocket);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue (capped by net.core.somaxconn): in a reconnect storm thousands of
      // gateways connect in the same second, and with Node's default of 511 the kernel drops
      // their SYNs, each retried only after 1 s, 3 s, 7 s … (measured: `anxin bench storm`).
      server.listen({ port, host, backlog: ACCEPT_BACKLOG }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.acceptHandles = await addAcceptHandles(
      server,
      this.deps.config.acceptHandles,
      ACCEPT_BACKLOG,
    );
    if (this.acceptHandles.problem)
      this.deps.log.warn(
        { wanted: this.deps.config.acceptHandles, got: this.acceptHandles.extra.length + 1 },
        `fewer MQTT accept handles than configured (${this.acceptHandles.problem}): the broker ` +
          'works, but takes a reconnect storm more slowly; set mqtt.acceptHandles: 1 if this ' +
          'host cannot start a helper Node process',
      );
    const address = server.address() as AddressInfo;
    const url = `${tls ? 'mqtts' : 'mqtt'}://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
    this.deps.log.info({ url }, 'MQTT broker listening');
    return url;
  }

  /**
   * Publishes from the hub (acks, config — retained — and commands), in order per gateway
   * (downlink-order.ts says why aedes needs that), and to a connected gateway only once its
   * subscription is in place (subscription-gate.ts).
   */
  publish(topic: string, payload: Buffer, options?: PublishOptions): Promise<void> {
    const qos = options?.qos ?? 1;
    const retain = options?.retain ?? false;
    const gatewayId = parseTopic(topic)?.gatewayId;
    const client = gatewayId === undefined || retain ? undefined : this.clients.get(gatewayId);
    const gate = client && this.subscriptionGate.hold(subscribingClient(client), topic);
    return this.downlinkOrder.run(
      gatewayId ?? topic,
      qos,
      () =>
        new Promise((resolve, reject) => {
          this.aedes.publish({ cmd: 'publish', topic, payload, qos, retain, dup: false }, (err) =>
            err ? reject(err) : resolve(),
          );
        }),
      gate,
    );
  }

  check(): Promise<void> {
    return this.listening
      ? Promise.resolve()
      : Promise.reject(new Error('MQTT listener is not open'));
  }

  /** Nothing to do: the next CONNECT is checked against the hash now in SQL. */
  credentialsIssued(gatewayId: string): Promise<void> {
    this.login.forget(gatewayId);
    return Promise.resolve();
  }

  /**
   * Drops a gateway's connection and forgets its cached secret (decommissioned or re-issued
   * credentials): its next CONNECT is checked against the SQL state again.
   */
  disconnectGateway(gatewayId: string): void {
    this.login.forget(gatewayId);
    this.clients.get(gatewayId)?.close();
  }

  get connectedClients(): number {
    return this.aedes.connectedClients;
  }

  get listening(): boolean {
    return this.server?.listening ?? false;
  }

  /** Stops accepting new connections; connected gateways stay (they still get their acks). */
  stopAccepting(): void {
    this.stopTicketRotation?.();
    this.serverClosed ??= Promise.all([
      new Promise<void>((resolve) => {
        if (!this.server?.listening) resolve();
        else this.server.close(() => resolve());
      }),
      this.acceptHandles?.close(),
    ]).then(() => undefined);
  }

  async close(): Promise<void> {
    this.stopAccepting();
    this.subscriptionGate.close();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await this.serverClosed;
  }
}
