/**
 * The connection to a local MQTT broker (Zigbee2MQTT publishes there). Reconnects with backoff on
 * its own schedule (mqtt.js's fixed reconnect period is switched off) and resubscribes on every
 * connect; messages are handed over with the time they arrived.
 */
import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { Backoff } from '../backoff.js';
import type { PortHealth } from './byte-transport.js';

export interface LocalMqttOptions {
  url: string;
  username?: string | undefined;
  password?: string | undefined;
  clientId: string;
  reconnect: { minMs: number; maxMs: number };
  logger: Logger;
  now: () => number;
}

export type MessageListener = (topic: string, payload: Buffer, receivedAt: number) => void;

export class LocalMqttTransport {
  private client: MqttClient | null = null;
  private readonly filters = new Set<string>();
  private readonly listeners: MessageListener[] = [];
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;
  private connected = false;
  private readonly counters = { opens: 0, failures: 0, bytesIn: 0, bytesOut: 0 };
  private lastError: string | null = null;
  private lastErrorAt: number | null = null;

  constructor(private readonly options: LocalMqttOptions) {
    this.backoff = new Backoff(options.reconnect);
  }

  subscribe(filters: readonly string[]): void {
    for (const filter of filters) this.filters.add(filter);
    if (this.client && this.connected) this.client.subscribe([...filters], { qos: 0 });
  }

  onMessage(listener: MessageListener): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.client || this.stopped) return;
    const client = mqtt.connect(this.options.url, {
      clientId: this.options.clientId,
      username: this.options.username,
      password: this.options.password,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    this.client = client;
    client.on('connect', () => {
      this.connected = true;
      this.counters.opens += 1;
      this.backoff.reset();
      this.options.logger.info({ url: this.options.url }, 'local MQTT connected');
      if (this.filters.size > 0) client.subscribe([...this.filters], { qos: 0 });
    });
    client.on('message', (topic, payload) => {
      this.counters.bytesIn += payload.byteLength;
      const at = this.options.now();
      for (const listener of this.listeners) listener(topic, payload, at);
    });
    client.on('error', (err) => {
      this.lastError = err.message;
      this.lastErrorAt = this.options.now();
    });
    client.on('close', () => {
      this.connected = false;
      if (this.stopped) return;
      this.counters.failures += 1;
      const delayMs = this.backoff.next();
      this.options.logger.warn(
        { code: 'PORT_ERROR', url: this.options.url, err: this.lastError, retryInMs: delayMs },
        'local MQTT connection lost',
      );
      if (this.timer) clearTimeout(this.timer);
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.stopped) client.reconnect();
      }, delayMs);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync(true).catch(() => undefined);
  }

  health(): PortHealth {
    return {
      port: this.options.url,
      state: this.stopped ? 'stopped' : this.connected ? 'open' : 'waiting',
      ...this.counters,
      lastError: this.lastError,
      lastErrorAt: this.lastErrorAt,
    };
  }
}
