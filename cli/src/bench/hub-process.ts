/**
 * A hub in its own process for benchmarks: `anxin hub` with a temporary config and data directory,
 * gateways provisioned on the command line, an admin session, and its peak memory read from
 * /proc (VmHWM, the resident-set high-water mark).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { histogramScrape, type HistogramScrape } from './prom-histogram.js';

const MAIN = fileURLToPath(new URL('../main.js', import.meta.url));

export interface HubProcess {
  pid: number;
  httpUrl: string;
  mqttUrl: string;
  /** Session cookie of the admin user, for REST and Socket.IO. */
  cookie: string;
  adminPassword: string;
  /** Telemetry points the hub reports as stored (from /metrics). */
  telemetryStored(): Promise<number>;
  /** The hub's event-loop lag histogram (anxin_event_loop_lag_seconds) now. */
  eventLoopLag(): Promise<HistogramScrape>;
  peakRssBytes(): number;
  stop(): Promise<void>;
  /**
   * Stops this hub and starts it again as after an outage: the same command line, data
   * directory, ports and certificate; a new admin session. The hub's /metrics counters start
   * from zero in the new process.
   */
  restart(): Promise<HubProcess>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Reads one Prometheus sample value, summing the label sets that contain every `label="value"`
 * pair given (all label sets when none is given).
 */
export function metricValue(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (match?.[1] !== name) continue;
    const set = match[2] ?? '';
    if (wanted.every((pair) => set.includes(pair))) total += Number(match[3]);
  }
  return total;
}

/**
 * The upper bound of the histogram bucket holding quantile q (Prometheus `le` buckets, seconds
 * → ms): an upper estimate, as exact as the bucket layout allows. Null without observations.
 */
