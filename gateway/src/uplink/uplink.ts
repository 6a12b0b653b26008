/**
 * The uplink to the hub (DESIGN.md, "Gateway ⇄ hub contract"; topics.ts for the layout).
 *
 * - One MQTT connection: clientId = gatewayId, clean session false, username/password from the
 *   config, a retained "offline" GatewayStatus as last will and a retained "online" on connect.
 * - Two lanes read from the outbox. Each pump serves the alarm lane before the telemetry lane,
 *   and the telemetry window is small, so at most a couple of telemetry batches can ever be queued
 *   on the socket ahead of a new alarm (clause 2).
 * - Per lane: up to `window` batches in flight; the hub's Ack deletes events (acked, rejected);
 *   deferred events hold the lane for retryAfterMs. After ackTimeoutMs without any ack while
 *   batches are in flight, or after a reconnect, the lane goes back to its oldest pending event
 *   and sends everything again in order (go-back-N): the hub is idempotent on (gateway, seq), so
 *   a duplicate costs bandwidth, never correctness (clauses 3 and 4).
 * - Reconnects with exponential backoff and full jitter (mqtt.js's fixed-period reconnect is off).
 * - Every downlink message is validated with parsePayload; bad ones are counted and logged.
 */
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import {
  ContractError,
  encodeUplink,
  LIMITS,
  PROTOCOL_VERSION,
  downlinkTopic,
  isResumeAck,
  uplinkTopic,
  type Ack,
  type Command,
  type CommandResult,
  type ConfigState,
  type GatewayConfigMessage,
  type GatewayStatus,
  type Heartbeat,
  type Lane,
  type UplinkChannel,
  type UplinkPayload,
} from '@anxin/protocol';
import { Backoff } from '../backoff.js';
import type { GatewayConfig } from '../config.js';
import type { Outbox } from '../outbox/outbox.js';
import { buildBatch } from './batch.js';
import { parseDownlink } from './downlink.js';

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
  onCommand?: (command: Command) => Promise<CommandResult> | CommandResult;
  /** A valid configuration from the hub (null: the hub cleared it). */
  onConfig?: (config: GatewayConfigMessage | null) => void;
  /** Connected (again): the gateway republishes what the hub should know (config state). */
  onConnected?: () => void;
}

interface InflightBatch {
  remaining: Set<number>;
  sentAt: number;
}

interface LaneState {
  lane: Lane;
  window: number;
  /** Highest seq sent since the last go-back; the next batch starts after it. */
  cursor: number;
  inflight: InflightBatch[];
  holdUntil: number;
  lastAckAt: number;
  counters: {
    batchesSent: number;
    eventsSent: number;
    acked: number;
    rejected: number;
    deferred: number;
    resends: number;
    /** Holds lifted early because the hub called the lane back. */
    resumes: number;
  };
}

export interface UplinkHealth {
  connected: boolean;
  connects: number;
  connectFailures: number;
  lastError: string | null;
  lastErrorCode: string | null;
  lastConnectedAt: number | null;
  nextRetryInMs: number | null;
  lanes: Record<Lane, LaneState['counters'] & { inflightBatches: number; heldForMs: number }>;
  heartbeatsSent: number;
  /** Reconnect waits cut short because an alarm was pending. */
  alarmReconnects: number;
  /** Downlink messages refused, by `${channel}:${code}` (e.g. `ack:BAD_JSON`). */
  badDownlinks: Record<string, number>;
  commands: number;
  configMessages: number;
  lastConfigVersion: number | null;
}

/** An alarm waiting out a reconnect backoff retries within this (jittered, ≤ reconnect.minMs). */
const ALARM_RECONNECT_MAX_MS = 1000;

const BATCH_TOPIC: Record<Lane, 'alarm' | 'telemetry'> = { alarm: 'alarm', telemetry: 'telemetry' };

