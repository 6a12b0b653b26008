/**
 * A hub on PostgreSQL while its database goes away and comes back (a restart, a failover): the
 * hub stays up (/livez), says it cannot take traffic (/readyz 503 naming the database), defers the
 * alarms it cannot store instead of acking them, and carries on by itself once the server is back
 * — the deferred alarm, sent again, is stored once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alarmEvent,
  login,
  startHub,
  TestGateway,
  waitFor,
  type RunningHub,
} from '../testing/harness.js';
import { LocalPostgres } from '../local-engines/postgres.js';

const GW = 'gw-pg-outage';
const SECRET = 'secret-of-gw-pg-outage';

let pg: LocalPostgres;
let h: RunningHub;
let gw: TestGateway;

beforeAll(async () => {
  pg = await LocalPostgres.create();
  h = await startHub({
    database: {
      driver: 'postgres',
      postgres: { url: await pg.createDatabase(), connectTimeoutMs: 1000 },
    },
  });
  await h.hub.provisionGateway({ gatewayId: GW, secret: SECRET, homeId: 'home-1' });
  await h.hub.createUser({ username: 'op-outage', password: 'operator-pass-1', role: 'operator' });
  gw = await TestGateway.connect(h.mqttUrl, GW, SECRET);
}, 90_000);

afterAll(async () => {
  await gw?.close();
  await h?.close();
  await pg?.destroy();
});

const status = async (path: string) => (await fetch(`${h.httpUrl}${path}`)).status;

describe('PostgreSQL outage under a running hub', () => {
  it('defers alarms while the database is down and recovers without a restart', async () => {
    await gw.sendAlarms([alarmEvent(1, { kind: 'fall' })]);
    await gw.waitForAck((a) => a.acked.includes(1));
    expect(await status('/readyz')).toBe(200);

    await pg.stop();
    await waitFor(async () => (await status('/readyz')) === 503, 10_000, 'readyz 503');
    const ready = (await (await fetch(`${h.httpUrl}/readyz`)).json()) as {
      checks: Record<string, { ok: boolean }>;
    };
    expect(ready.checks.database?.ok).toBe(false);
    expect(await status('/livez')).toBe(200);

    const second = alarmEvent(2, { kind: 'smoke' });
    await gw.sendAlarms([second]);
    const deferred = await gw.waitForAck((a) => a.deferred.includes(2));
    expect(deferred.acked).not.toContain(2);

    await pg.start();
    await waitFor(async () => (await status('/readyz')) === 200, 15_000, 'readyz 200 again');
    await gw.sendAlarms([second]); // as the gateway's outbox would after retryAfterMs
    await gw.waitForAck((a) => a.acked.includes(2));

    const cookie = await login(h.httpUrl, 'op-outage', 'operator-pass-1');
    const list = (await (
      await fetch(`${h.httpUrl}/api/v1/alarms`, { headers: { cookie } })
    ).json()) as { alarms: { kind: string; triggerCount: number }[] };
    expect(list.alarms.map((a) => `${a.kind}/${a.triggerCount}`).sort()).toEqual([
      'fall/1',
      'smoke/1',
    ]);
  });
});
