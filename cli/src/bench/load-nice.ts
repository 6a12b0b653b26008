/**
 * The benchmarks run the load at a lower CPU priority than the hub (LOAD_NICE_ENV, `--load-nice`):
 * on the hub's own server no gateway competes with it for the CPU, so on a shared 2-core machine
 * the load should take the CPU only when the hub leaves it.
 */
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { LOAD_NICE_ENV } from './worker-protocol.js';

/**
 * Sets this process's niceness from LOAD_NICE_ENV (unset or 0: unchanged). Linux niceness is per
 * thread: it is set on every thread running now (V8's, libuv's); threads started later inherit it.
 */
export function niceFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const nice = Number(env[LOAD_NICE_ENV] ?? 0);
  if (!Number.isInteger(nice) || nice <= 0) return;
  setPriority(nice);
  try {
    for (const tid of readdirSync('/proc/self/task')) setPriority(Number(tid), nice);
  } catch {
    // No /proc (not Linux): the process-wide call above is all there is.
  }
}
