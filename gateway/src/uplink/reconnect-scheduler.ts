/**
 * When the uplink tries to connect again (reconnect-policy.ts says how long; this owns the timer).
 * mqtt.js's own fixed-period reconnect is off: a district's gateways retrying in step would hit
 * the hub together, so retries back off with full jitter, the first attempt after an outage is
 * spread, and a pending alarm cuts a long wait short.
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from '../backoff.js';
import type { GatewayConfig } from '../config.js';
import type { Outbox } from '../outbox/outbox.js';
import { ALARM_SPREAD_MS, firstAttemptDelayMs } from './reconnect-policy.js';

export interface ReconnectDeps {
  config: GatewayConfig;
  outbox: Outbox;
  logger: Logger;
  now: () => number;
  /** The client still belongs to a running uplink (not stopped, not replaced). */
  isCurrent: (client: MqttClient) => boolean;
  /** The last will to connect with (it carries a time: that of this connection). */
  will: () => Buffer;
}

export class ReconnectScheduler {
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | null = null;
  private at: number | null = null;
  /** The client was made but never connected: its first attempt waits out the spread. */
  private firstConnectPending = false;
  /** Reconnect waits cut short because an alarm was pending. */
  alarmReconnects = 0;

  constructor(private readonly deps: ReconnectDeps) {
    this.backoff = new Backoff(deps.config.reconnect);
  }

  /** A client made with `manualConnect` whose first attempt waits `delayMs`. */
  deferFirstConnect(client: MqttClient, delayMs: number): void {
    this.firstConnectPending = true;
    this.schedule(client, delayMs);
  }

  /** The client never opened its socket: there is nothing to close. */
  get neverConnected(): boolean {
    return this.firstConnectPending;
  }

  nextRetryInMs(now: number): number | null {
    return this.at === null ? null : Math.max(0, this.at - now);
  }

  connected(): void {
    this.at = null;
    this.backoff.reset();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
  }

  /**
   * The connection closed (or an attempt failed): schedule the next attempt, unless one is already
   * scheduled. `errorCode` and `error` are the last connection error, for the log line.
   */
  afterClose(
    client: MqttClient,
    wasConnected: boolean,
    errorCode: string | null,
    error: string | null,
  ): void {
    if (this.timer) return;
    // The first retry after a lost connection is spread: the whole district lost it together.
    const delayMs = wasConnected ? this.firstAttemptDelay() : this.backoff.next();
    this.deps.logger.warn(
      { code: errorCode ?? 'UPLINK_CLOSED', lastError: error, retryInMs: delayMs, wasConnected },
      wasConnected ? 'connection to hub lost' : 'cannot connect to hub',
    );
    this.schedule(client, delayMs);
  }

  /**
   * An alarm is pending while the uplink waits out a backoff: try again within a short jittered
   * wait (uplink.ts `notify` says why this costs the hub nothing).
   */
  hurry(client: MqttClient): void {
    if (!this.timer) return;
    const now = this.deps.now();
    const soonest =
      now + Math.round(Math.random() * Math.min(this.deps.config.reconnect.minMs, ALARM_SPREAD_MS));
    if (this.at !== null && this.at <= soonest) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.alarmReconnects += 1;
    this.deps.logger.info(
      { code: 'ALARM_RECONNECT', waitWasMs: (this.at ?? now) - now },
      'alarm pending: reconnecting to the hub early',
    );
    this.schedule(client, soonest - now);
  }

  firstAttemptDelay(): number {
    const alarmPending = this.deps.outbox.depthOf('alarm') > 0;
    const { spreadMs, maxMs } = this.deps.config.reconnect;
    return firstAttemptDelayMs({ spreadMs, maxMs, random: Math.random }, alarmPending);
  }

  private schedule(client: MqttClient, delayMs: number): void {
    this.at = this.deps.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.deps.isCurrent(client)) return;
      const will = client.options.will;
      if (will) will.payload = this.deps.will();
      if (this.firstConnectPending) {
        this.firstConnectPending = false;
        client.connect();
      } else client.reconnect();
    }, delayMs);
  }
}
