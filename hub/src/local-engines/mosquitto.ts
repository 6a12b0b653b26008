/**
 * A real Mosquitto 2 (Debian's `mosquitto` package) for tests and benchmarks: a temp config on a free loopback
 * port, anonymous access off, the dynamic security plugin loaded with a fresh account store made
 * by `mosquitto_ctrl dynsec init`. The store's admin account is the hub's account (README, "Several
 * hubs"): the plugin's admin role, plus publishing on the gateways' down/ topics.
 * stop() ends it (SIGTERM, then SIGKILL).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acceptsConnections, EngineProcess, freeLoopbackPort } from './engine-process.js';

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

export class LocalMosquitto {
  private readonly engine = new EngineProcess('mosquitto');
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

  static async create(): Promise<LocalMosquitto> {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-mosquitto-'));
    const m = new LocalMosquitto(dir, await freeLoopbackPort());
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
        // Nagle off, as the embedded broker has it (broker.ts): see config/mosquitto/mosquitto.conf.
        'set_tcp_nodelay true',
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
    await m.start();
    return m;
  }

  async start(): Promise<void> {
    await this.engine.start({
      command: MOSQUITTO,
      args: ['-c', join(this.dir, 'mosquitto.conf')],
      ready: () => acceptsConnections(this.port),
      readyTimeoutMs: 10_000,
    });
  }

  get log(): string {
    return this.engine.log;
  }

  killNow(): void {
    this.engine.killNow();
  }

  async stop(): Promise<void> {
    await this.engine.stop(3000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
