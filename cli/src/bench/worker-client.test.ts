/**
 * The load processes' CPU niceness (`--load-nice`): a worker forked with LOAD_NICE_ENV really runs
 * at that priority, and one forked without it at its parent's, as the fault suite needs.
 */
import { readdirSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { forkGatewayWorker, type GatewayWorker } from './worker-client.js';
import { LOAD_NICE_ENV } from './worker-protocol.js';

const started: GatewayWorker[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop()));
});

describe('load process niceness', () => {
  it('runs at the niceness it is given, and at its parent’s without one', async () => {
    const niced = await forkGatewayWorker({ [LOAD_NICE_ENV]: '7' });
    started.push(niced);
    const plain = await forkGatewayWorker();
    started.push(plain);
    expect(getPriority(niced.pid)).toBe(7);
    // Every thread (Linux niceness is per thread), not only the main one.
    const threads = readdirSync(`/proc/${niced.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) expect(getPriority(Number(tid)), `thread ${tid}`).toBe(7);
    expect(getPriority(plain.pid)).toBe(getPriority(process.pid));
    // Still a working load process: it answers requests.
    expect((await niced.request({ op: 'health' })).ok).toBe(true);
  });
});
