/**
 * The several-hubs layout for `anxin bench latency --hubs N` (issue 11), on this machine's own
 * engines, as README "Several hubs" runs it:
 *
 *   gateways ─ MQTT ─ Mosquitto 2 (dynamic security: each gateway its own account and topics)
 *     ─ $share/anxin/… ─ N `anxin hub` processes (mqtt.mode external)
 *     ─ PostgreSQL (shared SQL state, durable: fsync on) ─ Redis (Socket.IO adapter)
 *
 * The first hub provisions the gateways (their accounts reach Mosquitto through the dynamic
 * security API) and creates the admin; the console logs in to the LAST hub, so with N ≥ 2 every
 * alarm ingested by another hub reaches it through Redis, the path a call centre behind a load
 * balancer takes. Telemetry stays in each hub's embedded store, summed for the figures.
 */
import { join } from 'node:path';
import { LocalMosquitto, LocalPostgres, LocalRedis } from '@anxin/hub/local-engines';
import type { BenchHubs, BenchHubsOptions } from './hub-layout.js';
import { cpuSeconds, spawnHubProcess, type HubProcess } from './hub-process.js';

/** N hubs behind Mosquitto, on PostgreSQL and Redis, all started here and stopped by stop(). */
export async function startClusterHubs(
  options: BenchHubsOptions & { hubs: number },
): Promise<BenchHubs> {
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const [mosquitto, postgres, redis] = await Promise.all([
      LocalMosquitto.create(),
      LocalPostgres.create({ durable: true }),
      LocalRedis.create(),
    ]);
    stops.push(
      () => mosquitto.stop(),
      () => postgres.destroy(),
      () => redis.stop(),
    );
    const databaseUrl = await postgres.createDatabase('anxin_bench');
    options.log(
      `engines up: Mosquitto ${mosquitto.url}, PostgreSQL (fsync on), Redis ${redis.url}`,
    );
    const hubs: HubProcess[] = [];
    let adminPassword: string | undefined;
    for (let i = 0; i < options.hubs; i += 1) {
      const name = `hub-${i + 1}`;
      const spawnedAt = Date.now();
      const hub = await spawnHubProcess({
        dir: join(options.dir, name),
        // Only the first hub provisions: the accounts live in PostgreSQL and Mosquitto.
        gatewayIds: i === 0 ? options.gatewayIds : [],
        secret: options.secret,
        env: { ...options.env, ANXIN_ALARM_TRACE: join(options.dir, name, 'alarm-trace.tsv') },
        ...(adminPassword === undefined ? {} : { adminPassword }),
        config: {
          mqtt: {
            mode: 'external',
            external: {
              url: mosquitto.url,
              username: mosquitto.hubUser,
              password: mosquitto.hubPassword,
            },
          },
          database: { driver: 'postgres', postgres: { url: databaseUrl } },
          cluster: { instanceId: name, redis: { url: redis.url } },
        },
      });
      stops.push(() => hub.stop());
      hubs.push(hub);
      adminPassword = hub.adminPassword;
      options.log(
        `${name} up at ${hub.httpUrl} (pid ${hub.pid}) in ${((Date.now() - spawnedAt) / 1000).toFixed(1)} s` +
          (i === 0 ? `, ${options.gatewayIds.length} gateways provisioned` : ''),
      );
    }
    const consoleHub = hubs[hubs.length - 1];
    if (!consoleHub) throw new Error('--hubs must be at least 1');
    return {
      describe: `${hubs.length} hub${hubs.length === 1 ? '' : 's'}, Mosquitto, PostgreSQL, Redis`,
      mqttUrlFor: () => mosquitto.url,
      console: { httpUrl: consoleHub.httpUrl, cookie: consoleHub.cookie },
      traceFiles: hubs.map((_, i) => join(options.dir, `hub-${i + 1}`, 'alarm-trace.tsv')),
      pids: hubs.map((h) => h.pid),
      async telemetryStored() {
        const counts = await Promise.all(hubs.map((h) => h.telemetryStored()));
        return counts.reduce((sum, n) => sum + n, 0);
      },
      eventLoopLag: () => Promise.all(hubs.map((h) => h.eventLoopLag())),
      cpuSeconds: () => hubs.reduce((sum, h) => sum + cpuSeconds(h.pid), 0),
      peakRssMb: () => Math.round(hubs.reduce((sum, h) => sum + h.peakRssBytes(), 0) / 1024 / 1024),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
