/**
 * Both ends of the bench's IPC: every request the benchmark sends and every reply a load process
 * builds pass the other end's check, malformed ones do not, and a real load process answers a
 * request it cannot read with an error naming it instead of leaving the benchmark to time out.
 */
import { fork } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { WORKER_MAIN } from './worker-client.js';
import {
  isWorkerReply,
  isWorkerRequest,
  type WorkerReply,
  type WorkerRequest,
} from './worker-protocol.js';

const base = { hubUrl: 'mqtt://127.0.0.1:1883', password: 'pw', dataRoot: '/tmp/gw' };

describe('bench IPC messages', () => {
  it('accepts each request the benchmark builds and rejects malformed ones', () => {
    const built: WorkerRequest[] = [
      { rid: 1, op: 'start', gateways: ['gw-1'], base, warmUp: true },
      {
        rid: 2,
        op: 'prefill',
        gateways: ['gw-1'],
        base: { ...base, outbox: { batchSize: 500 }, reconnect: { spreadMs: 100 } },
        events: 252,
        spanMs: 3_600_000,
      },
      { rid: 3, op: 'alarms', items: [{ gatewayId: 'gw-1', n: 1 }] },
      { rid: 4, op: 'alarm-times' },
      { rid: 5, op: 'telemetry', items: [{ gatewayId: 'gw-1', from: 0, count: 3 }] },
      { rid: 6, op: 'offer', rate: 10_000, durationS: 30, alarmRate: 5, periodMs: 1000 },
      { rid: 7, op: 'progress' },
      { rid: 8, op: 'clock', offsetMs: -3.5 },
      { rid: 9, op: 'health' },
      { rid: 10, op: 'stop' },
    ];
    for (const r of built) expect(isWorkerRequest(r), r.op).toBe(true);
    for (const bad of [
      null,
      { op: 'health' },
      { rid: 1, op: 'reboot' },
      { rid: 1, op: 'start', gateways: 'gw-1', base },
      { rid: 1, op: 'start', gateways: ['gw-1'], base: { hubUrl: 'mqtt://x' } },
      { rid: 1, op: 'offer', rate: '10000', durationS: 30, alarmRate: 5 },
    ])
      expect(isWorkerRequest(bad), JSON.stringify(bad)).toBe(false);
  });

  it('accepts each reply a load process builds and rejects malformed ones', () => {
    const built: WorkerReply[] = [
      { rid: 0, ok: true, ready: true },
      { rid: 1, ok: false, error: 'worker exited (1)' },
      {
        rid: 2,
        ok: true,
        alarms: [{ gatewayId: 'gw-1', n: 1, seq: 9, observedAt: 1, connected: true, readAt: 1.5 }],
        telemetryOffered: 300_000,
        loopDelayMs: { p50: 0.4, p99: 12, max: 40 },
        telemetryLanes: { held: 0, awaitingAck: 3, resends: 0 },
        cpuMs: 2_100,
      },
    ];
    for (const r of built) expect(isWorkerReply(r)).toBe(true);
    for (const bad of [
      undefined,
      { ok: true },
      { rid: 1, ok: 'true' },
      { rid: 1, ok: true, alarms: [{ gatewayId: 'gw-1', n: 1 }] },
      { rid: 1, ok: true, loopDelayMs: { p99: '12', max: 40 } },
    ])
      expect(isWorkerReply(bad), JSON.stringify(bad)).toBe(false);
  });

  it('a real load process answers an unreadable request with an error for that request', async () => {
    const child = fork(WORKER_MAIN, [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [],
    });
    try {
      const replies: unknown[] = [];
      const ready = new Promise<void>((resolve) =>
        child.on('message', (m) => {
          replies.push(m);
          if (replies.length === 1) resolve();
        }),
      );
      await ready;
      const answered = new Promise<unknown>((resolve) => child.once('message', resolve));
      child.send({ rid: 41, op: 'reboot' });
      expect(await answered).toEqual({
        rid: 41,
        ok: false,
        error: 'gateway worker: unreadable request',
      });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
