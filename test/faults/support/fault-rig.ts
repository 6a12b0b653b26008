/**
 * What every fault scenario needs: a real `anxin hub` process on fixed loopback ports (so it can
 * be SIGKILLed and restarted on the same ports and data), gateway-worker processes hosting real
 * gateways (cli/src/bench/gateway-worker.ts), shortened timings through configuration only, and
 * read-only views of what the hub made durable (its SQLite alarm triggers, its embedded
 * telemetry store). Everything started is stopped by `dispose()`, even after a failed test.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { forkGatewayWorker, type GatewayWorker } from '../../../cli/src/bench/worker-client.js';
import type { GatewayBase, OfferedAlarm } from '../../../cli/src/bench/worker-protocol.js';
import { spawnAnxin, type AnxinProcess } from '../../support/anxin-process.js';
import { freePort, waitFor } from '../../support/ports.js';

export const SECRET = 'fault-suite-gateway-secret';

/** Timings shortened through configuration (no code path changes): seconds, not minutes. */
export const FAST_GATEWAY: Omit<GatewayBase, 'hubUrl' | 'password' | 'dataRoot'> = {
  heartbeatIntervalS: 1,
  hub: { connectTimeoutMs: 1000, keepaliveS: 5 },
  outbox: { ackTimeoutMs: 1000, batchSize: 50 },
  reconnect: { minMs: 100, maxMs: 800 },
};

export interface StoredAlarm {
  gatewayId: string;
  seq: number;
  eventId: string;
  n: number;
  observedAt: number;
  rowId: number;
}

export class FaultRig {
  readonly dir = mkdtempSync(join(tmpdir(), 'anxin-faults-'));
  hub: AnxinProcess | undefined;
  private readonly workers = new Set<GatewayWorker>();
  private cleanups: (() => Promise<void>)[] = [];
  httpPort = 0;
  mqttPort = 0;

  constructor(
    readonly gatewayIds: readonly string[],
    private readonly extraHubConfig: string[] = [],
  ) {}

  get hubDir(): string {
    return join(this.dir, 'hub');
  }

  get mqttUrl(): string {
    return `mqtt://127.0.0.1:${this.mqttPort}`;
  }

  async startHub(): Promise<AnxinProcess> {
    if (!this.httpPort) [this.httpPort, this.mqttPort] = [await freePort(), await freePort()];
    const config = join(this.dir, 'hub.yaml');
    writeFileSync(
      config,
      [
        `dataDir: ${this.hubDir}`,
        `http: { host: 127.0.0.1, port: ${this.httpPort}, webRoot: ${join(this.dir, 'no-web')} }`,
        `mqtt: { host: 127.0.0.1, port: ${this.mqttPort} }`,
        'log: { level: warn }',
        ...this.extraHubConfig,
      ].join('\n'),
    );
    const provision = join(this.dir, 'provision.txt');
    writeFileSync(provision, this.gatewayIds.map((id) => `${id}:${SECRET}`).join('\n'));
    const hub = spawnAnxin(['hub', '--config', config, '--provision-file', provision]);
    this.hub = hub;
    await hub.waitFor(/anxin hub: console/, 30_000);
    return hub;
  }

  /** SIGKILL: no graceful shutdown, no flush, no last acks. */
  async killHub(): Promise<void> {
    await this.hub?.stop('SIGKILL');
    this.hub = undefined;
  }

  base(hubUrl = this.mqttUrl, overrides: Partial<GatewayBase> = {}): GatewayBase {
    return {
      ...FAST_GATEWAY,
      hubUrl,
      password: SECRET,
      dataRoot: join(this.dir, 'gateways'),
      ...overrides,
    };
  }

  async startWorker(base: GatewayBase, ids = this.gatewayIds): Promise<GatewayWorker> {
    const worker = await forkGatewayWorker();
    this.workers.add(worker);
    await worker.request({ op: 'start', gateways: [...ids], base });
    return worker;
  }

  async killWorker(worker: GatewayWorker): Promise<void> {
    await worker.kill('SIGKILL');
    this.workers.delete(worker);
  }

  onDispose(cleanup: () => Promise<void>): void {
    this.cleanups.push(cleanup);
  }

  async dispose(): Promise<void> {
    for (const worker of this.workers) await worker.kill('SIGKILL').catch(() => undefined);
    this.workers.clear();
    await this.hub?.stop('SIGKILL').catch(() => undefined);
    for (const cleanup of this.cleanups.reverse()) await cleanup().catch(() => undefined);
    this.cleanups = [];
    rmSync(this.dir, { recursive: true, force: true });
  }

  // ---- what the hub holds (read-only) --------------------------------------------------------