export class Uplink {
  private client: MqttClient | null = null;
  private connected = false;
  private stopped = false;
  private readonly backoff: Backoff;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private reconnectAt: number | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private watchdogTimer: NodeJS.Timeout | null = null;
  private holdTimer: NodeJS.Timeout | null = null;
  private pumpScheduled = false;
  private readonly lanes: Record<Lane, LaneState>;
  private readonly logger: Logger;
  private readonly stats = {
    connects: 0,
    connectFailures: 0,
    lastError: null as string | null,
    lastErrorCode: null as string | null,
    lastConnectedAt: null as number | null,
    heartbeatsSent: 0,
    commands: 0,
    configMessages: 0,
    lastConfigVersion: null as number | null,
    alarmReconnects: 0,
  };
  private readonly badDownlinks: Record<string, number> = {};
  private heartbeatIntervalS: number;

  constructor(private readonly options: UplinkOptions) {
    this.logger = options.logger;
    this.backoff = new Backoff(options.config.reconnect);
    this.heartbeatIntervalS = options.config.heartbeatIntervalS;
    const lane = (name: Lane, window: number): LaneState => ({
      lane: name,
      window,
      cursor: 0,
      inflight: [],
      holdUntil: 0,
      lastAckAt: 0,
      counters: emptyLaneCounters(),
    });
    this.lanes = {
      alarm: lane('alarm', options.config.outbox.alarmWindow),
      telemetry: lane('telemetry', options.config.outbox.telemetryWindow),
    };
  }

  get isConnected(): boolean {
    return this.connected;
  }

  start(): void {
    if (this.client || this.stopped) return;
    const { config } = this.options;
    const id = config.gatewayId;
    const clientOptions: IClientOptions = {
      clientId: id,
      username: config.hub.username ?? id,
      password: config.hub.password,
      clean: false,
      keepalive: config.hub.keepaliveS,
      connectTimeout: config.hub.connectTimeoutMs,
      reconnectPeriod: 0,
      resubscribe: false,
      will: {
        topic: uplinkTopic(id, 'status'),
        payload: encodeUplink('status', this.status('offline')),
        qos: 1,
        retain: true,
      },
    };
    if (config.hub.caFile) clientOptions.ca = readFileSync(config.hub.caFile);
    const client = mqtt.connect(config.hub.url, clientOptions);
    this.client = client;
    client.on('connect', () => this.onConnect(client));
    client.on('message', (topic, payload) => this.onMessage(topic, payload));
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
    for (const timer of [this.reconnectTimer, this.holdTimer]) if (timer) clearTimeout(timer);
    const client = this.client;
    this.client = null;
    if (!client) return;
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
  }

  /**
   * Something new in a lane: send it now if the window allows (coalesced per tick). A new alarm
   * while the uplink waits out a reconnect backoff cuts the wait short (to a jittered wait of at
   * most 1 s or reconnect.minMs): backoff protects a hub that is struggling — after a reconnect
   * storm the wait can reach reconnect.maxMs (60 s) — but alarms are a few a minute across a
   * district, so trying again early for one costs the hub nothing and saves the resident up to a
   * minute. Telemetry never does this.
   */
  notify(lane: Lane = 'telemetry'): void {
    if (lane === 'alarm') this.hurryReconnect();
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
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
    const laneHealth = (s: LaneState) => ({
      ...s.counters,
      inflightBatches: s.inflight.length,
      heldForMs: Math.max(0, s.holdUntil - now),
    });
    return {
      connected: this.connected,
      connects: this.stats.connects,
      connectFailures: this.stats.connectFailures,
      lastError: this.stats.lastError,
      lastErrorCode: this.stats.lastErrorCode,
      lastConnectedAt: this.stats.lastConnectedAt,
      nextRetryInMs: this.reconnectAt === null ? null : Math.max(0, this.reconnectAt - now),
      lanes: { alarm: laneHealth(this.lanes.alarm), telemetry: laneHealth(this.lanes.telemetry) },
      heartbeatsSent: this.stats.heartbeatsSent,
      alarmReconnects: this.stats.alarmReconnects,
      badDownlinks: { ...this.badDownlinks },
      commands: this.stats.commands,
      configMessages: this.stats.configMessages,
      lastConfigVersion: this.stats.lastConfigVersion,
    };
  }

  // ---- connection ----------------------------------------------------------------------------

