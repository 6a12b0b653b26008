/**
 * `mqtt.mode: external` (issue 11): the hub is an MQTT 5 client of an existing broker (Mosquitto 2,
 * EMQX), one of several hubs. Gateways connect to that broker; the broker authenticates them and
 * enforces their topic ACL with its own mechanism (dynsec.ts for Mosquitto), and the hubs take the
 * uplinks through one shared subscription, `$share/<group>/anxin/v1/gw/+/up/#`, so each message
 * goes to one hub of the group.
 *
 * Ordering and exactly-once across hubs: a shared subscription hands out single messages, so two
 * batches of one gateway's lane may reach two hubs (Mosquitto: round-robin; EMQX can stick a
 * gateway to one hub with `hash_clientid`, see README). Nothing is lost or doubled either way:
 * ingest is idempotent on (gateway, seq) in the shared SQL store (a replay answered by any hub is
 * acknowledged, not stored again), and the ack goes out from whichever hub made the events durable,
 * on the gateway's own down/ack topic. Order across batches is kept when the gateway sends one
 * alarm batch at a time (gateway `outbox.alarmWindow: 1`, see README), because the next batch
 * leaves only after the ack, which leaves only after the commit.
 *
 * Session: clean start, no session expiry. A hub that goes away leaves the group; the broker hands
 * the next messages to the others, and whatever it had taken but not acknowledged is sent again by
 * its gateways after their ack timeout (go-back-N), to a hub that is still there.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { HUB_UPLINK_FILTER } from '@anxin/protocol';
import type { BrokerDeps } from './broker.js';
import { DynSecAdmin } from './dynsec.js';
import { GatewayLogin } from './gateway-login.js';
import { checkBrokerConfig } from './external-config.js';
import { authorizeUplink, BROKER_VOUCHED } from './seam.js';
import type { HubBroker, PublishOptions } from './seam.js';

/** How often the online-gateway count is read from SQL (a gauge, not an alarm path). */
const ONLINE_REFRESH_MS = 5000;

/** The embedded broker's dependencies, and this hub's name. */
export interface ExternalBrokerDeps extends BrokerDeps {
  /** This hub's name (cluster.instanceId): part of its client id, for the broker's logs. */
  instanceId: string;
}

export class ExternalBroker implements HubBroker {
  readonly mode = 'external' as const;
  private client: MqttClient | undefined;
  private dynsec: DynSecAdmin | undefined;
  private subscribed = false;
  private accepting = true;
  private readonly filter: string;
  private listened = false;
  /** Accounts issued before listen() connected; set in the broker once it has. */
  private readonly beforeListen = new Map<string, string>();
  /** `broker-http`: the broker asks the hub (http/broker-auth-routes.ts) with these answers. */
  readonly login: GatewayLogin;
  /** listen() waits for the first subscription to be granted. */
  private readonly readyWaiters = new Set<() => void>();

