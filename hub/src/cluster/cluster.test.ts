/**
 * Two hubs on one database with a real Redis (issue 11): a console on hub B hears an alarm that
 * hub A ingested; failed logins count across hubs; a job lease is held by one hub at a time; the
 * database refuses a second open gateway_offline alarm; metrics carry the hub's name.
 * (The same hubs as separate processes on PostgreSQL and Mosquitto: test/multi-hub.test.ts.)
 */
import { join } from 'node:path';
import { io as ioClient, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmDto, ClientToServerEvents, ServerToClientEvents } from '@anxin/protocol';
import { AlarmStore } from '../store/alarms.js';
import { openDatabase } from '../store/db.js';
import { alarmEvent, login, startHub, TestGateway, type RunningHub } from '../testing/harness.js';
import { LocalRedis } from '../local-engines/redis.js';
import { pino } from 'pino';
import { Leases } from './leases.js';

let redis: LocalRedis;
let a: RunningHub;
let b: RunningHub;
let dbFile = '';

beforeAll(async () => {
  redis = await LocalRedis.create();
  a = await startHub({
    cluster: { instanceId: 'hub-a', redis: { url: redis.url } },
    auth: { loginRateLimit: { maxFailures: 3, windowSeconds: 60 } },
  });
  dbFile = join(a.dir, 'anxin.db');
  b = await startHub({
    database: { file: dbFile },
    cluster: { instanceId: 'hub-b', redis: { url: redis.url } },
    auth: { loginRateLimit: { maxFailures: 3, windowSeconds: 60 } },
  });
  await a.hub.provisionGateway({ gatewayId: 'gw-cluster-1', secret: 'secret-cluster-1' });
  await a.hub.createUser({ username: 'op-c', password: 'operator-pass-c', role: 'operator' });
}, 30_000);

afterAll(async () => {
  await b?.close();
  await a?.close();
  await redis?.stop();
});

describe('several hubs', () => {
  it('pushes an alarm ingested by hub A to a console on hub B', async () => {
    const cookie = await login(b.httpUrl, 'op-c', 'operator-pass-c');
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = ioClient(b.httpUrl, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
    });
    const gw = await TestGateway.connect(a.mqttUrl, 'gw-cluster-1', 'secret-cluster-1');
    try {
      const pushed = new Promise<AlarmDto>((resolve) =>
        socket.on('alarm:new', (alarm) => alarm.gatewayId === 'gw-cluster-1' && resolve(alarm)),
      );
      if (!socket.connected)
        await new Promise<void>((resolve, reject) => {
          socket.on('connect', () => resolve());
          socket.on('connect_error', reject);
        });
      await gw.sendAlarms([alarmEvent(1, { kind: 'sos' })]);
      await gw.waitForAck((ack) => ack.acked.includes(1));
      const alarm = await Promise.race([
        pushed,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no alarm:new on hub B within 5 s')), 5000),
        ),
      ]);
      expect(alarm.kind).toBe('sos');
      expect(a.hub.stats().alarmTriggersStored).toBe(1);
      expect(b.hub.stats().alarmTriggersStored).toBe(0);
      // Hub B's health names its Redis link.
      const health = (await (await fetch(`${b.httpUrl}/healthz`)).json()) as {
        checks: Record<string, { ok: boolean }>;
      };
      expect(health.checks.redis?.ok).toBe(true);
    } finally {
      socket.close();
      await gw.close();
    }
  });

  it('counts failed logins across hubs', async () => {
    const attempt = (url: string, password: string) =>
      fetch(`${url}/api/v1/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'op-c', password }),
      });
    expect((await attempt(a.httpUrl, 'wrong-1')).status).toBe(401);
    expect((await attempt(b.httpUrl, 'wrong-2')).status).toBe(401);
    expect((await attempt(a.httpUrl, 'wrong-3')).status).toBe(401);
    // The fourth try, on the other hub, even with the right password: refused.
    const limited = await attempt(b.httpUrl, 'operator-pass-c');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('gives a job lease to one hub at a time, and to the other once it expires', async () => {
    const { db } = await openDatabase(dbFile, pino({ level: 'silent' }));
    try {
      const leaseA = new Leases(db, 'hub-a');
      const leaseB = new Leases(db, 'hub-b');
      const t = 1_000_000;
      const [gotA, gotB] = await Promise.all([
        leaseA.acquire('test-job', 10_000, t),
        leaseB.acquire('test-job', 10_000, t),
      ]);
      expect([gotA, gotB].filter(Boolean)).toHaveLength(1);
      const holder = gotA ? leaseA : leaseB;
      const other = gotA ? leaseB : leaseA;
      expect(await holder.acquire('test-job', 10_000, t + 5000)).toBe(true); // renewed
      expect(await other.acquire('test-job', 10_000, t + 9000)).toBe(false);
      expect(await other.acquire('test-job', 10_000, t + 16_000)).toBe(true); // expired
      await other.release('test-job');
      expect(await holder.acquire('test-job', 10_000, t + 17_000)).toBe(true);
    } finally {
      await db.destroy();
    }
  });

  it('holds at most one unresolved gateway_offline alarm per gateway', async () => {
    const { db } = await openDatabase(dbFile, pino({ level: 'silent' }));
    try {
      await db
        .updateTable('gateways')
        .set({ last_seen_at: 1000 })
        .where('id', '=', 'gw-cluster-1')
        .execute();
      const [first, second] = await Promise.all([
        new AlarmStore(db).raiseGatewayOffline(5000, 10_000),
        new AlarmStore(db).raiseGatewayOffline(5000, 10_000),
      ]);
      expect(first.length + second.length).toBe(1);
      // Even a writer that skips the check is refused by the database.
      const row = await db
        .selectFrom('alarms')
        .selectAll()
        .where('kind', '=', 'gateway_offline')
        .executeTakeFirstOrThrow();
      await expect(
        db
          .insertInto('alarms')
          .values({ ...row, id: 'another-offline-alarm' })
          .execute(),
      ).rejects.toThrow(/UNIQUE|unique/);
    } finally {
      await db.destroy();
    }
  });

  it('labels every metric sample with the hub instance', async () => {
    const text = await (await fetch(`${b.httpUrl}/metrics`)).text();
    const samples = text.split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(samples.length).toBeGreaterThan(10);
    for (const line of samples) expect(line).toMatch(/^[a-z_]+\{instance="hub-b"[,}]/);
  });
});