  private status(state: GatewayStatus['state']): GatewayStatus {
    const version = this.options.configVersion?.();
    return {
      v: PROTOCOL_VERSION,
      state,
      at: this.options.now(),
      ...(version !== undefined ? { configVersion: version } : {}),
    };
  }

  private onConnect(client: MqttClient): void {
    const id = this.options.config.gatewayId;
    this.connected = true;
    this.stats.connects += 1;
    this.stats.lastConnectedAt = this.options.now();
    this.reconnectAt = null;
    this.backoff.reset();
    this.logger.info({ url: this.options.config.hub.url, gatewayId: id }, 'connected to hub');
    client.subscribe(
      [downlinkTopic(id, 'ack'), downlinkTopic(id, 'config'), downlinkTopic(id, 'cmd')],
      { qos: 1 },
      (err) => {
        if (err) this.logger.error({ err: err.message }, 'downlink subscribe failed');
      },
    );
    this.publish('status', this.status('online'), true);
    try {
      this.options.onConnected?.();
    } catch (err) {
      this.logger.error({ err }, 'on-connect handler failed');
    }
    // Whatever was in flight on the old connection may be lost: start both lanes over.
    for (const lane of Object.values(this.lanes)) this.goBack(lane, false);
    this.pump();
    this.sendHeartbeat();
  }

  private onError(err: Error & { code?: unknown }): void {
    const code = typeof err.code === 'number' ? err.code : undefined;
    // CONNACK return codes 4 and 5 (MQTT 3.1.1 §3.2.2.3): the hub refused our credentials.
    if (code === 4 || code === 5) {
      this.stats.lastErrorCode = 'UPLINK_AUTH_REFUSED';
      this.logger.error(
        {
          code: 'UPLINK_AUTH_REFUSED',
          returnCode: code,
          username: this.options.config.hub.username ?? this.options.config.gatewayId,
        },
        `hub refused the gateway's credentials (${err.message}); check hub.username/hub.password (issued when the gateway was claimed)`,
      );
    } else {
      this.stats.lastErrorCode = typeof err.code === 'string' ? err.code : 'UPLINK_ERROR';
      this.logger.warn({ code: this.stats.lastErrorCode, err: err.message }, 'uplink error');
    }
    this.stats.lastError = err.message;
  }

  private onClose(client: MqttClient): void {
    const wasConnected = this.connected;
    this.connected = false;
    if (this.stopped || this.client !== client) return;
    if (!wasConnected) this.stats.connectFailures += 1;
    if (this.reconnectTimer) return;
    const delayMs = this.backoff.next();
    this.logger.warn(
      {
        code: this.stats.lastErrorCode ?? 'UPLINK_CLOSED',
        lastError: this.stats.lastError,
        retryInMs: delayMs,
        wasConnected,
      },
      wasConnected ? 'connection to hub lost' : 'cannot connect to hub',
    );
    this.scheduleReconnect(client, delayMs);
  }

  private hurryReconnect(): void {
    const client = this.client;
    if (this.connected || this.stopped || !client || !this.reconnectTimer) return;
    const now = this.options.now();
    const soonest =
      now +
      Math.round(
        Math.random() * Math.min(this.options.config.reconnect.minMs, ALARM_RECONNECT_MAX_MS),
      );
    if (this.reconnectAt !== null && this.reconnectAt <= soonest) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.stats.alarmReconnects += 1;
    this.logger.info(
      { code: 'ALARM_RECONNECT', waitWasMs: (this.reconnectAt ?? now) - now },
      'alarm pending: reconnecting to the hub early',
    );
    this.scheduleReconnect(client, soonest - now);
  }

