/**
 * After the alarm transaction commits, the console push leaves before the gateway's ack (an
 * operator waits for the push; the ack only frees the gateway's outbox), and the alarm trace's
 * pushedAt is the push's own emit, not the end of every listener (issue 12).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createHubMetrics } from '../metrics.js';
import { openDatabase, type OpenedDatabase } from '../store/db.js';
import { AlarmStore } from '../store/alarms.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { alarmEvent } from '../testing/harness.js';
import { AlarmLane } from './alarm-lane.js';
import type { AlarmTraceEntry } from './alarm-trace.js';

let dir: string | undefined;
let store: OpenedDatabase | undefined;
afterEach(async () => {
  await store?.db.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('alarm lane, after the commit', () => {
  it('pushes to consoles, then acks the gateway; the trace times the push at its emit', async () => {
    dir = mkdtempSync(join(tmpdir(), 'anxin-alarm-lane-'));
    store = await openDatabase(join(dir, 'anxin.db'), pino({ level: 'silent' }));
    await seedGatewayHome(store.db);
    const order: string[] = [];
    const traced: AlarmTraceEntry[] = [];
    const EMITTED_AT = 1_700_000_000_123.5;
    const lane = new AlarmLane({
      maxEvents: 100,
      overloadRetryAfterMs: 1000,
      storeRetryMinMs: 1000,
      alarms: new AlarmStore(store.db),
      metrics: createHubMetrics(),
      log: pino({ level: 'silent' }),
      ack: (gatewayId, lane, acked) => order.push(`ack ${gatewayId} ${lane} ${acked.join(',')}`),
      onAlarmChanges: (created) => {
        order.push(`push ${created.map((a) => a.kind).join(',')}`);
        // A listener after the console's (escalation, operations) takes its time: not in pushedAt.
        const until = Date.now() + 5;
        while (Date.now() < until);
      },
      trace: { record: (entries) => traced.push(...entries), close: () => undefined },
      pushesSent: () => Promise.resolve(EMITTED_AT),
    });
    lane.accept('gw-1', [alarmEvent(1, { kind: 'sos' })], []);
    await lane.whenIdle();
    expect(order).toEqual(['push sos', 'ack gw-1 alarm 1']);
    await new Promise((r) => setImmediate(r));
    expect(traced).toHaveLength(1);
    expect(traced[0]).toMatchObject({ gatewayId: 'gw-1', seq: 1, pushedAt: EMITTED_AT });
    expect(traced[0]?.committedAt).toBeGreaterThanOrEqual(traced[0]?.sqlStartedAt ?? Infinity);
  });
});
