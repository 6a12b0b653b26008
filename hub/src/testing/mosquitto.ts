/**
 * A real Mosquitto 2 (Debian's `mosquitto` package) for tests: a temp config on a free loopback
 * port, anonymous access off, the dynamic security plugin loaded with a fresh account store made
 * by `mosquitto_ctrl dynsec init`. The store's admin account is the hub's account (README, "Several
 * hubs"): the plugin's admin role, plus publishing on the gateways' down/ topics.
 * stop() ends it (SIGTERM, then SIGKILL).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';

/** mosquitto_dynamic_security.so under /usr/lib/<multiarch>/ (Debian). */
export function dynsecPluginPath(): string {
  for (const dir of ['/usr/lib', ...readdirSync('/usr/lib').map((d) => join('/usr/lib', d))]) {
    const candidate = join(dir, 'mosquitto_dynamic_security.so');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(
    'mosquitto_dynamic_security.so not found: run scripts/ensure-system-deps.sh (Debian mosquitto)',
  );
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

const running = new Set<TestMosquitto>();
process.once('exit', () => {
  for (const m of running) m.killNow();
});

export class TestMosquitto {
  private child: ChildProcess | undefined;
  private output = '';
  /** The hub's account in the broker (the dynamic-security admin). */
  readonly hubUser = 'anxin-hub';
  readonly hubPassword = 'hub-secret-for-tests';

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {}

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  static async create(): Promise<TestMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-mosquitto-'));
    const m = new TestMosquitto(dir, await freePort());
    const store = join(dir, 'dynamic-security.json');
    execFileSync('mosquitto_ctrl', ['dynsec', 'init', store, m.hubUser, m.hubPassword], {
      stdio: 'pipe',
    });
    // The hub also answers gateways (acks, config, commands) on their down/ topics.
    const json = JSON.parse(readFileSync(store, 'utf8')) as {
      roles: { rolename: string; acls: { acltype: string; topic: string; allow: boolean }[] }[];
    };
    const admin = json.roles.find((r) => r.rolename === 'admin');
    if (!admin) throw new Error('mosquitto_ctrl dynsec init wrote no admin role');
    admin.acls.push({ acltype: 'publishClientSend', topic: 'anxin/v1/gw/+/down/#', allow: true });
    writeFileSync(store, JSON.stringify(json, null, 2));
    writeFileSync(
      join(dir, 'mosquitto.conf'),
      [
        // Started as root, mosquitto would switch to the `mosquitto` user, who cannot read a
        // private temp dir.
        'user root',
        'per_listener_settings false',
        'allow_anonymous false',
        `listener ${m.port} 127.0.0.1`,
        `plugin ${dynsecPluginPath()}`,
        `plugin_opt_config_file ${store}`,
        'persistence false',
        'log_dest stderr',
        'log_type error',
        'log_type warning',
        'log_type notice',
        '',
      ].join('\n'),
    );
    running.add(m);
    await m.start();
    return m;
  }

  async start(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout.on(
      'data',
      (b: Buffer) => (this.output = (this.output + b.toString()).slice(-8000)),
    );
    child.stderr.on(
      'data',
      (b: Buffer) => (this.output = (this.output + b.toString()).slice(-8000)),
    );
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited:\n${this.output}`);
      const open = await new Promise<boolean>((resolve) => {
        const socket = createConnection({ host: '127.0.0.1', port: this.port }, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
      if (open) return;
      if (Date.now() > deadline) throw new Error(`mosquitto did not start:\n${this.output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  get log(): string {
    return this.output;
  }

  killNow(): void {
    this.child?.kill('SIGKILL');
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(timer);
    }
    this.child = undefined;
    running.delete(this);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
