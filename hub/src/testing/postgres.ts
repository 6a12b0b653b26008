/**
 * A real PostgreSQL (Debian's `postgresql` package) for tests: a temp cluster (initdb), started on
 * a free loopback port with its unix socket inside the temp dir, a fresh database per caller,
 * torn down by stop(). As root the server runs as the `postgres` OS user (PostgreSQL refuses
 * root), through setpriv, which execs — so the child we signal is the postmaster itself.
 * Durability is off (fsync) because a test cluster is thrown away; the SQL is the same.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

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

/** [command, args] running `bin` as the postgres user when we are root. */
function asPostgresUser(bin: string, args: string[]): [string, string[]] {
  if (process.getuid?.() !== 0) return [bin, args];
  return ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', bin, ...args]];
}

const clusters = new Set<TestPostgres>();
// A test worker that exits without afterAll must leave neither a postmaster nor its files.
process.once('exit', () => {
  for (const c of clusters) {
    c.killNow();
    rmSync(c.dir, { recursive: true, force: true });
  }
});

export class TestPostgres {
  private child: ChildProcess | undefined;
  private output = '';
  private databases = 0;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly binDir: string,
  ) {}

  /** The superuser's URL of a database on this cluster. */
  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  static async create(): Promise<TestPostgres> {
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
    const cluster = new TestPostgres(dir, await freePort(), binDir);
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
      '-c',
      'fsync=off',
      '-c',
      'synchronous_commit=off',
      '-c',
      'full_page_writes=off',
      '-c',
      'max_connections=200',
      '-c',
      'shared_buffers=16MB',
    ]);
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`postgres exited with ${child.exitCode}: ${this.output}`);
      const client = new pg.Client({ connectionString: this.url(), connectionTimeoutMillis: 1000 });
      try {
        await client.connect();
        await client.query('select 1');
        return;
      } catch {
        // not up yet (or still starting: "the database system is starting up")
      } finally {
        await client.end().catch(() => undefined);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`postgres did not accept connections within 30 s: ${this.output}`);
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
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }

  /** SIGKILL, as a crash would (also the exit-time cleanup). */
  killNow(): void {
    if (this.child && this.child.exitCode === null) this.child.kill('SIGKILL');
  }

  /** Stops the server and removes the cluster's files. */
  async destroy(): Promise<void> {
    await this.stop();
    clusters.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
