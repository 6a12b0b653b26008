/**
 * A real PostgreSQL (Debian's `postgresql` package) for tests and benchmarks: a temp cluster (initdb), started on
 * a free loopback port with its unix socket inside the temp dir, a fresh database per caller,
 * torn down by stop(). As root the server runs as the `postgres` OS user (PostgreSQL refuses
 * root), through setpriv, which execs — so the child we signal is the postmaster itself.
 * Tests turn durability off (fsync) because their cluster is thrown away; the SQL is the same.
 * Benchmarks keep it on (`durable: true`), so figures include the commit's flush as production's do.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { EngineProcess, freeLoopbackPort } from './engine-process.js';

/** The directory holding initdb and postgres: $ANXIN_PG_BIN, else the newest Debian version. */
export function postgresBinDir(): string {
  const fromEnv = process.env.ANXIN_PG_BIN;
  if (fromEnv) return fromEnv;
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(root, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined)
    throw new Error(
      'PostgreSQL not found under /usr/lib/postgresql/<version>/bin: run scripts/ensure-system-deps.sh (or set ANXIN_PG_BIN)',
    );
  return join(root, newest, 'bin');
}

/** [command, args] running `bin` as the postgres user when we are root. */
function asPostgresUser(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]];
}

const clusters = new Set<LocalPostgres>();
// A test worker that exits without afterAll must leave no cluster files (engine-process.ts kills
// the postmaster itself).
process.once('exit', () => {
  for (const c of clusters) rmSync(c.dir, { recursive: true, force: true });
});

export class LocalPostgres {
  // Fast shutdown is SIGINT for the postmaster.
  private readonly engine = new EngineProcess('postgres', 'SIGINT');
  private databases = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly binDir: string,
    private readonly durable: boolean,
  ) {}

  /** The superuser's URL of a database on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async create(options: { durable?: boolean } = {}): Promise<LocalPostgres> {
    const binDir = postgresBinDir();
    const dir = mkdtempSync(join(tmpdir(), 'anxin-pg-'));
    const data = join(dir, 'data');
    mkdirSync(join(dir, 'sock'));
    if (process.getuid?.() === 0) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
      chownSync(join(dir, 'sock'), uid, gid);
    }
    const [cmd, args] = asPostgresUser(join(binDir, 'initdb'), [
      '-D',
      data,
      '-U',
      'postgres',
      '-A',
      'trust',
      '-E',
      'UTF8',
      // Byte-order collation, as SQLite compares text: both engines list rows in the same order.
      '--locale=C.UTF-8',
      '--no-sync',
    ]);
    try {
      execFileSync(cmd, args, { stdio: 'pipe', timeout: 60_000 });
    } catch (err) {
      rmSync(dir, { recursive: true, force: true });
      const e = err as { stderr?: Buffer; message: string };
      throw new Error(`initdb failed: ${e.stderr?.toString() ?? e.message}`);
    }
    const cluster = new LocalPostgres(
      dir,
      await freeLoopbackPort(),
      binDir,
      options.durable ?? false,
    );
    clusters.add(cluster);
    await cluster.start();
    return cluster;
  }

  async start(): Promise<void> {
    const [cmd, args] = asPostgresUser(join(this.binDir, 'postgres'), [
      '-D',
      join(this.dir, 'data'),
      '-p',
      String(this.port),
      '-k',
      join(this.dir, 'sock'),
      '-c',
      'listen_addresses=127.0.0.1',
      ...(this.durable
        ? []
        : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=16MB',
    ]);
    await this.engine.start({
      command: cmd,
      args,
      ready: () => this.takesQueries(),
      readyTimeoutMs: 30_000,
    });
  }

  private async takesQueries(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false; // not up yet (or "the database system is starting up")
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /** A new, empty database; returns its URL. */
  async createDatabase(prefix = 'anxin_test'): Promise<string> {
    const name = `${prefix}_${process.pid}_${++this.databases}`;
    await this.admin(`create database "${name}"`);
    return this.url(name);
  }

  /** Runs one statement as the superuser on the `postgres` database. */
  async admin(statement: string): Promise<pg.QueryResult> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      return await client.query(statement);
    } finally {
      await client.end();
    }
  }

  /** Fast shutdown (SIGINT), SIGKILL after 5 s; the cluster can be start()ed again. */
  async stop(): Promise<void> {
    await this.engine.stop(5000);
  }

  /** SIGKILL, as a crash would. */
  killNow(): void {
    this.engine.killNow();
  }

  /** Stops the server and removes the cluster's files. */
  async destroy(): Promise<void> {
    await this.stop();
    clusters.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
