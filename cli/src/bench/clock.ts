/**
 * The benchmarks' clock: wall-clock milliseconds with sub-millisecond precision, so stage times
 * taken in different local processes (load processes, hub, console) can be subtracted.
 */
import { performance } from 'node:perf_hooks';

export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}
