/**
 * A reconnect storm at small scale (issue 12), with a real hub over TCP: gateways that were cut
 * off start together with a backlog, their first attempts spread (reconnect.spreadMs), while SOS
 * alarms are raised on gateways still connecting and on gateways already connected. Every alarm
 * is stored exactly once (0 lost, 0 duplicated) and every backlog drains.
 */
import { afterAll, expect, it } from 'vitest';
import { startHub, type RunningHub } from '../hub/src/testing/harness.js';
import { createGateway, type Gateway } from '../gateway/src/gateway.js';
import { silentLogger, tempDir, testConfig, waitFor } from '../gateway/src/test-support/util.js';

const GATEWAYS = 24;
const BACKLOG = 60;
const SECRET = 'storm-test-secret';
const cleanups: (() => Promise<void> | void)[] = [];

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

function make(id: string, url: string, dataDir: string): Gateway {
  return createGateway(
    testConfig({
      gatewayId: id,
      dataDir,
      hub: { url, password: SECRET, connectTimeoutMs: 10_000 },
      reconnect: { minMs: 100, maxMs: 5_000, spreadMs: 3_000 },
      devices: [
        { id: 'sos1', driver: 'none' },
        { id: 'meter1', driver: 'none' },
      ],
    }),
    { logger: silentLogger() },
  );
}

it('every alarm raised during a storm is stored exactly once', async () => {
  const h: RunningHub = await startHub();
  cleanups.push(() => h.close());
  const ids = Array.from({ length: GATEWAYS }, (_, i) => `gw-storm-${String(i).padStart(2, '0')}`);
  await h.hub.provisionGateways(ids.map((gatewayId) => ({ gatewayId, secret: SECRET })));

  // The outage: each gateway records a backlog while the hub is unreachable (port 9 refuses).
  const dirs = ids.map(() => tempDir());
  cleanups.push(() => dirs.forEach((d) => d.remove()));
  for (const [i, id] of ids.entries()) {
    const offline = make(id, 'mqtt://127.0.0.1:9', dirs[i]!.path);
    await offline.start();
    offline.ingestBatch(
      Array.from({ length: BACKLOG }, (_, k) => ({
        deviceId: 'meter1',
        reading: { type: 'telemetry' as const, fields: { energy_kwh: k } },
      })),
    );
    await offline.stop();
  }

  // The network is back: every gateway starts in the same moment.
  const gateways = ids.map((id, i) => make(id, h.mqttUrl, dirs[i]!.path));
  cleanups.push(async () => {
    for (const g of gateways) await g.stop();
  });
  await Promise.all(gateways.map((g) => g.start()));
  const raised: { gatewayId: string; n: number; connected: boolean }[] = [];
  let n = 0;
  const raise = (g: Gateway) => {
    n += 1;
    raised.push({ gatewayId: g.config.gatewayId, n, connected: g.health().connected });
    g.ingest('sos1', { type: 'alarm', kind: 'sos', action: 'raise', detail: { n } });
  };
  // Alarms on gateways still waiting out their spread or connecting…
  for (const g of gateways.filter((_, i) => i % 3 === 0)) raise(g);
  // …and, once some are connected, on those and on the rest.
  await waitFor(() => gateways.some((g) => g.health().connected), 'a first connection', 30_000);
  for (const g of gateways) raise(g);

  await waitFor(
    () =>
      gateways.every((g) => {
        const health = g.health();
        return health.connected && health.outbox.alarmDepth + health.outbox.telemetryDepth === 0;
      }),
    'every gateway connected and its outbox drained',
    60_000,
  );
  expect(raised.some((a) => !a.connected)).toBe(true);

  const { db } = await h.openDatabase();
  try {
    const rows = await db
      .selectFrom('alarm_triggers')
      .select(['gateway_id', 'detail_json'])
      .where('kind', '=', 'sos')
      .execute();
    const stored = new Map<string, number>();
    for (const row of rows) {
      const detail = JSON.parse(row.detail_json ?? '{}') as { n?: number };
      const key = `${row.gateway_id}#${String(detail.n)}`;
      stored.set(key, (stored.get(key) ?? 0) + 1);
    }
    const lost = raised.filter((a) => !stored.has(`${a.gatewayId}#${a.n}`));
    const duplicated = [...stored.values()].filter((count) => count > 1);
    expect(lost).toEqual([]);
    expect(duplicated).toEqual([]);
    expect(stored.size).toBe(raised.length);
  } finally {
    await db.destroy();
  }
}, 180_000);
