/**
 * The benchmarks' hub side behind one function: start the hub(s), and say where each gateway
 * connects and where a console logs in. Without `hubs`: one `anxin hub` process with its embedded
 * broker and SQLite, the single-machine default. With `hubs: N`: N hubs behind Mosquitto on
 * PostgreSQL and Redis (cluster-layout.ts, issue 11). The benchmarks do not change with the layout.
 */
import { join } from 'node:path';
import { startClusterHubs } from './cluster-layout.js';
import { cpuSeconds, spawnHubProcess, type HubProcess } from './hub-process.js';
import type { BenchHubs, BenchHubsOptions } from './hub-layout.js';

export type { BenchHubs, BenchHubsOptions } from './hub-layout.js';

export async function startBenchHubs(options: BenchHubsOptions): Promise<BenchHubs> {
  if (options.hubs !== undefined) return startClusterHubs({ ...options, hubs: options.hubs });
  const traceFile = join(options.dir, 'alarm-trace.tsv');
  const hub: HubProcess = await spawnHubProcess({
    dir: options.dir,
    gatewayIds: options.gatewayIds,
    secret: options.secret,
    env: { ...options.env, ANXIN_ALARM_TRACE: traceFile },
  });
  return {
    describe: '1 hub, embedded broker, SQLite',
    mqttUrlFor: () => hub.mqttUrl,
    console: { httpUrl: hub.httpUrl, cookie: hub.cookie },
    traceFiles: [traceFile],
    pids: [hub.pid],
    telemetryStored: () => hub.telemetryStored(),
    eventLoopLag: async () => [await hub.eventLoopLag()],
    cpuSeconds: () => cpuSeconds(hub.pid),
    peakRssMb: () => Math.round(hub.peakRssBytes() / 1024 / 1024),
    stop: () => hub.stop(),
  };
}