  private scheduleReconnect(client: MqttClient, delayMs: number): void {
    this.reconnectAt = this.options.now() + delayMs;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopped || this.client !== client) return;
      // The will carries a time: make it the time of this connection, not of the first one.
      const will = client.options.will;
      if (will) will.payload = encodeUplink('status', this.status('offline'));
      client.reconnect();
    }, delayMs);
  }

  // ---- sending -------------------------------------------------------------------------------

  private pump(): void {
    const client = this.client;
    if (!client || !this.connected) return;
    // Alarm lane first, always (clause 2).
    this.pumpLane(client, this.lanes.alarm);
    this.pumpLane(client, this.lanes.telemetry);
  }

  private pumpLane(client: MqttClient, state: LaneState): void {
    const now = this.options.now();
    if (state.holdUntil > now) {
      this.scheduleHoldEnd(state.holdUntil - now);
      return;
    }
    const { outbox, config } = this.options;
    const maxEvents = Math.min(config.outbox.batchSize, LIMITS.maxEventsPerBatch);
    const topic = uplinkTopic(config.gatewayId, BATCH_TOPIC[state.lane]);
    while (state.inflight.length < state.window) {
      const events = outbox.pending(state.lane, state.cursor, maxEvents);
      const batch = buildBatch(events, maxEvents, LIMITS.maxPayloadBytes);
      if (!batch) return;
      client.publish(topic, batch.payload, { qos: 1 });
      state.inflight.push({ remaining: new Set(batch.seqs), sentAt: now });
      state.cursor = batch.seqs[batch.seqs.length - 1] ?? state.cursor;
      state.counters.batchesSent += 1;
      state.counters.eventsSent += batch.seqs.length;
    }
  }

  private goBack(state: LaneState, countResend: boolean): void {
    if (countResend && state.inflight.length > 0) state.counters.resends += 1;
    state.cursor = 0;
    state.inflight = [];
    state.lastAckAt = this.options.now();
  }

  private checkAckTimeouts(): void {
    if (!this.connected) return;
    const now = this.options.now();
    const timeout = this.options.config.outbox.ackTimeoutMs;
    let resend = false;
    for (const state of Object.values(this.lanes)) {
      const oldest = state.inflight[0];
      if (!oldest) continue;
      if (now - Math.max(state.lastAckAt, oldest.sentAt) < timeout) continue;
      this.logger.warn(
        {
          code: 'ACK_TIMEOUT',
          lane: state.lane,
          inflightBatches: state.inflight.length,
          timeoutMs: timeout,
        },
        'no ack from hub in time; resending the lane from its oldest pending event',
      );
      this.goBack(state, true);
      resend = true;
    }
    if (resend) this.pump();
  }

  private scheduleHoldEnd(ms: number): void {
    if (this.holdTimer) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.pump();
    }, ms);
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

  // ---- downlink ------------------------------------------------------------------------------

  private onMessage(topic: string, payload: Buffer): void {
    try {
      const parsed = parseDownlink(this.options.config.gatewayId, topic, payload);
      if (!parsed.ok) {
        this.countBad(parsed.channel, parsed.code, parsed.message);
        // A well-formed command we cannot read (bad args, unknown shape) still gets an answer,
        // so that the hub does not wait for it until its timeout.
        if (parsed.commandId !== undefined) {
          this.publishResult({
            v: PROTOCOL_VERSION,
            id: parsed.commandId,
            ok: false,
            code: 'INVALID_ARGS',
            message: `invalid command: ${parsed.message}`.slice(0, 512),
          });
        }
        return;
      }
      const message = parsed.message;
      if (message.channel === 'ack') this.applyAck(message.ack);
      else if (message.channel === 'cmd') this.onCommand(message.command);
      else this.onConfig(message.config);
    } catch (err) {
      // Nothing from the network may crash the gateway.
      this.logger.error({ err, topic }, 'downlink handler failed');
    }
  }

  private countBad(channel: string, code: string, message: string): void {
    const key = `${channel}:${code}`;
    this.badDownlinks[key] = (this.badDownlinks[key] ?? 0) + 1;
    this.logger.warn(
      { code: 'BAD_DOWNLINK', channel, reason: code, message },
      'downlink message refused',
    );
  }

  private applyAck(ack: Ack): void {
    const state = this.lanes[ack.lane];
    const now = this.options.now();
    if (isResumeAck(ack)) {
      // The hub has room again before the slot it booked for us: send now (DESIGN.md, contract
      // clause 7; the hub calls deferred gateways back in the order it deferred them).
      if (state.holdUntil > now) {
        state.holdUntil = 0;
        state.counters.resumes += 1;
        this.logger.info({ lane: ack.lane }, 'hub has room again: resuming the lane');
      }
      this.pump();
      return;
    }
    const done = [...ack.acked, ...ack.rejected.map((r) => r.seq)];
    this.options.outbox.remove(ack.lane, done);
    state.counters.acked += ack.acked.length;
    state.counters.rejected += ack.rejected.length;
    for (const rejection of ack.rejected) {
      this.logger.error(
        {
          code: 'EVENT_REJECTED',
          lane: ack.lane,
          seq: rejection.seq,
          reason: rejection.code,
          message: rejection.message,
        },
        'hub rejected an event; it is removed from the outbox',
      );
    }
    const settled = new Set([...done, ...ack.deferred]);
    for (const batch of state.inflight) for (const seq of settled) batch.remaining.delete(seq);
    state.inflight = state.inflight.filter((b) => b.remaining.size > 0);
    state.lastAckAt = now;
    if (ack.deferred.length > 0) {
      state.counters.deferred += ack.deferred.length;
      const wait = ack.retryAfterMs ?? this.options.config.outbox.ackTimeoutMs;
      state.holdUntil = now + wait;
      this.logger.info(
        { lane: ack.lane, deferred: ack.deferred.length, retryAfterMs: wait },
        'hub deferred events; holding the lane',
      );
      this.goBack(state, false);
    }
    this.pump();
  }

  private onCommand(command: Command): void {
    this.stats.commands += 1;
    const handler = this.options.onCommand;
    if (!handler) {
      this.publishResult(
        command.name === 'ping'
          ? { v: PROTOCOL_VERSION, id: command.id, ok: true, message: 'pong' }
          : {
              v: PROTOCOL_VERSION,
              id: command.id,
              ok: false,
              code: 'UNKNOWN_COMMAND',
              message: `unknown command "${command.name}"`,
            },
      );
      return;
    }
    Promise.resolve()
      .then(() => handler(command))
      .then(
        (result) => this.publishResult(result),
        (err: unknown) =>
          this.publishResult({
            v: PROTOCOL_VERSION,
            id: command.id,
            ok: false,
            code: 'FAILED',
            message: (err instanceof Error ? err.message : String(err)).slice(0, 512),
          }),
      );
  }

  private publishResult(result: CommandResult): void {
    this.publish('cmd-result', result, false);
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
          err: (err as Error).message,
        },
        'uplink message does not fit the contract; not sent',
      );
      return false;
    }
    client.publish(uplinkTopic(this.options.config.gatewayId, channel), bytes, { qos: 1, retain });
    return true;
  }

  private onConfig(config: GatewayConfigMessage | null): void {
    this.stats.configMessages += 1;
    if (config !== null) this.stats.lastConfigVersion = config.configVersion;
    if (this.options.onConfig) {
      this.options.onConfig(config);
      return;
    }
    this.logger.info(
      { configVersion: config?.configVersion ?? null },
      'configuration from hub received; this gateway has no handler for it',
    );
  }
}

/** A lane's counters before anything is sent (also the health of a gateway not started). */
export function emptyLaneCounters(): LaneState['counters'] {
  return {
    batchesSent: 0,
    eventsSent: 0,
    acked: 0,
    rejected: 0,
    deferred: 0,
    resends: 0,
    resumes: 0,
  };
}

/** The health of an uplink not started (a gateway not started). */
export function emptyUplinkHealth(): UplinkHealth {
  const lane = { ...emptyLaneCounters(), inflightBatches: 0, heldForMs: 0 };
  return {
    connected: false,
    connects: 0,
    connectFailures: 0,
    lastError: null,
    lastErrorCode: null,
    lastConnectedAt: null,
    nextRetryInMs: null,
    lanes: { alarm: { ...lane }, telemetry: { ...lane } },
    heartbeatsSent: 0,
    alarmReconnects: 0,
    badDownlinks: {},
    commands: 0,
    configMessages: 0,
    lastConfigVersion: null,
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
