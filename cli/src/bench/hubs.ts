/**
 * The benchmarks' hub side behind one function: start the hub(s), and say where each gateway
 * connects and where a console logs in. Without `hubs`: one `anxin hub` process with its embedded
 * broker and SQLite, the single-machine default, optionally serving MQTT over TLS. With `hubs: N`:
 * N hubs behind Mosquitto on PostgreSQL and Redis (cluster-layout.ts, issue 11). The benchmarks do
 * not change with the layout.
 */
import { join } from 'node:path';
import { writeBenchCertificates } from './bench-tls.js';
import { startClusterHubs } from './cluster-layout.js';
import { cpuSeconds, spawnHubProcess, type HubProcess } from './hub-process.js';
import type { BenchHubs, BenchHubsOptions } from './hub-layout.js';

export type { BenchHubs, BenchHubsOptions } from './hub-layout.js';

export async function startBenchHubs(options: BenchHubsOptions): Promise<BenchHubs> {
  if (options.hubs !== undefined) {
    // TLS there would be Mosquitto's listener and its own configuration, not the hub's broker
    // being measured: refused rather than measured half over TLS (the CLI says so first).
    if (options.tls)
      throw new Error('MQTT over TLS is benchmarked on the single hub only, not with --hubs');
    return startClusterHubs({ ...options, hubs: options.hubs });
  }
  const traceFile = join(options.dir, 'alarm-trace.tsv');
  // One certificate per run, in the run's temp dir (removed with it).
  const tls = options.tls ? await writeBenchCertificates(join(options.dir, 'tls')) : undefined;
  const hub: HubProcess = await spawnHubProcess({
    dir: options.dir,
    gatewayIds: options.gatewayIds,
    secret: options.secret,
    env: { ...options.env, ANXIN_ALARM_TRACE: traceFile },
    ...(tls ? { mqttTls: { certFile: tls.certFile, keyFile: tls.keyFile } } : {}),
  });
  return singleHub(hub, traceFile, tls?.caFile);
}

/** The single hub as BenchHubs; its restart keeps the data directory, ports and certificate. */
function singleHub(hub: HubProcess, traceFile: string, caFile: string | undefined): BenchHubs {
  return {
    describe: `1 hub, embedded broker, SQLite${caFile ? ', MQTT over TLS' : ''}`,
    mqttUrlFor: () => hub.mqttUrl,
    ...(caFile ? { caFile } : {}),
    console: { httpUrl: hub.httpUrl, cookie: hub.cookie },
    traceFiles: [traceFile],
    pids: [hub.pid],
    telemetryStored: () => hub.telemetryStored(),
    eventLoopLag: async () => [await hub.eventLoopLag()],
    cpuSeconds: () => cpuSeconds(hub.pid),
    peakRssMb: () => Math.round(hub.peakRssBytes() / 1024 / 1024),
    stop: () => hub.stop(),
    restart: async () => singleHub(await hub.restart(), traceFile, caFile),
  };
}
