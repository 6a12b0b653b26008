/**
 * A CPU profile of one window of a benchmark process (e.g. a load process while it offers load),
 * when ANXIN_BENCH_PROFILE_DIR names a directory: `node --cpu-prof` profiles the whole life,
 * where starting and stopping 2,000 gateways hides the steady state. Read the .cpuprofile with
 * Chrome DevTools or `node cli/dist/bench/profile-summary.js FILE`. Beside it, a sampling heap
 * profile of the same window (.heapprofile, collected objects included: what the process
 * allocates, not what it keeps), which profile-summary.js reads too.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

export const PROFILE_DIR_ENV = 'ANXIN_BENCH_PROFILE_DIR';

export async function profileWindow(name: string): Promise<{ stop(): Promise<void> }> {
  const dir = process.env[PROFILE_DIR_ENV];
  if (!dir) return { stop: () => Promise.resolve() };
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  await session.post('HeapProfiler.enable');
  await session.post('HeapProfiler.startSampling', {
    samplingInterval: 32_768,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
      const { profile: allocations } = await session.post('HeapProfiler.stopSampling');
      writeFileSync(join(dir, `${name}.heapprofile`), JSON.stringify(allocations));
      session.disconnect();
    },
  };
}
