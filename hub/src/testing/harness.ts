/**
 * Test support (not built into dist): a real hub on ephemeral loopback ports in a temp dir, real
 * MQTT gateway clients, REST login. Every helper returns something to close.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient } from 'mqtt';
import { pino } from 'pino';
import {
  AckSchema,
  downlinkTopic,
  newEventId,
  PROTOCOL_VERSION,
  schemaIssues,
  uplinkTopic,
  type Ack,
  type AlarmEvent,
  type ApiError,
  type TelemetryEvent,
} from '@anxin/protocol';
import { expect } from 'vitest';
import { hubConfig, type HubConfig } from '../config.js';
import { buildHub, type BuildHubOptions, type Hub } from '../hub.js';
import { openDatabase, type OpenedDatabase } from '../store/db.js';
import { resolveDatabaseTarget } from '../store/target.js';
import { testDatabaseConfig } from './test-database.js';

export interface RunningHub {
  hub: Hub;
  httpUrl: string;
  mqttUrl: string;
  dir: string;
  /** A second handle on the hub's SQL state (SQLite file or PostgreSQL), for assertions. */
  openDatabase(): Promise<OpenedDatabase>;
  close(): Promise<void>;
}

export async function startHub(
  overrides: Record<string, unknown> = {},
  options: BuildHubOptions = {},
): Promise<RunningHub> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-hub-test-'));
  const { hub, httpUrl, mqttUrl, config } = await startHubIn(dir, overrides, options);
  return {
    hub,
    httpUrl,
    mqttUrl,
    dir,
    openDatabase: () => openDatabase(resolveDatabaseTarget(config), pino({ level: 'silent' })),
    async close() {
      await hub.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A listening hub whose data stays in `dir` (the caller's, kept across a restart, removed by the
 * caller): the test configuration of every in-process hub, then `overrides` by top-level key.
 */
export async function startHubIn(
  dir: string,
  overrides: Record<string, unknown> = {},
  options: BuildHubOptions = {},
): Promise<{ hub: Hub; httpUrl: string; mqttUrl: string; config: HubConfig }> {
  const config = hubConfig({
    dataDir: dir,
    http: { port: 0, webRoot: join(dir, 'no-web') },
    mqtt: { port: 0 },
    log: { level: process.env.HUB_TEST_LOG ?? 'silent' },
    // SQLite in <dir>, or a PostgreSQL database in the `postgres` test project.
    database: await testDatabaseConfig(dir),
    ...overrides,
  });
  const hub = await buildHub(config, { logger: pino({ level: config.log.level }), ...options });
  const { httpUrl, mqttUrl } = await hub.listen();
  return { hub, httpUrl, mqttUrl, config };
}

/** A gateway's MQTT connection that records every ack it receives. */
export class TestGateway {
  readonly acks: Ack[] = [];
  /** The MQTT QoS each of `acks` arrived at (the gateway subscribes at 1), by index. */
  readonly ackQos: number[] = [];
  private waiters: { pred: (a: Ack) => boolean; resolve: (a: Ack) => void }[] = [];

  private constructor(
    readonly id: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (topic, payload, packet) => {
      if (topic !== downlinkTopic(id, 'ack')) return;
      const value: unknown = JSON.parse(payload.toString('utf8'));
      const issues = schemaIssues(AckSchema, value);
      if (issues.length > 0) throw new Error(`hub sent an invalid ack: ${JSON.stringify(issues)}`);
      const ack = value as Ack;
      this.acks.push(ack);
      this.ackQos.push(packet.qos);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(ack)) return true;
        w.resolve(ack);
        return false;
      });
    });
  }

  static async connect(mqttUrl: string, id: string, secret: string): Promise<TestGateway> {
    const client = await connectAsync(mqttUrl, {
      clientId: id,
      username: id,
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      protocolVersion: 4,
    });
    const gw = new TestGateway(id, client);
    await client.subscribeAsync(downlinkTopic(id, 'ack'), { qos: 1 });
    return gw;
  }

  async publish(
    channel: 'alarm' | 'telemetry' | 'heartbeat' | 'status',
    payload: unknown,
  ): Promise<void> {
    const body =
      typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload);
    await this.client.publishAsync(uplinkTopic(this.id, channel), body, { qos: 1 });
  }

  sendAlarms(events: AlarmEvent[]): Promise<void> {
    return this.publish('alarm', { v: PROTOCOL_VERSION, events });
  }

  sendTelemetry(events: TelemetryEvent[]): Promise<void> {
    return this.publish('telemetry', { v: PROTOCOL_VERSION, events });
  }

  /** The first ack (already received or future) matching `pred`. */
  waitForAck(pred: (a: Ack) => boolean, timeoutMs = 10_000): Promise<Ack> {
    const found = this.acks.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `no matching ack within ${timeoutMs} ms; got ${JSON.stringify(this.acks.slice(-5))}`,
            ),
          ),
        timeoutMs,
      );
      this.waiters.push({
        pred,
        resolve: (a) => {
          clearTimeout(timer);
          resolve(a);
        },
      });
    });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

export function alarmEvent(seq: number, overrides: Partial<AlarmEvent> = {}): AlarmEvent {
  return {
    type: 'alarm',
    id: newEventId(),
    seq,
    observedAt: Date.now(),
    deviceId: 'radar-1',
    kind: 'fall',
    action: 'raise',
    ...overrides,
  };
}

export function telemetryEvent(
  seq: number,
  overrides: Partial<TelemetryEvent> = {},
): TelemetryEvent {
  return {
    type: 'telemetry',
    id: newEventId(),
    seq,
    observedAt: Date.now(),
    deviceId: 'meter-1',
    fields: { power_w: 100 + seq, energy_kwh: 12.5 },
    ...overrides,
  };
}

/** Logs in over REST and returns the Cookie header value. */
export async function login(httpUrl: string, username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = setCookie.split(';')[0];
  if (!cookie) throw new Error('no session cookie');
  return cookie;
}

export async function waitFor(
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A REST answer: the status and the parsed JSON body (null when empty). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/**
 * One REST call with a session cookie. A string body is sent as written (for bad-JSON tests),
 * anything else as JSON.
 */
export async function callApi(
  baseUrl: string,
  cookie: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiAnswer> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(cookie ? { cookie } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** The answer is the one ApiError shape, with this status and code. */
export function expectApiError(a: ApiAnswer, status: number, code: string): void {
  expect(a.status).toBe(status);
  const err = (a.body as ApiError).error;
  expect(err.code).toBe(code);
  expect(typeof err.message).toBe('string');
}
