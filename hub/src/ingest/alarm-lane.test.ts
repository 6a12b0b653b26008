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
import { AlarmLane, type AlarmLaneDeps } from './alarm-lane.js';
import type { AlarmTraceEntry } from './alarm-trace.js';

let dir: string | undefined;
let store: OpenedDatabase | undefined;
afterEach(async () => {
  await store?.db.destroy();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function requireStore(): OpenedDatabase {
  if (!store) throw new Error('no store opened');
  return store;
}

/** Keeps the lane's deps where a test builds a second lane over them. */
const depsOf = new WeakMap<AlarmLane, AlarmLaneDeps>();
function laneDeps(lane: AlarmLane): AlarmLaneDeps {
  const deps = depsOf.get(lane);
  if (!deps) throw new Error('lane not built by laneOnSqlite');
  return deps;
}

/** A lane over a real SQLite store holding gateway 'gw-1' (seedGatewayHome). */
async function laneOnSqlite(
  deps: Pick<AlarmLaneDeps, 'ack' | 'onAlarmChanges'> & Partial<AlarmLaneDeps>,
): Promise<AlarmLane> {
  dir = mkdtempSync(join(tmpdir(), 'anxin-alarm-lane-'));
  store = await openDatabase(join(dir, 'anxin.db'), pino({ level: 'silent' }));
  await seedGatewayHome(store.db);
  const all: AlarmLaneDeps = {
    maxEvents: 100,
    overloadRetryAfterMs: 1000,
    storeRetryMinMs: 1000,
    alarms: new AlarmStore(store.db),
    metrics: createHubMetrics(),
    log: pino({ level: 'silent' }),
    trace: undefined,
    ...deps,
  };
  const lane = new AlarmLane(all);
  depsOf.set(lane, all);
  return lane;
}

/** Runs only microtasks (no timer, I/O or setImmediate callback can run meanwhile). */
async function microtasksUntil(done: () => boolean, bound = 100_000): Promise<number> {
  let turns = 0;
  while (!done() && turns < bound) {
    await Promise.resolve();
    turns += 1;
  }
  return turns;
}

describe('alarm lane, start', () => {
  it('commits and pushes an alarm on an idle lane without waiting for an I/O phase', async () => {
    const acks: number[][] = [];
    const pushed: string[] = [];
    const lane = await laneOnSqlite({
      ack: (_gatewayId, _lane, acked) => acks.push(acked),
      onAlarmChanges: (created, updated) =>
        pushed.push(...[...created, ...updated].map((a) => a.kind)),
    });
    // SQLite's driver is synchronous, so the whole transaction runs in microtasks: if the lane
    // waited for setImmediate (the end of the I/O phase that read the alarm), nothing would
    // happen here. The ack waits for the WAL fsync on the thread pool, so it comes later.
    // Twice: the second alarm finds the lane idle again, not still winding down.
    for (const seq of [1, 2]) {
      lane.accept('gw-1', [alarmEvent(seq, { kind: 'sos' })], []);
      await microtasksUntil(() => pushed.length === seq);
      expect(pushed).toHaveLength(seq);
      await lane.whenIdle();
      expect(acks[seq - 1]).toEqual([seq]);
      expect(lane.idle).toBe(true);
    }
  });
});

describe('alarm lane, while the disk syncs', () => {
  /** The real store, whose commits' fsyncs are held until `open()`, or fail. */
  async function gatedLane(disk: () => Promise<void>, acks: string[], pushed: string[]) {
    const lane = await laneOnSqlite({
      ack: (_gatewayId, _lane, acked, _rejected, deferred) =>
        acks.push(`acked ${acked.join(',')} deferred ${deferred.join(',')}`),
      onAlarmChanges: (created) => pushed.push(...created.map((a) => a.kind)),
    });
    const real = new AlarmStore(requireStore().db);
    return {
      lane: new AlarmLane({
        ...laneDeps(lane),
        alarms: {
          commitBatches: async (batches) => {
            const committed = await real.commitBatches(batches);
            return { ...committed, durable: disk().then(() => committed.durable) };
          },
        },
      }),
    };
  }

  it('pushes at once, acks only after the fsync, and commits the next alarm meanwhile', async () => {
    let open = () => {};
    const disk = new Promise<void>((resolve) => (open = resolve));
    const acks: string[] = [];
    const pushed: string[] = [];
    const { lane } = await gatedLane(() => disk, acks, pushed);
    lane.accept('gw-1', [alarmEvent(1, { kind: 'sos' })], []);
    await microtasksUntil(() => pushed.length === 1);
    lane.accept('gw-1', [alarmEvent(2, { kind: 'fall' })], []);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(pushed).toEqual(['sos', 'fall']);
    expect(acks).toEqual([]);
    expect(lane.idle).toBe(false);
    open();
    await lane.whenIdle();
    expect(acks).toEqual(['acked 1 deferred ', 'acked 2 deferred ']);
  });

  it('defers the alarms when the fsync fails: pushed, stored, never acked', async () => {
    const acks: string[] = [];
    const pushed: string[] = [];
    const { lane } = await gatedLane(() => Promise.reject(new Error('EIO')), acks, pushed);
    lane.accept('gw-1', [alarmEvent(1, { kind: 'sos' })], []);
    await lane.whenIdle();
    expect(pushed).toEqual(['sos']);
    expect(acks).toEqual(['acked  deferred 1']);
  });
});

describe('alarm lane, after the commit', () => {
  it('acks a committed batch even when the push listener throws', async () => {
    const acked: number[][] = [];
    const deferred: number[][] = [];
    const lane = await laneOnSqlite({
      ack: (_gatewayId, _lane, ok, _rejected, later) => {
        acked.push(ok);
        deferred.push(later);
      },
      onAlarmChanges: () => {
        throw new Error('console push failed');
      },
    });
    lane.accept('gw-1', [alarmEvent(1, { kind: 'sos' })], []);
    await lane.whenIdle();
    expect(acked).toEqual([[1]]);
    expect(deferred).toEqual([[]]);
  });

  it('pushes to consoles, then acks the gateway; the trace times the push at its emit', async () => {
    const order: string[] = [];
    const traced: AlarmTraceEntry[] = [];
    const EMITTED_AT = 1_700_000_000_123.5;
    const lane = await laneOnSqlite({
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
