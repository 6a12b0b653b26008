/**
 * The benchmarks run the load at a lower CPU priority than the hub (LOAD_PRIORITY_ENV,
 * `--load-nice`): on the hub's own server no gateway competes with it for the CPU, so on a
 * shared 2-core machine the load should take the CPU only when the hub leaves it.
 *
 * Two kinds, both per thread on Linux:
 * - a niceness (1–19): a lower CFS/EEVDF weight. A waking hub thread still waits for the running
 *   load thread's slice to end before it gets the core (measured, `bench latency` at 1,000 msg/s
 *   with the load at nice 10: the hub's event-loop lag p99 20 ms at 0.4 cores busy);
 * - `idle`, the SCHED_IDLE policy (sched(7)): the thread runs only when no ordinary thread wants
 *   the core, and an ordinary thread that wakes takes it from it at once (the kernel preempts an
 *   idle-policy task on such a wakeup). Measured the same way: hub lag p99 8–10 ms, alarm p99
 *   14–22 ms instead of 40–50 ms.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { setPriority } from 'node:os';
import { LOAD_PRIORITY_ENV, type LoadPriority } from './worker-protocol.js';

/** LOAD_PRIORITY_ENV's value: 'idle', or a niceness 0–19; anything else is refused. */
export function parseLoadPriority(value: string | undefined): LoadPriority {
  if (value === undefined) return 0;
  if (value === 'idle') return 'idle';
  const nice = Number(value);
  if (!/^\d+$/.test(value) || nice > 19)
    throw new Error(`${LOAD_PRIORITY_ENV} must be "idle" or a niceness 0–19, got "${value}"`);
  return nice;
}

/** How a report names it: "SCHED_IDLE" or "nice 10". */
export function describeLoadPriority(priority: LoadPriority): string {
  return priority === 'idle' ? 'SCHED_IDLE' : `nice ${priority}`;
}

/** The threads of this process (Linux); without /proc, the process itself. */
function ownThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number);
  } catch {
    return [process.pid];
  }
}

/**
 * Applies LOAD_PRIORITY_ENV to every thread running now (V8's, libuv's); threads started later
 * inherit it from the thread that starts them. Unset or 0: unchanged. Throws when SCHED_IDLE
 * cannot be set, so a benchmark never reports a priority its load did not run at.
 */
export function applyLoadPriority(env: NodeJS.ProcessEnv = process.env): void {
  const priority = parseLoadPriority(env[LOAD_PRIORITY_ENV]);
  if (priority === 'idle') {
    // Node has no sched_setscheduler(2); util-linux's chrt(1) calls it (Debian: always installed).
    try {
      for (const tid of ownThreads())
        execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'ignore' });
    } catch (err) {
      throw new Error(
        `cannot run the load under SCHED_IDLE (chrt --idle: ${err instanceof Error ? err.message : String(err)}): install util-linux, or pass --load-nice 10`,
      );
    }
    return;
  }
  if (priority === 0) return;
  setPriority(priority);
  for (const tid of ownThreads()) setPriority(tid, priority);
}