  private read<T>(file: string, query: (db: Database.Database) => T): T {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.pragma('busy_timeout = 2000');
      return query(db);
    } finally {
      db.close();
    }
  }

  /** Every alarm trigger the hub stored, in the order it stored them. */
  storedAlarms(): StoredAlarm[] {
    return this.read(join(this.hubDir, 'anxin.db'), (db) =>
      db
        .prepare<
          [],
          {
            id: number;
            gateway_id: string;
            seq: number;
            event_id: string;
            observed_at: number;
            detail_json: string | null;
          }
        >(
          'SELECT id, gateway_id, seq, event_id, observed_at, detail_json FROM alarm_triggers ORDER BY id',
        )
        .all()
        .map((row) => ({
          gatewayId: row.gateway_id,
          seq: row.seq,
          eventId: row.event_id,
          observedAt: row.observed_at,
          rowId: row.id,
          n: Number((JSON.parse(row.detail_json ?? '{}') as { n?: unknown }).n),
        })),
    );
  }

  /** Telemetry values (field energy_kwh) per gateway in the hub's embedded store. */
  storedTelemetry(): Map<string, number[]> {
    const rows = this.read(join(this.hubDir, 'telemetry.db'), (db) =>
      db
        .prepare<[], { gateway: string; fields: string }>(
          'SELECT gateway, fields FROM telemetry ORDER BY gateway, time',
        )
        .all(),
    );
    return groupValues(rows.map((r) => ({ gateway: r.gateway, fields: JSON.parse(r.fields) })));
  }

  /** The last heartbeat the hub recorded for a gateway. */
  lastHeartbeat(gatewayId: string): { outbox?: { droppedTelemetry?: number } } | undefined {
    const json = this.read(
      join(this.hubDir, 'anxin.db'),
      (db) =>
        db
          .prepare<[string], { h: string | null }>(
            'SELECT health_json AS h FROM gateways WHERE id = ?',
          )
          .get(gatewayId)?.h,
    );
    return json ? (JSON.parse(json) as { outbox?: { droppedTelemetry?: number } }) : undefined;
  }
}

export function groupValues(
  rows: readonly { gateway: string; fields: Record<string, unknown> }[],
): Map<string, number[]> {
  const byGateway = new Map<string, number[]>();
  for (const { gateway, fields } of rows) {
    const value = fields.energy_kwh;
    if (typeof value !== 'number') continue;
    const list = byGateway.get(gateway) ?? [];
    list.push(value);
    byGateway.set(gateway, list);
  }
  return byGateway;
}

/**
 * The exactly-once check for alarms: every alarm the gateways confirmed durable is stored, none
 * twice (by event id and by its identifying n), nothing that was never sent, and per gateway
 * the stored order is the gateway's seq order, which is the order the alarms were raised.
 * `maybe` lists alarms whose confirmation was lost (their worker was SIGKILLed mid-request):
 * durable or not, they may appear at most once.
 */
export function checkAlarmsExactlyOnce(
  stored: readonly StoredAlarm[],
  confirmed: readonly OfferedAlarm[],
  maybe: readonly { gatewayId: string; n: number }[] = [],
): string[] {
  const problems: string[] = [];
  const key = (g: string, n: number) => `${g}#${n}`;
  const seen = new Map<string, number>();
  const eventIds = new Set<string>();
  for (const a of stored) {
    seen.set(key(a.gatewayId, a.n), (seen.get(key(a.gatewayId, a.n)) ?? 0) + 1);
    if (eventIds.has(a.eventId)) problems.push(`event ${a.eventId} stored twice`);
    eventIds.add(a.eventId);
  }
  const allowed = new Set([...confirmed, ...maybe].map((a) => key(a.gatewayId, a.n)));
  for (const a of confirmed)
    if (!seen.has(key(a.gatewayId, a.n))) problems.push(`lost: ${key(a.gatewayId, a.n)}`);
  for (const [k, count] of seen) {
    if (count > 1) problems.push(`duplicate x${count}: ${k}`);
    if (!allowed.has(k)) problems.push(`never sent: ${k}`);
  }
  const byGateway = new Map<string, StoredAlarm[]>();
  for (const a of stored) byGateway.set(a.gatewayId, [...(byGateway.get(a.gatewayId) ?? []), a]);
  for (const [gatewayId, list] of byGateway) {
    for (let i = 1; i < list.length; i += 1) {
      const [prev, cur] = [list[i - 1], list[i]];
      if (prev && cur && !(cur.seq > prev.seq && cur.n > prev.n))
        problems.push(
          `${gatewayId}: order broken at stored #${i}: seq ${prev.seq}→${cur.seq}, n ${prev.n}→${cur.n}`,
        );
    }
  }
  return problems;
}

export async function waitDrained(
  workers: readonly GatewayWorker[],
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  await waitFor(
    `${what}: every outbox empty`,
    async () => {
      const replies = await Promise.all(workers.map((w) => w.request({ op: 'health' })));
      return replies.every((r) => r.alarmDepth === 0 && r.telemetryDepth === 0) ? true : undefined;
    },
    timeoutMs,
    200,
  );
}

export { waitFor };
