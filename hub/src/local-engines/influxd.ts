/**
 * A real InfluxDB 1.x (/usr/bin/influxd) for tests and benchmarks: temp config and data dirs, loopback ports
 * chosen free, ready when /ping answers 204. stop() ends it (SIGTERM, then SIGKILL); start()
 * again reuses the same data, like a restarted server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineProcess, freeLoopbackPort } from './engine-process.js';

export const INFLUXD = '/usr/bin/influxd';

export class LocalInfluxd {
  private readonly engine = new EngineProcess('influxd');

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    private readonly configFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  static async create(): Promise<LocalInfluxd> {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-influxd-'));
    const [rpcPort, httpPort] = [await freeLoopbackPort(), await freeLoopbackPort()];
    const configFile = join(dir, 'influxdb.conf');
    writeFileSync(
      configFile,
      [
        'reporting-disabled = true',
        `bind-address = "127.0.0.1:${rpcPort}"`,
        '[meta]',
        `  dir = "${join(dir, 'meta')}"`,
        '  logging-enabled = false',
        '[data]',
        `  dir = "${join(dir, 'data')}"`,
        `  wal-dir = "${join(dir, 'wal')}"`,
        '  query-log-enabled = false',
        '  wal-fsync-delay = "0s"',
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
    const influxd = new LocalInfluxd(dir, httpPort, configFile);
    await influxd.start();
    return influxd;
  }

  async start(): Promise<void> {
    await this.engine.start({
      command: INFLUXD,
      args: ['run', '-config', this.configFile],
      ready: () => this.answersPing(),
      readyTimeoutMs: 15_000,
    });
  }

  private async answersPing(): Promise<boolean> {
    try {
      const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(500) });
      return res.status === 204;
    } catch {
      return false; // not up yet
    }
  }

  async stop(): Promise<void> {
    await this.engine.stop(5000);
  }

  /** Runs an InfluxQL query and returns the first series' rows as objects. */
  async query(database: string, q: string): Promise<Record<string, unknown>[]> {
    const res = await fetch(
      `${this.url}/query?db=${encodeURIComponent(database)}&epoch=ms&q=${encodeURIComponent(q)}`,
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
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
