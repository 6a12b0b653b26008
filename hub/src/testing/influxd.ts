/**
 * A real InfluxDB 1.x (/usr/bin/influxd) for tests: temp config and data dirs, loopback ports
 * chosen free, ready when /ping answers 204. stop() ends it (SIGTERM, then SIGKILL); start()
 * again reuses the same data, like a restarted server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INFLUXD = '/usr/bin/influxd';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export class TestInfluxd {
  private child: ChildProcess | undefined;
  private output = '';

  private constructor(
    readonly dir: string,
    readonly httpPort: number,
    private readonly configFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  static async create(): Promise<TestInfluxd> {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-influxd-'));
    const [rpcPort, httpPort] = [await freePort(), await freePort()];
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
    const influxd = new TestInfluxd(dir, httpPort, configFile);
    await influxd.start();
    return influxd;
  }

  async start(): Promise<void> {
    const child = spawn(INFLUXD, ['run', '-config', this.configFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`influxd exited with ${child.exitCode}: ${this.output}`);
      try {
        const res = await fetch(`${this.url}/ping`, { signal: AbortSignal.timeout(500) });
        if (res.status === 204) return;
      } catch {
        // not up yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`influxd did not answer /ping within 15 s: ${this.output}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
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
