/**
 * A real InfluxDB 1.x server (Debian's `influxd`) for one test file: its own temporary directory,
 * free loopback ports, no usage reporting. Stopped and removed by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitFor } from './ports.js';

export interface InfluxServer {
  url: string;
  /** Runs an InfluxQL query against `db` and returns the first series' rows as objects. */
  query(db: string, q: string): Promise<Record<string, unknown>[]>;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s); the data directory is kept for restart. */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory. */
  restart(): Promise<void>;
  /** Stops it and deletes its data directory. */
  dispose(): Promise<void>;
}

export async function startInfluxd(): Promise<InfluxServer> {
  const dir = mkdtempSync(join(tmpdir(), 'anxin-influxd-'));
  const [httpPort, bindPort] = [await freePort(), await freePort()];
  const configFile = join(dir, 'influxdb.conf');
  writeFileSync(
    configFile,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${bindPort}"`,
      '[meta]',
      `  dir = "${join(dir, 'meta')}"`,
      '[data]',
      `  dir = "${join(dir, 'data')}"`,
      `  wal-dir = "${join(dir, 'wal')}"`,
      '  query-log-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${httpPort}"`,
      '  log-enabled = false',
      '[monitor]',
      '  store-enabled = false',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | undefined;
  let output = '';

  const start = async () => {
    output = '';
    const proc = spawn('influxd', ['-config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    proc.stderr.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
    try {
      await waitFor(
        'influxd /ping',
        async () => {
          if (proc.exitCode !== null) throw new Error(`influxd exited: ${output}`);
          const res = await fetch(`${url}/ping`);
          return res.status === 204 ? true : undefined;
        },
        20_000,
        100,
      );
    } catch (err) {
      proc.kill('SIGKILL');
      throw err;
    }
  };

  const stop = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  await start();
  return {
    url,
    async query(db, q) {
      const res = await fetch(
        `${url}/query?db=${encodeURIComponent(db)}&q=${encodeURIComponent(q)}`,
      );
      const body = (await res.json()) as {
        results?: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[];
      };
      const result = body.results?.[0];
      if (result?.error) throw new Error(result.error);
      const series = result?.series?.[0];
      if (!series) return [];
      return series.values.map((row) =>
        Object.fromEntries(series.columns.map((c, i) => [c, row[i]])),
      );
    },
    stop,
    restart: start,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
