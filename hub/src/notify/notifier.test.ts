/**
 * Webhook delivery to a real local HTTP receiver (node:http on a free loopback port): the
 * signature verifies over the raw body, a 500 is retried with growing back-off, deliveries
 * survive a restart (persisted outbox), attempts are bounded and so is the queue.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openTestDatabase } from '../testing/test-database.js';
import type { Database } from '../store/schema.js';
import { waitFor } from '../testing/harness.js';
import { engineDb } from '../engine/tables.js';
import { NotifyConfigSchema, type NotifyConfig } from './config.js';
import { backoffMs, Notifier } from './notifier.js';
import { verifySignature } from './signature.js';
import { Value } from '@sinclair/typebox/value';

const log = pino({ level: 'silent' });
const SECRET = 'receiver-shared-secret-1';

interface Received {
  at: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A receiver answering each request with the next status of `statuses` (then 200). */
async function receiver(statuses: number[] = []): Promise<{
  url: string;
  got: Received[];
  server: Server;
  close(): Promise<void>;
}> {
  const got: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({
        at: Date.now(),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    server,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let dir: string;
let db: Kysely<Database>;
const toClose: (() => Promise<void>)[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-notify-'));
  db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
});

afterEach(async () => {
  for (const c of toClose.splice(0).reverse()) await c();
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function config(
  webhooks: NotifyConfig['webhooks'],
  extra: Partial<NotifyConfig> = {},
): NotifyConfig {
  return {
    ...(Value.Default(NotifyConfigSchema, {}) as NotifyConfig),
    retryMinMs: 100,
    retryMaxMs: 2000,
    pollIntervalMs: 50,
    timeoutMs: 2000,
    ...extra,
    webhooks,
  };
}

function notifier(cfg: NotifyConfig, database = db): Notifier {
  const n = new Notifier({ db: database, config: cfg, log });
  n.start();
  toClose.push(() => n.close());
  return n;
}

describe('backoffMs', () => {
  it('doubles from the minimum up to the maximum, with half of it jittered', () => {
    expect(backoffMs(1, 100, 10_000, () => 0)).toBe(50);
    expect(backoffMs(1, 100, 10_000, () => 1)).toBe(100);
    expect(backoffMs(3, 100, 10_000, () => 1)).toBe(400);
    expect(backoffMs(20, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffMs(20, 100, 10_000, () => 0)).toBe(5000);
  });
});

describe('Notifier', () => {
  it('delivers each event once when two hubs poll one outbox (claimed rows)', async () => {
    const r = await receiver();
    toClose.push(() => r.close());
    const cfg = config([{ url: r.url, secret: SECRET, events: ['*'] }], { concurrency: 4 });
    // Queued before either polls (one process cannot hold two SQLite writers the way two hub
    // processes do: a blocked writer would stall the thread the other needs to commit).
    const queuing = new Notifier({ db, config: cfg, log });
    await queuing.close();
    await engineDb(db)
      .insertInto('notification_outbox')
      .values(
        Array.from({ length: 20 }, (_, i) => ({
          webhook_url: r.url,
          event: 'alarm.escalated',
          body_json: JSON.stringify({ id: `delivery-${i}`, event: 'alarm.escalated', data: {} }),
          status: 'pending',
          attempts: 0,
          next_attempt_at: Date.now(),
          created_at: Date.now(),
          delivered_at: null,
          last_error: null,
        })),
      )
      .execute();
    const second = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
    toClose.push(() => second.destroy());
    const hubA = notifier(cfg);
    const hubB = notifier(cfg, second);
    await waitFor(() => r.got.length >= 20, 10_000, '20 deliveries');
    // Give a double delivery the time to show up.
    await new Promise((res) => setTimeout(res, 300));
    const ids = r.got.map((g) => g.headers['x-anxin-delivery']);
    expect(ids).toHaveLength(20);
    expect(new Set(ids).size).toBe(20);
    expect(hubA.stats().delivered + hubB.stats().delivered).toBe(20);
  });

  it('delivers signed JSON that the receiver can verify; only subscribed hooks get an event', async () => {
    const r = await receiver();
    toClose.push(() => r.close());
    const other = await receiver();
    toClose.push(() => other.close());
    const n = notifier(
      config([
        { url: r.url, secret: SECRET, events: ['alarm.escalated'] },
        { url: other.url, secret: 'another-secret-12345', events: ['escalation.*'] },
      ]),
    );
    expect(await n.enqueue('alarm.escalated', { alarmId: 'a-1', kind: 'fall' })).toBe(1);
    await waitFor(() => r.got.length === 1, 5000, 'delivery');
    const req = r.got[0];
    if (!req) throw new Error('no request');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-anxin-event']).toBe('alarm.escalated');
    expect(
      verifySignature(
        SECRET,
        {
          timestamp: req.headers['x-anxin-timestamp'] as string,
          signature: req.headers['x-anxin-signature'] as string,
        },
        req.body,
        Date.now(),
      ),
    ).toBe(true);
    // a tampered body or a wrong secret does not verify
    const headers = {
      timestamp: req.headers['x-anxin-timestamp'] as string,
      signature: req.headers['x-anxin-signature'] as string,
    };
    expect(verifySignature(SECRET, headers, req.body.replace('fall', 'sos'), Date.now())).toBe(
      false,
    );
    expect(verifySignature('wrong-secret-123456', headers, req.body, Date.now())).toBe(false);
    // a replay much later does not verify either
    expect(verifySignature(SECRET, headers, req.body, Date.now() + 600_000)).toBe(false);
    const body = JSON.parse(req.body) as { id: string; event: string; data: unknown };
    expect(body.event).toBe('alarm.escalated');
    expect(body.data).toEqual({ alarmId: 'a-1', kind: 'fall' });
    expect(req.headers['x-anxin-delivery']).toBe(body.id);
    await waitFor(() => n.stats().delivered === 1, 2000, 'delivered counted');
    expect(other.got).toHaveLength(0);
  });

  it('retries after the receiver answers 500, with growing back-off, then delivers', async () => {
    const r = await receiver([500, 500, 503]);
    toClose.push(() => r.close());
    const n = notifier(config([{ url: r.url, secret: SECRET, events: ['*'] }]));
    await n.enqueue('escalation.contact', { n: 1 });
    await waitFor(() => r.got.length === 4, 8000, 'four attempts');
    const gaps = r.got.slice(1).map((g, i) => g.at - (r.got[i]?.at ?? 0));
    // back-off n: between base/2 and base, base = 100, 200, 400 ms
    expect(gaps[0]).toBeGreaterThanOrEqual(45);
    expect(gaps[1]).toBeGreaterThanOrEqual(95);
    expect(gaps[2]).toBeGreaterThanOrEqual(195);
    expect(gaps[2]).toBeGreaterThan(gaps[0] ?? 0);
    // same delivery id on every attempt (receivers de-duplicate by it)
    expect(new Set(r.got.map((g) => g.headers['x-anxin-delivery'])).size).toBe(1);
    await waitFor(() => n.stats().delivered === 1, 2000, 'delivered');
    expect(n.stats().retried).toBe(3);
  });

  it('keeps undelivered notifications across a restart', async () => {
    const r = await receiver([500, 500, 500, 500, 500, 500]);
    toClose.push(() => r.close());
    const cfg = config([{ url: r.url, secret: SECRET, events: ['*'] }], {
      retryMinMs: 60_000,
      retryMaxMs: 60_000,
    });
    const first = new Notifier({ db, config: cfg, log });
    first.start();
    await first.enqueue('alarm.escalated', { restart: true });
    await waitFor(() => r.got.length === 1, 5000, 'first attempt');
    await first.close();
    await db.destroy();
    // "restart": a new database handle and notifier on the same file; the retry is due now
    db = (await openTestDatabase(join(dir, 'hub.db'), log)).db;
    await db
      .withTables<{ notification_outbox: { next_attempt_at: number } }>()
      .updateTable('notification_outbox')
      .set({ next_attempt_at: Date.now() })
      .execute();
    r.got.length = 0;
    const statuses = [200];
    r.server.removeAllListeners('request');
    r.server.on('request', (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        r.got.push({ at: Date.now(), headers: req.headers, body });
        res.statusCode = statuses.shift() ?? 200;
        res.end();
      });
    });
    const second = notifier(cfg);
    await waitFor(() => second.stats().delivered === 1, 5000, 'delivered after restart');
    expect(JSON.parse(r.got[0]?.body ?? '{}')).toMatchObject({ data: { restart: true } });
  });

  it('gives up after maxAttempts and counts the failure', async () => {
    const dead = await receiver([500, 500, 500, 500]);
    toClose.push(() => dead.close());
    const n = notifier(
      config([{ url: dead.url, secret: SECRET, events: ['*'] }], { maxAttempts: 2 }),
    );
    await n.enqueue('alarm.escalated', {});
    await waitFor(() => n.stats().failed === 1, 5000, 'failed');
    expect(dead.got).toHaveLength(2);
  });

  it('bounds the queue: the oldest waiting deliveries are dropped and counted', async () => {
    const cfg = config([{ url: 'http://127.0.0.1:9/never', secret: SECRET, events: ['*'] }], {
      queueMax: 2,
      retryMinMs: 60_000,
      retryMaxMs: 60_000,
    });
    const n = new Notifier({ db, config: cfg, log }); // not started: nothing is sent
    toClose.push(() => n.close());
    for (let i = 0; i < 5; i++) await n.enqueue('alarm.escalated', { i });
    expect(n.stats().dropped).toBe(3);
    const rows = await db
      .withTables<{ notification_outbox: { status: string; body_json: string; id: number } }>()
      .selectFrom('notification_outbox')
      .select(['status', 'body_json'])
      .orderBy('id')
      .execute();
    expect(rows.map((x) => x.status)).toEqual([
      'dropped',
      'dropped',
      'dropped',
      'pending',
      'pending',
    ]);
  });
});
