/**
 * The uplink to the hub (DESIGN.md, "Gateway ⇄ hub contract"; topics.ts for the layout).
 *
 * - One MQTT connection: clientId = gatewayId, clean session false, username/password from the
 *   config, a retained "offline" GatewayStatus as last will and a retained "online" on connect.
 * - Two lanes read from the outbox, alarms first, go-back-N on a lost ack (lanes.ts: the sending
 *   stage); commands always get a result (commands.ts); health counters (health.ts).
 * - Reconnects with exponential backoff and full jitter (reconnect-scheduler.ts).
 * - Every downlink message is validated; bad ones are counted and logged (downlink-handler.ts).
 */
import { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  ContractError,
  encodeUplink,
  downlinkTopic,
  uplinkTopic,
  type ConfigState,
  type GatewayConfigMessage,
  type GatewayStatus,
  type Heartbeat,
  type Lane,
  type UplinkChannel,
  type UplinkPayload,
  errorMessage,
} from '@anxin/protocol';
import type { GatewayConfig } from '../config.js';
import type { Outbox } from '../outbox/outbox.js';
import type { CommandHandler } from './commands.js';
import {
  clientOptions,
  disableNagle,
  hubAddress,
  logConnectionError,
  statusMessage,
  withTimeout,
} from './connection.js';
import { DownlinkHandler } from './downlink-handler.js';
import { HubStream } from './hub-stream.js';
import type { UplinkHealth } from './health.js';
import { LaneSender } from './lanes.js';
import { ReconnectScheduler } from './reconnect-scheduler.js';
import { startsAfterOutage } from './reconnect-policy.js';
import { TlsTicketFile } from './tls-ticket-file.js';

export { emptyUplinkHealth, type UplinkHealth } from './health.js';

/** A SUBACK return code: the subscription was refused (MQTT 3.1.1 §3.9.3). */
const SUBACK_FAILURE = 128;

export interface UplinkOptions {
  config: GatewayConfig;
  outbox: Outbox;
  logger: Logger;
  now: () => number;
  /** Builds the heartbeat at send time (outbox and device health are the gateway's). */
  heartbeat: () => Heartbeat;
  /** The hub configuration version running (for the status message and its last will). */
  configVersion?: () => number;
  /** A valid command from the hub; its result is published on up/cmd-result. */
  onCommand?: CommandHandler;
  /** A valid configuration from the hub (null: the hub cleared it). */
  onConfig?: (config: GatewayConfigMessage | null) => void;
  /** Connected (again): the gateway republishes what the hub should know (config state). */
  onConnected?: () => void;
}

export class Uplink {
  private client: MqttClient | null = null;
  private connected = false;
  private stopped = false;
  private readonly reconnect: ReconnectScheduler;
  private readonly downlink: DownlinkHandler;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  /**
   * This connection's downlink subscription stands (its SUBACK came): the hub's acks reach us.
   * Telemetry waits for it (onConnect says why).
   */
  private downlinkSubscribed = false;
  private subscribeFallbackTimer: NodeJS.Timeout | null = null;
  private readonly lanes: LaneSender;
  private readonly logger: Logger;
  /** Opens each connection's socket, and keeps the TLS session to resume (hub-stream.ts). */
  private readonly hubStream: HubStream;
  /** The newest TLS session ticket, kept in the data directory across restarts. */
  private readonly tlsTicket: TlsTicketFile;
  private readonly stats = {
    connects: 0,
    connectFailures: 0,
    lastError: null as string | null,
    lastErrorCode: null as string | null,
    lastConnectedAt: null as number | null,
    heartbeatsSent: 0,
  };
  private heartbeatIntervalS: number;

