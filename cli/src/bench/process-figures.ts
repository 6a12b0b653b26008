/**
 * Small figures a load process reports or draws on: its open files, its CPU time, and the gap to
 * its next Poisson-timed alarm.
 */
import { readdirSync } from 'node:fs';

/** Open file descriptors of this process (-1 where /proc is not there to count them). */
export function openFds(): number {
  try {
    return readdirSync('/proc/self/fd').length;
  } catch {
    return -1;
  }
}

/** CPU time (user + system) this process used since `start`, in ms. */
export function cpuMsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 1000);
}

/** The wait until the next event of a Poisson process at `perSecond` events/s, in ms. */
export function expGap(perSecond: number): number {
  return perSecond > 0
    ? (-Math.log(1 - Math.random()) / perSecond) * 1000
    : Number.POSITIVE_INFINITY;
}
