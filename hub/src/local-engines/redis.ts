/**
 * A real Redis (Debian's `redis-server`) for tests and benchmarks: a free loopback port, no
 * persistence, its own temp dir. stop() ends it (SIGTERM, then SIGKILL).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, EngineProcess, freeLoopbackPort } from './engine-process.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export class LocalRedis {
  private readonly engine = new EngineProcess('redis-server');

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<LocalRedis> {
    const r = new LocalRedis(mkdtempSync(join(tmpdir(), 'anxin-redis-')), await freeLoopbackPort());
    await r.engine.start({
      command: REDIS_SERVER,
      // Pub/sub for the Socket.IO adapter only: nothing to keep, so no snapshot and no AOF.
      args: [
        '--port',
        String(r.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        r.dir,
        '--daemonize',
        'no',
      ],
      ready: () => acceptsConnections(r.port),
      readyTimeoutMs: 10_000,
    });
    return r;
  }

  killNow(): void {
    this.engine.killNow();
  }

  async stop(): Promise<void> {
    await this.engine.stop(3000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