  constructor(private readonly options: UplinkOptions) {
    this.logger = options.logger;
    this.heartbeatIntervalS = options.config.heartbeatIntervalS;
    this.tlsTicket = new TlsTicketFile({ ...options, dataDir: options.config.dataDir });
    this.hubStream = new HubStream({ ...hubAddress(options.config), tickets: this.tlsTicket });
    this.lanes = new LaneSender({ ...options, wake: () => this.pump() });
    this.reconnect = new ReconnectScheduler({
      ...options,
      isCurrent: (client) => !this.stopped && this.client === client,
      will: () => encodeUplink('status', this.status('offline')),
    });
    this.downlink = new DownlinkHandler({
      ...options,
      gatewayId: options.config.gatewayId,
      onAck: (ack) => {
        this.lanes.applyAck(ack);
        this.pump();
      },
      publishResult: (result) => this.publish('cmd-result', result, false),
    });
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.client || this.stopped) return;
    const { config } = this.options;
    const will = encodeUplink('status', this.status('offline'));
    // Back from an outage (a backlog to replay): spread the first attempt (reconnect-policy.ts).
    const delayMs = startsAfterOutage((lane) => this.options.outbox.depthOf(lane))
      ? this.reconnect.firstAttemptDelay()
      : 0;
    const client = new MqttClient(() => this.hubStream.open(), {
      ...clientOptions(config, will),
      ...(delayMs > 0 ? { manualConnect: true } : {}),
    });
    this.client = client;
    if (delayMs > 0) this.reconnect.deferFirstConnect(client, delayMs);
    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload) => this.downlink.handle(topic, payload));
    client.on('error', (err: Error & { code?: unknown }) => this.onError(err));
    client.on('close', () => this.onClose(client));

    const ackCheckMs = Math.max(50, Math.floor(config.outbox.ackTimeoutMs / 4));
    this.watchdogTimer = setInterval(() => this.checkAckTimeouts(), ackCheckMs);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), this.heartbeatIntervalS * 1000);
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of [this.watchdogTimer, this.heartbeatTimer]) if (timer) clearInterval(timer);
    if (this.subscribeFallbackTimer) clearTimeout(this.subscribeFallbackTimer);
    this.reconnect.stop();
    this.lanes.stop();
    const client = this.client;
    this.client = null;
    // A client that never opened its socket has nothing to close (mqtt.js would fail on it).
    if (!client || this.reconnect.neverConnected) return;
    if (this.connected) {
      // A clean shutdown says "offline" itself (a clean DISCONNECT suppresses the last will).
      await withTimeout(
        client.publishAsync(
          uplinkTopic(this.options.config.gatewayId, 'status'),
          encodeUplink('status', this.status('offline')),
          { qos: 1, retain: true },
        ),
        1000,
      ).catch(() => undefined);
    }
    const graceful = this.connected;
    this.connected = false;
    await withTimeout(client.endAsync(!graceful), 2000).catch(() => client.end(true));
    // A ticket still being written is on disk when stop returns (the next start reads it).
    await this.tlsTicket.flush();
  }

  /**
   * Something new in a lane: send it now if the window allows (coalesced per tick). A new alarm
   * while the uplink waits out a reconnect backoff cuts the wait short (to a jittered wait of at
   * most 100 ms or reconnect.minMs: in a storm an alarm's whole budget is 1 s): backoff protects
   * a hub that is struggling — after a reconnect storm the wait can reach reconnect.maxMs
   * (60 s) — but alarms are a few a minute across a district, so trying again early for one
   * costs the hub nothing and saves the resident up to a minute. Telemetry never does this.
   */
  notify(lane: Lane = 'telemetry'): void {
    if (lane === 'alarm' && this.client && !this.connected && !this.stopped)
      this.reconnect.hurry(this.client);
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /**
   * A new alarm is in the outbox's open transaction (outbox onAlarmStaged): send it now, and
   * push the bytes to the socket before returning, so they are on the wire while the commit
   * fsyncs. mqtt-packet corks the stream per packet and uncorks on the next tick, which would
   * hold the alarm until after the fsync; uncorking here writes it at once (an extra uncork of
   * an uncorked stream does nothing, so the deferred one is harmless). Not connected: nothing to
   * do; notify after the commit hurries the reconnect.
   */
  sendAlarmsNow(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    this.lanes.pumpAlarms(client);
    const stream = client.stream;
    while (stream.writableCorked > 0) stream.uncork();
  }

  /** A new heartbeat interval (from the hub's configuration) takes effect at once. */
  setHeartbeatInterval(seconds: number): void {
    if (this.heartbeatIntervalS === seconds) return;
    this.heartbeatIntervalS = seconds;
    if (!this.heartbeatTimer || this.stopped) return;
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.sendHeartbeat(), seconds * 1000);
  }

  /** Sends a heartbeat now (after a configuration change, so the hub sees the new version). */
  heartbeatNow(): void {
    this.sendHeartbeat();
  }

  health(): UplinkHealth {
    const now = this.options.now();
    return {
      connected: this.connected,
      connects: this.stats.connects,
      connectFailures: this.stats.connectFailures,
      lastError: this.stats.lastError,
      lastErrorCode: this.stats.lastErrorCode,
      lastConnectedAt: this.stats.lastConnectedAt,
      nextRetryInMs: this.reconnect.nextRetryInMs(now),
      lanes: this.lanes.health(),
      heartbeatsSent: this.stats.heartbeatsSent,
      alarmReconnects: this.reconnect.alarmReconnects,
      tlsHandshakes: { ...this.hubStream.handshakes },
      tlsTicketFile: this.tlsTicket.health(),
      badDownlinks: { ...this.downlink.bad },
      commands: this.downlink.commands,
      configMessages: this.downlink.configMessages,
      lastConfigVersion: this.downlink.lastConfigVersion,
    };
  }

  // ---- connection ----------------------------------------------------------------------------

  private status(state: GatewayStatus['state']): GatewayStatus {
    return statusMessage(state, this.options.now(), this.options.configVersion?.());
  }

  /**
   * A new connection. Its downlink subscription is made again each time, and an ack the hub
   * publishes before the broker has put it in place reaches nobody: MQTT promises a subscription
   * only from its SUBACK (3.1.1 §3.8.4), and aedes (the hub's embedded broker) handles a client's
   * SUBSCRIBE and the PUBLISHes read with it concurrently. A hub with a full queue answers a
   * telemetry batch `deferred` at once, so after a hub restart (sessions gone) that ack was lost
   * and the lane sat out ackTimeoutMs (measured in `bench storm`, 2,000 gateways: ~800 of the
   * first 4,000 acks found no subscription, 285-477 ack timeouts, and the drain took 25-38 s
   * against 19-21 s with the acks at QoS 1, whose publish aedes delays behind a persistence call).
   * So telemetry waits for the SUBACK, a round trip. Alarms do not wait: an alarm's latency is the
   * point, and its ack, if lost, costs only a resend after ackTimeoutMs (the hub acks the replay
   * without storing it twice, clause 4) while the window (alarmWindow) keeps new alarms going.
   */
  private onConnect(client: MqttClient): void {
    const id = this.options.config.gatewayId;
    disableNagle(client);
    this.connected = true;
    this.downlinkSubscribed = false;
    this.stats.connects += 1;
    this.stats.lastConnectedAt = this.options.now();
    this.reconnect.connected();
    this.logger.info({ url: this.options.config.hub.url, gatewayId: id }, 'connected to hub');
    // Also without a SUBACK (failed, or not in time) telemetry goes in the end: a lost ack costs
    // an ack timeout, as it always could, and holding the lane for good would be worse.
    const subscribed = () => {
      if (this.client !== client || !this.connected || this.downlinkSubscribed) return;
      if (this.subscribeFallbackTimer) clearTimeout(this.subscribeFallbackTimer);
      this.subscribeFallbackTimer = null;
      this.downlinkSubscribed = true;
      this.pump();
    };
    client.subscribe(
      [downlinkTopic(id, 'ack'), downlinkTopic(id, 'config'), downlinkTopic(id, 'cmd')],
      { qos: 1 },
      (err, granted) => {
        const refused = (granted ?? []).filter((g) => g.qos === SUBACK_FAILURE);
        if (err || refused.length > 0) {
          this.logger.error(
            {
              code: 'DOWNLINK_SUBSCRIBE_FAILED',
              err: err?.message,
              refused: refused.map((g) => g.topic),
            },
            'downlink subscribe failed: acks, configuration and commands may not reach the gateway',
          );
        }
        subscribed();
      },
    );
    if (this.subscribeFallbackTimer) clearTimeout(this.subscribeFallbackTimer);
    this.subscribeFallbackTimer = setTimeout(() => {
      this.logger.warn(
        { code: 'NO_SUBACK', waitedMs: this.options.config.outbox.ackTimeoutMs },
        'no SUBACK from the hub in time; sending telemetry anyway',
      );
      subscribed();
    }, this.options.config.outbox.ackTimeoutMs);
    // The lanes first (alarm lane ahead of telemetry): after a storm an alarm must not queue
    // behind the status, configuration state and heartbeat the hub also handles at connect.
    this.lanes.restart();
    this.pump();
    this.publish('status', this.status('online'), true);
    try {
      this.options.onConnected?.();
    } catch (err) {
      this.logger.error({ err }, 'on-connect handler failed');
    }
    this.sendHeartbeat();
  }

  private onError(err: Error & { code?: unknown }): void {
    this.stats.lastErrorCode = logConnectionError(this.logger, this.options.config, err);
    this.stats.lastError = err.message;
  }

  private onClose(client: MqttClient): void {
    const wasConnected = this.connected;
    this.connected = false;
    if (this.stopped || this.client !== client) return;
    if (!wasConnected) this.stats.connectFailures += 1;
    this.reconnect.afterClose(client, wasConnected, this.stats.lastErrorCode, this.stats.lastError);
  }

  // ---- sending -------------------------------------------------------------------------------

  private pump(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    this.lanes.pump(client, this.downlinkSubscribed);
  }

  private checkAckTimeouts(): void {
    if (!this.connected) return;
    if (this.lanes.checkAckTimeouts()) this.pump();
  }

  private sendHeartbeat(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    let heartbeat: Heartbeat;
    try {
      heartbeat = this.options.heartbeat();
    } catch (err) {
      this.logger.error({ err }, 'cannot build heartbeat');
      return;
    }
    if (!this.publish('heartbeat', heartbeat, false)) return;
    this.stats.heartbeatsSent += 1;
  }

  /** Publishes the configuration state, retained (the hub learns it again after a restart). */
  publishConfigState(state: ConfigState): void {
    this.publish('config-state', state, true);
  }

  /**
   * Every uplink message but the batches goes out through the contract (encodeUplink), so a
   * message the hub would refuse is caught here, logged with its code, and never sent.
   */
  private publish<C extends UplinkChannel>(
    channel: C,
    payload: UplinkPayload<C>,
    retain: boolean,
  ): boolean {
    const client = this.client;
    if (!client || !this.connected) return false;
    let bytes: Buffer;
    try {
      bytes = encodeUplink(channel, payload);
    } catch (err) {
      this.logger.error(
        {
          code: err instanceof ContractError ? err.code : 'ENCODE_FAILED',
          channel,
          err: errorMessage(err),
        },
        'uplink message does not fit the contract; not sent',
      );
      return false;
    }
    client.publish(uplinkTopic(this.options.config.gatewayId, channel), bytes, { qos: 1, retain });
    return true;
  }
}
