/**
 * The load processes' CPU priority (`--load-nice`, load-priority.ts): a worker forked with
 * LOAD_PRIORITY_ENV really runs at that niceness or under SCHED_IDLE, on every thread, and one
 * forked without it at its parent's, as the fault suite needs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { forkGatewayWorker, type GatewayWorker } from './worker-client.js';
import { LOAD_PRIORITY_ENV } from './worker-protocol.js';

const started: GatewayWorker[] = [];

afterEach(async () => {
  await Promise.all(started.splice(0).map((w) => w.stop()));
});

/** A thread's scheduling policy: field 41 of /proc/PID/task/TID/stat (proc(5)); 0 SCHED_OTHER, 5 SCHED_IDLE. */
function policyOf(pid: number, tid: string): number {
  const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: field 3 onwards.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[41 - 3]);
}

const SCHED_OTHER = 0;
const SCHED_IDLE = 5;

describe('load process priority', () => {
  it('runs at the niceness it is given, and at its parent’s without one', async () => {
    const niced = await forkGatewayWorker({ [LOAD_PRIORITY_ENV]: '7' });
    started.push(niced);
    const plain = await forkGatewayWorker();
    started.push(plain);
    expect(getPriority(niced.pid)).toBe(7);
    // Every thread (Linux niceness is per thread), not only the main one.
    const threads = readdirSync(`/proc/${niced.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) {
      expect(getPriority(Number(tid)), `thread ${tid}`).toBe(7);
      expect(policyOf(niced.pid, tid), `thread ${tid}`).toBe(SCHED_OTHER);
    }
    expect(getPriority(plain.pid)).toBe(getPriority(process.pid));
    for (const tid of readdirSync(`/proc/${plain.pid}/task`))
      expect(policyOf(plain.pid, tid), `thread ${tid}`).toBe(SCHED_OTHER);
    // Still a working load process: it answers requests.
    expect((await niced.request({ op: 'health' })).ok).toBe(true);
  });

  it('runs every thread under SCHED_IDLE when told "idle", and still works', async () => {
    const idle = await forkGatewayWorker({ [LOAD_PRIORITY_ENV]: 'idle' });
    started.push(idle);
    const threads = readdirSync(`/proc/${idle.pid}/task`);
    expect(threads.length).toBeGreaterThan(1);
    for (const tid of threads) expect(policyOf(idle.pid, tid), `thread ${tid}`).toBe(SCHED_IDLE);
    expect(policyOf(process.pid, String(process.pid))).toBe(SCHED_OTHER);
    expect((await idle.request({ op: 'health' })).ok).toBe(true);
  });

  it('refuses to start with a priority it cannot apply', async () => {
    await expect(forkGatewayWorker({ [LOAD_PRIORITY_ENV]: 'lowest' })).rejects.toThrow();
  });
});
