/**
 * The connection stage of the uplink: how the MQTT client is set up and how a failure to connect
 * is told apart (refused credentials are an installer's problem, not the network's).
 */
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import type { IClientOptions, MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { PROTOCOL_VERSION, uplinkTopic, type GatewayStatus } from '@anxin/protocol';
import type { GatewayConfig } from '../config.js';
import type { HubAddress } from './hub-stream.js';

/**
 * clientId = gatewayId, clean session false (the broker keeps our downlink subscriptions and
 * queued QoS 1 messages while we are away), mqtt.js's fixed-period reconnect off (the uplink
 * backs off with jitter itself), and a retained "offline" status as last will.
 */
export function clientOptions(config: GatewayConfig, offlineWill: Buffer): IClientOptions {
  const id = config.gatewayId;
  const options: IClientOptions = {
    clientId: id,
    username: config.hub.username ?? id,
    password: config.hub.password,
    clean: false,
    keepalive: config.hub.keepaliveS,
    connectTimeout: config.hub.connectTimeoutMs,
    reconnectPeriod: 0,
    resubscribe: false,
    will: { topic: uplinkTopic(id, 'status'), payload: offlineWill, qos: 1, retain: true },
    ...(mqttDebugWanted() ? {} : { log: noLog }),
  };
  return options;
}

/**
 * mqtt.js logs through the `debug` package, whose logger, even when off, first gathers each
 * call's arguments into an array: several calls per packet, in bench latency's load at 10,000
 * msg/s 7 % of all it allocated. So its log is a no-op unless DEBUG asks for mqtt.js's lines.
 */
export function mqttDebugWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  return /(^|[\s,])(mqttjs|\*)/.test(env['DEBUG'] ?? '');
}

function noLog(): void {}

/** Where the uplink's stream goes (hub-stream.ts), with the CA file read once, at start. */
export function hubAddress(config: GatewayConfig): HubAddress {
  return {
    url: config.hub.url,
    ...(config.hub.caFile ? { ca: readFileSync(config.hub.caFile) } : {}),
  };
}

/**
 * Turns Nagle's algorithm off on the connection's socket (TCP_NODELAY), as the hub does on its
 * side (broker.ts). With Nagle on, a small write waits while an earlier segment is unacknowledged,
 * and the hub's kernel may hold that ACK for its delayed-ACK timer (40 ms on Linux) when it has no
 * reply to carry it: an alarm published a few ms after a telemetry batch then left up to 40 ms
 * late (issue 12). mqtt.js writes each packet in one corked write, so nothing extra is sent.
 * A WebSocket stream has no such switch and is left alone.
 */
export function disableNagle(client: MqttClient): void {
  // A TLS socket is a net.Socket too.
  if (client.stream instanceof Socket) client.stream.setNoDelay(true);
}

/** The retained status message: "online" on connect, "offline" as last will or on stop. */
export function statusMessage(
  state: GatewayStatus['state'],
  at: number,
  configVersion: number | undefined,
): GatewayStatus {
  return {
    v: PROTOCOL_VERSION,
    state,
    at,
    ...(configVersion !== undefined ? { configVersion } : {}),
  };
}

/** Logs a client error and returns its stable code (UPLINK_AUTH_REFUSED, a socket code, …). */
export function logConnectionError(
  logger: Logger,
  config: GatewayConfig,
  err: Error & { code?: unknown },
): string {
  const code = typeof err.code === 'number' ? err.code : undefined;
  // CONNACK return codes 4 and 5 (MQTT 3.1.1 §3.2.2.3): the hub refused our credentials.
  if (code === 4 || code === 5) {
    logger.error(
      {
        code: 'UPLINK_AUTH_REFUSED',
        returnCode: code,
        username: config.hub.username ?? config.gatewayId,
      },
      `hub refused the gateway's credentials (${err.message}); check hub.username/hub.password (issued when the gateway was claimed)`,
    );
    return 'UPLINK_AUTH_REFUSED';
  }
  const stable = typeof err.code === 'string' ? err.code : 'UPLINK_ERROR';
  logger.warn({ code: stable, err: err.message }, 'uplink error');
  return stable;
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
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
