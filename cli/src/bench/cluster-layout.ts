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
import { spawnHubProcess, type HubProcess } from './hub-process.js';

/** Where the load connects its gateways and its console, and what the hubs report. */
export interface HubLayout {
  /** What ran, for the report ("1 hub, embedded broker and SQLite", "2 hubs, …"). */
  describe: string;
  /** The MQTT broker the gateways connect to. */
  mqttUrl: string;
  /** The hub the console is attached to, and its admin session. */
  httpUrl: string;
  cookie: string;
  /** Telemetry points stored, summed over the hubs. */
  telemetryStored(): Promise<number>;
  /** Peak resident memory, summed over the hub processes. */
  peakRssBytes(): number;
  stop(): Promise<void>;
}

export interface LayoutOptions {
  dir: string;
  gatewayIds: readonly string[];
  secret: string;
  log: (line: string) => void;
}

/** Today's single-machine default: one hub with its embedded broker and SQLite. */
export async function startEmbeddedHub(options: LayoutOptions): Promise<HubLayout> {
  const hub = await spawnHubProcess(options);
  return {
    describe: '1 hub, embedded broker, SQLite',
    mqttUrl: hub.mqttUrl,
    httpUrl: hub.httpUrl,
    cookie: hub.cookie,
    telemetryStored: () => hub.telemetryStored(),
    peakRssBytes: () => hub.peakRssBytes(),
    stop: () => hub.stop(),
  };
}

/** N hubs behind Mosquitto, on PostgreSQL and Redis, all started here and stopped by stop(). */
export async function startClusterLayout(
  options: LayoutOptions & { hubs: number },
): Promise<HubLayout> {
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
      const hub = await spawnHubProcess({
        dir: join(options.dir, name),
        // Only the first hub provisions: the accounts live in PostgreSQL and Mosquitto.
        gatewayIds: i === 0 ? options.gatewayIds : [],
        secret: options.secret,
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
      options.log(`${name} up at ${hub.httpUrl} (pid ${hub.pid})`);
    }
    const consoleHub = hubs[hubs.length - 1];
    if (!consoleHub) throw new Error('--hubs must be at least 1');
    return {
      describe: `${hubs.length} hub${hubs.length === 1 ? '' : 's'}, Mosquitto, PostgreSQL, Redis`,
      mqttUrl: mosquitto.url,
      httpUrl: consoleHub.httpUrl,
      cookie: consoleHub.cookie,
      async telemetryStored() {
        const counts = await Promise.all(hubs.map((h) => h.telemetryStored()));
        return counts.reduce((sum, n) => sum + n, 0);
      },
      peakRssBytes: () => hubs.reduce((sum, h) => sum + h.peakRssBytes(), 0),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
