/**
 * Several hubs, the whole way, with real parts (issue 11):
 *
 *   gateways (real gateway code, in this process) ─ MQTT ─ Mosquitto 2 (dynamic security)
 *     ─ $share/anxin/… ─ two `anxin hub` processes ─ PostgreSQL (shared state) ─ Redis (Socket.IO)
 *     ─ a console (socket.io-client) on hub B, a webhook receiver for escalations.
 *
 * Hub A is killed with SIGKILL in the middle of an alarm burst. Every alarm event must end up
 * stored exactly once (no loss, no double), each gateway's alarm pushed to the console on hub B,
 * and escalated exactly once — the work hub A had taken and not acknowledged is resent by the
 * gateways to hub B (go-back-N), and hub B takes over A's escalation timers from the database.
 */
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { pino } from 'pino';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import {
  validateConfig,
  type AlarmDto,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@anxin/protocol';
import { LocalMosquitto } from '../hub/src/local-engines/mosquitto.js';
import { LocalPostgres } from '../hub/src/local-engines/postgres.js';
import { LocalRedis } from '../hub/src/local-engines/redis.js';
import { spawnAnxin, type AnxinProcess } from './support/anxin-process.js';
import { freePort, waitFor } from './support/ports.js';

const GATEWAYS = 6;
const ALARMS_PER_GATEWAY = 20;
const SECRET = 'multi-hub-gateway-secret';
const gatewayIds = Array.from({ length: GATEWAYS }, (_, i) => `mh-gw-${i + 1}`);

describe('two hubs behind Mosquitto, on PostgreSQL and Redis', () => {
  let dir: string;
  let mosquitto: LocalMosquitto;
  let postgres: LocalPostgres;
  let redis: LocalRedis;
  let databaseUrl: string;
  let hubA: AnxinProcess;
  let hubB: AnxinProcess;
  let urlA: string;
  let urlB: string;
  let hooks: Server;
  const escalated: string[] = [];
  const gateways: Gateway[] = [];
  let socket: Socket<ServerToClientEvents, ClientToServerEvents>;
  const pushed = new Map<string, AlarmDto>();

  const hubConfig = async (name: string, hookUrl: string): Promise<string> => {
    const file = join(dir, `${name}.yaml`);
    writeFileSync(
      file,
      JSON.stringify({
        dataDir: join(dir, name),
        http: { host: '127.0.0.1', port: await freePort() },
        mqtt: {
          mode: 'external',
          external: {
            url: mosquitto.url,
            username: mosquitto.hubUser,
            password: mosquitto.hubPassword,
          },
        },
        database: { driver: 'postgres', postgres: { url: databaseUrl } },
        cluster: { instanceId: name, redis: { url: redis.url } },
        // Escalation soon after the burst, and quick to pick up a dead hub's steps.
        escalation: { ackTimeoutS: 4, supervisorTimeoutS: 600, pollIntervalMs: 200, leaseMs: 3000 },
        notify: {
          pollIntervalMs: 200,
          webhooks: [{ url: hookUrl, secret: 'multi-hub-webhook-secret', events: ['alarm.*'] }],
        },
        log: { level: 'warn' },
      }),
    );
    return file;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-multi-hub-'));
    [mosquitto, postgres, redis] = await Promise.all([
      LocalMosquitto.create(),
      LocalPostgres.create(),
      LocalRedis.create(),
    ]);
    databaseUrl = await postgres.createDatabase('anxin_multi_hub');
    hooks = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          event: string;
          data: { alarm?: { id: string } };
        };
        if (body.event === 'alarm.escalated' && body.data.alarm) escalated.push(body.data.alarm.id);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
    const hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hook`;

    hubA = spawnAnxin([
      'hub',
      '--config',
      await hubConfig('hub-a', hookUrl),
      ...gatewayIds.flatMap((id) => ['--provision', `${id}:${SECRET}`]),
    ]);
    const [, password] = await hubA.waitFor(/created user "admin" with password "([^"]+)"/, 60_000);
    const [, aUrl] = await hubA.waitFor(/anxin hub: console (http:\/\/\S+)/, 30_000);
    urlA = aUrl ?? '';
    hubB = spawnAnxin(['hub', '--config', await hubConfig('hub-b', hookUrl)]);
    const [, url] = await hubB.waitFor(/anxin hub: console (http:\/\/\S+)/, 60_000);
    urlB = url ?? '';

    const login = await fetch(`${urlB}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    socket = connectSocket(urlB, { extraHeaders: { cookie }, transports: ['websocket'] });
    for (const event of ['alarm:new', 'alarm:updated'] as const)
      socket.on(event, (alarm) => pushed.set(alarm.id, alarm));
    await waitFor('console connected to hub B', () => (socket.connected ? true : undefined));

    const logger = pino({ level: 'silent' });
    for (const id of gatewayIds) {
      const gateway = createGateway(
        validateConfig(
          GatewayConfigSchema,
          {
            gatewayId: id,
            dataDir: join(dir, id),
            hub: { url: mosquitto.url, password: SECRET },
            heartbeatIntervalS: 5,
            // One alarm batch in flight: order holds across hubs (README, "Several hubs");
            // a short ack timeout so a dead hub's batches come back soon.
            outbox: { alarmWindow: 1, ackTimeoutMs: 1500 },
            reconnect: { minMs: 100, maxMs: 1000 },
            log: { level: 'silent' },
            devices: [{ id: 'sos-button', driver: 'mr60fda1' }],
          },
          `gateway ${id}`,
        ),
        { logger },
      );
      await gateway.start();
      gateways.push(gateway);
    }
    await waitFor(
      'gateways connected',
      () => (gateways.every((g) => g.health().connected) ? true : undefined),
      15_000,
    );
  }, 180_000);

  afterAll(async () => {
    socket?.close();
    for (const g of gateways) await g.stop().catch(() => undefined);
    await hubB?.stop();
    await hubA?.stop('SIGKILL');
    await new Promise<void>((r) => (hooks ? hooks.close(() => r()) : r()));
    await redis?.stop();
    await mosquitto?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores, pushes and escalates every alarm exactly once when a hub is killed mid-burst', async () => {
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      const stored = async () =>
        Number((await db.query('select count(*) as n from alarm_triggers')).rows[0].n);
      // The burst: every gateway raises its alarms in quick succession.
      let offered = 0;
      const burst = (async () => {
        for (let round = 0; round < ALARMS_PER_GATEWAY; round++) {
          for (const g of gateways) {
            g.ingest('sos-button', {
              type: 'alarm',
              kind: 'sos',
              action: 'raise',
              detail: { round },
            });
            offered += 1;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      })();
      // Kill hub A once both hubs have stored part of it (the shared subscription spreads it).
      const storedBy = async (url: string) => {
        const text = await (await fetch(`${url}/metrics`)).text();
        return Number(/^anxin_alarm_triggers_stored_total\{[^}]*\} (\d+)/m.exec(text)?.[1] ?? 0);
      };
      await waitFor(
        'a part of the burst stored, by both hubs',
        async () =>
          (await stored()) >= (GATEWAYS * ALARMS_PER_GATEWAY) / 4 &&
          (await storedBy(urlA)) > 0 &&
          (await storedBy(urlB)) > 0
            ? true
            : undefined,
        20_000,
      );
      hubA.child.kill('SIGKILL');
      await burst;
      expect(offered).toBe(GATEWAYS * ALARMS_PER_GATEWAY);

      // Everything acknowledged: the outboxes drain through hub B.
      await waitFor(
        'gateway outboxes empty',
        () => (gateways.every((g) => g.health().outbox.alarmDepth === 0) ? true : undefined),
        30_000,
      );
      const total = GATEWAYS * ALARMS_PER_GATEWAY;
      const triggers = await db.query(
        'select count(*) as n, count(distinct event_id) as ids, count(distinct gateway_id::text || seq::text) as seqs from alarm_triggers',
      );
      expect(Number(triggers.rows[0].n)).toBe(total);
      expect(Number(triggers.rows[0].ids)).toBe(total);
      expect(Number(triggers.rows[0].seqs)).toBe(total);
      // One open SOS alarm per gateway, holding every trigger of its gateway.
      const alarms = await db.query<{ id: string; gateway_id: string; trigger_count: number }>(
        "select id, gateway_id, trigger_count from alarms where kind = 'sos' order by gateway_id",
      );
      expect(alarms.rows.map((r) => r.gateway_id)).toEqual([...gatewayIds].sort());
      for (const row of alarms.rows) expect(Number(row.trigger_count)).toBe(ALARMS_PER_GATEWAY);

      // Pushed to the console on hub B, whichever hub stored them.
      await waitFor(
        'every alarm pushed to the console on hub B',
        () => (alarms.rows.every((r) => pushed.has(r.id)) ? true : undefined),
        10_000,
      );
      // Escalated once each (ackTimeoutS 4: hub B runs the steps, A's included).
      await waitFor(
        'every alarm escalated',
        () => (alarms.rows.every((r) => escalated.includes(r.id)) ? true : undefined),
        20_000,
      );
      await new Promise((r) => setTimeout(r, 1500)); // time for a second escalation to show
      expect([...escalated].sort()).toEqual(alarms.rows.map((r) => r.id).sort());
      const steps = await db.query(
        "select count(*) as n from escalations where stage = 'supervisors'",
      );
      expect(Number(steps.rows[0].n)).toBe(GATEWAYS);
      // Hub B stayed ready throughout; hub A is gone.
      expect((await fetch(`${urlB}/readyz`)).status).toBe(200);
      expect(hubA.child.signalCode).toBe('SIGKILL');
    } finally {
      await db.end();
    }
  }, 120_000);
});