  private onlineGateways = 0;
  private onlineTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: ExternalBrokerDeps) {
    checkBrokerConfig(deps.config);
    this.login = new GatewayLogin(deps);
    this.filter = `$share/${deps.config.external.shareGroup}/${HUB_UPLINK_FILTER}`;
  }

  async listen(): Promise<string> {
    const ext = this.deps.config.external;
    const options: IClientOptions = {
      protocolVersion: 5,
      // Unique per process: two hubs (or a restarted one whose old session the broker has not
      // noticed gone) must never kick each other off with the same client id.
      clientId: `anxin-hub-${this.deps.instanceId}-${randomBytes(3).toString('hex')}`,
      username: ext.username,
      password: ext.password,
      clean: true,
      connectTimeout: ext.connectTimeoutMs,
      reconnectPeriod: 1000,
      keepalive: 30,
      ...(ext.caFile ? { ca: readFileSync(ext.caFile) } : {}),
    };
    const client = mqtt.connect(ext.url, options);
    this.client = client;
    if (ext.gatewayAccounts === 'mosquitto-dynsec')
      this.dynsec = new DynSecAdmin(client, ext.connectTimeoutMs, this.deps.log);
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
    client.on('error', (err) =>
      this.deps.log.warn({ err: err.message, url: ext.url }, 'MQTT broker connection error'),
    );
    client.on('close', () => {
      if (this.subscribed) this.deps.log.warn({ url: ext.url }, 'MQTT broker connection lost');
      this.subscribed = false;
    });
    // A clean session forgets subscriptions: take them again on every (re)connect.
    client.on('connect', () => {
      // Nagle off on our side too (the broker's side: set_tcp_nodelay): acks to gateways are
      // small writes that must not wait for a delayed ACK (issue 12). A TLS socket is a Socket.
      if (client.stream instanceof Socket) client.stream.setNoDelay(true);
      this.subscribe().catch((err: unknown) =>
        this.deps.log.error({ err }, 'cannot subscribe to gateway uplinks'),
      );
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`MQTT broker ${ext.url}: no connection within ${ext.connectTimeoutMs} ms`),
        );
      }, ext.connectTimeoutMs + 1000);
      const onError = (err: Error) => {
        // Wrong credentials will not get better by retrying.
        if (
          'code' in err &&
          (err.code === 134 || err.code === 135 || err.code === 4 || err.code === 5)
        ) {
          cleanup();
          reject(new Error(`MQTT broker ${ext.url} refused the hub's login: ${err.message}`));
        }
      };
      const onReady = () => {
        cleanup();
        resolve();
      };
      const cleanup = () => {
        clearTimeout(timer);
        client.off('error', onError);
        this.readyWaiters.delete(onReady);
      };
      client.on('error', onError);
      this.readyWaiters.add(onReady);
    }).catch(async (err: unknown) => {
      await client.endAsync(true);
      throw err;
    });
    this.deps.log.info({ url: ext.url, filter: this.filter }, 'connected to the MQTT broker');
    const refresh = () =>
      this.refreshOnline().catch((err: unknown) =>
        this.deps.log.warn({ err }, 'cannot count online gateways'),
      );
    void refresh();
    this.onlineTimer = setInterval(refresh, ONLINE_REFRESH_MS);
    this.onlineTimer.unref();
    // Gateways provisioned before the connection existed (`anxin hub --provision`).
    this.listened = true;
    for (const [gatewayId, secret] of this.beforeListen)
      await this.credentialsIssued(gatewayId, secret);
    this.beforeListen.clear();
    return this.deps.config.publicUrl ?? ext.url;
  }

  private async subscribe(): Promise<void> {
    const client = this.client;
    if (!client) return;
    if (this.dynsec) await this.dynsec.subscribe();
    if (this.accepting) {
      const granted = await client.subscribeAsync(this.filter, { qos: 1 });
      if (granted.some((g) => g.qos > 2))
        throw new Error(`the broker refused the subscription ${this.filter}`);
    }
    this.subscribed = true;
    for (const ready of [...this.readyWaiters]) ready();
  }

  /** Hot path: one parse, one call; no allocation of our own. */
  private onMessage(topic: string, payload: Buffer): void {
    if (this.dynsec?.handle(topic, payload)) return;
    // The external broker has authenticated the publisher and applied the gateway ACL.
    const uplink = authorizeUplink(topic, BROKER_VOUCHED);
    if (uplink === null) {
      // Only a broker ACL mistake delivers anything else to the hub.
      this.deps.metrics.rejections.inc({ code: 'NOT_AUTHORIZED' });
      this.deps.log.warn(
        { topic: topic.slice(0, 200) },
        'unexpected topic from the broker ignored',
      );
      return;
    }
    if (!this.accepting) return; // shutting down: the gateway resends to a hub still in the group
    this.deps.uplinks.onUplink(uplink, payload);
  }

  async publish(topic: string, payload: Buffer, options?: PublishOptions): Promise<void> {
    const client = this.client;
    if (!client) throw new Error('not connected to the MQTT broker');
    await client.publishAsync(topic, payload, {
      qos: options?.qos ?? 1,
      retain: options?.retain ?? false,
    });
  }

  check(): Promise<void> {
    if (this.client?.connected && this.subscribed) return Promise.resolve();
    return Promise.reject(new Error(`not connected to ${this.deps.config.external.url}`));
  }

  async credentialsIssued(gatewayId: string, secret: string): Promise<void> {
    this.login.forget(gatewayId);
    if (this.deps.config.external.gatewayAccounts !== 'mosquitto-dynsec') return;
    if (!this.dynsec || !this.listened) {
      this.beforeListen.set(gatewayId, secret);
      return;
    }
    await this.dynsec.upsertGateway(gatewayId, secret);
    this.deps.log.info({ gatewayId }, 'gateway account set in the broker');
  }

  disconnectGateway(gatewayId: string): void {
    // broker-http: the next login, and every publish/subscribe the broker asks about, is
    // checked against SQL (gateways.enabled); EMQX's authorization cache holds for its TTL.
    this.login.forget(gatewayId);
    const dynsec = this.dynsec;
    if (!dynsec) return;
    this.deps.gateways
      .get(gatewayId)
      .then((row) =>
        row && row.enabled === 1 ? dynsec.kickGateway(gatewayId) : dynsec.disableGateway(gatewayId),
      )
      .then(
        () => this.deps.log.info({ gatewayId }, 'gateway disconnected at the broker'),
        (err: unknown) =>
          this.deps.log.error({ err, gatewayId }, 'cannot disconnect the gateway at the broker'),
      );
  }

  /**
   * The broker holds the connections, not this hub: gateways whose last status (their own
   * `online`, or the last will the broker published for them) is online, read from the shared SQL
   * state every few seconds. The same figure on every hub: a cluster-wide gauge, not a share.
   */
  get connectedClients(): number {
    return this.onlineGateways;
  }

  private async refreshOnline(): Promise<void> {
    const counts = await this.deps.gateways.counts();
    this.onlineGateways = counts.find((c) => c.status === 'online')?.count ?? 0;
  }

  stopAccepting(): void {
    if (!this.accepting) return;
    this.accepting = false;
    // Leave the share group so the broker hands new uplinks to the other hubs.
    this.client?.unsubscribeAsync(this.filter).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.onlineTimer) clearInterval(this.onlineTimer);
    this.onlineTimer = undefined;
    this.stopAccepting();
    this.dynsec?.close();
    await this.client?.endAsync();
    this.subscribed = false;
  }
}