export function histogramQuantileMs(text: string, name: string, q: number): number | null {
  const buckets: { le: number; count: number }[] = [];
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\}\\s+(\\S+)`).exec(line);
    if (match)
      buckets.push({
        le: match[1] === '+Inf' ? Infinity : Number(match[1]),
        count: Number(match[2]),
      });
  }
  buckets.sort((a, b) => a.le - b.le);
  const total = buckets[buckets.length - 1]?.count ?? 0;
  if (total === 0) return null;
  const bucket = buckets.find((b) => b.count >= q * total);
  return bucket ? bucket.le * 1000 : null;
}

/** User + system CPU seconds of a process so far (/proc/PID/stat, fields 14 and 15). */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Node flags for one of the benchmark's processes, from an environment variable (space-separated). */
export function nodeArgsFromEnv(name: string): string[] {
  return (process.env[name] ?? '').split(/\s+/).filter(Boolean);
}

export const TELEMETRY_STORED_METRIC = 'anxin_telemetry_points_written_total';
/** The hub's event-loop lag histogram (hub/src/event-loop-lag.ts). */
export const EVENT_LOOP_LAG_METRIC = 'anxin_event_loop_lag_seconds';

export interface HubProcessOptions {
  dir: string;
  gatewayIds: readonly string[];
  secret: string;
  /** Hub config sections replacing the defaults (the embedded broker on a free port). */
  config?: Record<string, unknown>;
  /**
   * The embedded broker serves MQTT over TLS with this PEM certificate and key (`mqtt.tls`), and
   * `mqttUrl` is mqtts://. Ignored by a `config` that replaces the mqtt section.
   */
  mqttTls?: { certFile: string; keyFile: string };
  /** For a hub joining a database another hub set up: that hub's admin password. */
  adminPassword?: string;
  /** Environment added to the hub's (e.g. ANXIN_ALARM_TRACE). */
  env?: NodeJS.ProcessEnv;
  /** The ports to listen on (a restart keeps its hub's); default: two free ones. */
  ports?: { http: number; mqtt: number };
}

export async function spawnHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const { http: httpPort, mqtt: mqttPort } = options.ports ?? {
    http: await freePort(),
    mqtt: await freePort(),
  };
  mkdirSync(options.dir, { recursive: true });
  const configFile = join(options.dir, 'hub.yaml');
  // JSON is YAML: the config is written as one object so a layout can replace whole sections.
  writeFileSync(
    configFile,
    JSON.stringify({
      dataDir: join(options.dir, 'hub'),
      http: { host: '127.0.0.1', port: httpPort },
      mqtt: {
        host: '127.0.0.1',
        port: mqttPort,
        ...(options.mqttTls ? { tls: options.mqttTls } : {}),
      },
      log: { level: 'error' },
      ...options.config,
    }),
  );
  const provisionFile = join(options.dir, 'provision.txt');
  writeFileSync(
    provisionFile,
    options.gatewayIds.map((id) => `${id}:${options.secret}`).join('\n'),
  );
  // ANXIN_BENCH_HUB_NODE_ARGS adds Node flags to the hub alone, e.g. "--cpu-prof
  // --cpu-prof-dir=/tmp/prof" to see where its time goes during a benchmark (NODE_OPTIONS
  // refuses --cpu-prof, and would profile the load processes too).
  const nodeArgs = nodeArgsFromEnv('ANXIN_BENCH_HUB_NODE_ARGS');
  const child = spawn(
    process.execPath,
    [
      ...nodeArgs,
      MAIN,
      'hub',
      '--config',
      configFile,
      ...(options.gatewayIds.length > 0 ? ['--provision-file', provisionFile] : []),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
    },
  );
  // If the benchmark is interrupted (Ctrl+C, SIGTERM, an uncaught error), the hub goes with it.
  const killHub = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  };
  const onSignal = (signal: NodeJS.Signals) => {
    killHub();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', killHub);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const pid = child.pid ?? 0;
  let peak = 0;
  const samplePeak = () => {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
      peak = Math.max(peak, kb * 1024);
    } catch {
      // the process has gone; keep the last sample
    }
  };
  const sampler = setInterval(samplePeak, 500);

  // A hub provisions its gateways before it listens; behind Mosquitto each is a dynamic-security
  // account (two request/answer round trips, and the plugin rewrites its file on each change), so
  // the wait grows with the gateway count.
  const waitMs = 60_000 + options.gatewayIds.length * 150;
  const deadline = Date.now() + waitMs;
  while (!/console http/.test(output)) {
    if (child.exitCode !== null)
      throw new Error(`anxin hub exited (${child.exitCode}):\n${output}`);
    if (Date.now() > deadline)
      throw new Error(`anxin hub did not start within ${Math.round(waitMs / 1000)} s:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const password = options.adminPassword ?? /password "([^"]+)"/.exec(output)?.[1] ?? '';
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const login = await fetch(`${httpUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: 'admin', password }),
  });
  if (!login.ok)
    throw new Error(
      `cannot log in to the benchmark hub: HTTP ${login.status} ${await login.text()}`,
    );
  const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';

  const hub: HubProcess = {
    pid,
    httpUrl,
    mqttUrl: `${options.mqttTls ? 'mqtts' : 'mqtt'}://127.0.0.1:${mqttPort}`,
    cookie,
    adminPassword: password,
    async telemetryStored() {
      const res = await fetch(`${httpUrl}/metrics`);
      return metricValue(await res.text(), TELEMETRY_STORED_METRIC);
    },
    async eventLoopLag() {
      const res = await fetch(`${httpUrl}/metrics`);
      return histogramScrape(await res.text(), EVENT_LOOP_LAG_METRIC);
    },
    peakRssBytes() {
      samplePeak();
      return peak;
    },
    async stop() {
      samplePeak();
      clearInterval(sampler);
      process.off('exit', killHub);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
    async restart() {
      await hub.stop();
      // The same command line, --provision-file included (the same credentials again), as a
      // service restarts. (Tickets would resume under other arguments too: the broker fixes its
      // TLS session id context, hub/src/broker/tls-tickets.ts.)
      return spawnHubProcess({
        ...options,
        ports: { http: httpPort, mqtt: mqttPort },
        adminPassword: password,
      });
    },
  };
  return hub;
}
