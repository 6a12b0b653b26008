/**
 * The alarm engine: runs the rules (rules.ts) over each home's telemetry once ingest has made it
 * durable, and over time passing (a tick), and stores what fires as alarms (derived-alarms.ts).
 *
 * Rule state is kept in memory per gateway and written to `engine_state` after every change
 * (one transaction per batch of work), and loaded at start, so a restart keeps quiet windows,
 * bed exits in progress and what already fired. Telemetry arrives through a bounded queue and is
 * handled by one worker, in order, per hub.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlarmDto, TelemetryEvent } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { relaxedDurability, type RelaxedWrite } from '../store/relaxed-durability.js';
import type { CareLookup } from './care-lookup.js';
import type { EngineConfig } from './config.js';
import type { DerivedAlarms } from './derived-alarms.js';
import {
  emptyState,
  onTelemetry,
  onTick,
  type Finding,
  type HomeRuleState,
  type Recovery,
} from './rules.js';
import {
  mergeSettings,
  RuleSettingsOverrideSchema,
  type RuleSettings,
  type RuleSettingsOverride,
} from './settings.js';
import { engineDb, type EngineDatabase } from './tables.js';
import { Value } from '@sinclair/typebox/value';

export interface EngineStats {
  batchesProcessed: number;
  batchesSkipped: number;
  findings: number;
  ticks: number;
  queueDepth: number;
}

/** Gateways' rule state rows per statement (3 parameters each, far below SQLite's limit). */
const STATE_FLUSH_CHUNK = 200;

export interface EngineDeps {
  db: Kysely<Database>;
  care: CareLookup;
  derived: DerivedAlarms;
  config: EngineConfig;
  log: Logger;
  onChanges: (created: AlarmDto[], updated: AlarmDto[]) => void;
  clock?: () => number;
  /** Resolves when no alarm is waiting or being written (ingest's alarm lane). */
  alarmsIdle?: () => Promise<void>;
}

export class AlarmEngine {
  private readonly db: Kysely<EngineDatabase>;
  /** Rule state skips its own fsync (store/relaxed-durability.ts; flush says why that is safe). */
  private readonly relaxed: RelaxedWrite;
  private readonly states = new Map<string, HomeRuleState>();
  private readonly dirty = new Set<string>();
  private readonly settingsCache = new Map<string, RuleSettings>();
  private readonly homeOf = new Map<string, { homeId: string | null; at: number }>();
  private queue: { gatewayId: string; events: TelemetryEvent[] }[] = [];
  private working: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private lastFlushAt = 0;
  private closed = false;
  private readonly now: () => number;
  readonly counters: Omit<EngineStats, 'queueDepth'> = {
    batchesProcessed: 0,
    batchesSkipped: 0,
    findings: 0,
    ticks: 0,
  };

  constructor(private readonly deps: EngineDeps) {
    this.db = engineDb(deps.db);
    this.relaxed = relaxedDurability(deps.db);
    this.now = deps.clock ?? Date.now;
  }

  stats(): EngineStats {
    return { ...this.counters, queueDepth: this.queue.length };
  }

  /** Loads persisted rule state and starts the tick. */
  async start(): Promise<void> {
    this.startedAt = this.now();
    const rows = await this.db.selectFrom('engine_state').selectAll().execute();
    for (const row of rows) {
      try {
        const state = JSON.parse(row.state_json) as HomeRuleState;
        if (state.v === 1) this.states.set(row.gateway_id, state);
      } catch {
        this.deps.log.warn({ gatewayId: row.gateway_id }, 'unreadable rule state dropped');
      }
    }
    this.deps.log.info({ homes: rows.length }, 'alarm engine started');
    if (!this.deps.config.enabled) return;
    this.timer = setInterval(() => {
      this.enqueueWork(() => this.tick(this.now()));
    }, this.deps.config.tickIntervalMs);
    this.timer.unref();
  }

  /** Ingest hook: telemetry of one gateway that is now durable. Never throws, never blocks. */
  onTelemetry(gatewayId: string, events: TelemetryEvent[]): void {
    if (this.closed || !this.deps.config.enabled || events.length === 0) return;
    if (this.queue.length >= this.deps.config.queueMaxBatches) {
      this.counters.batchesSkipped += 1;
      if (this.counters.batchesSkipped % 1000 === 1)
        this.deps.log.error(
          { gatewayId, skipped: this.counters.batchesSkipped },
          'rule queue full: telemetry batch not judged by the rules',
        );
      return;
    }
    this.queue.push({ gatewayId, events });
    this.enqueueWork(() => this.drain());
  }

  /** Serialises all work (telemetry, ticks, flushes) so rule state has one writer. */
  private enqueueWork(job: () => Promise<void>): void {
    const prev = this.working ?? Promise.resolve();
    const next = prev.then(job).catch((err: unknown) => {
      this.deps.log.error({ err }, 'alarm engine step failed');
    });
    this.working = next;
    void next.finally(() => {
      if (this.working === next) this.working = undefined;
    });
  }

  /** Resolves when all queued work is done (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.working) await this.working;
  }

  private state(gatewayId: string): HomeRuleState {
    let s = this.states.get(gatewayId);
    if (!s) {
      s = emptyState();
      this.states.set(gatewayId, s);
    }
    return s;
  }

  private async homeIdOf(gatewayId: string, now: number): Promise<string | null> {
    const cached = this.homeOf.get(gatewayId);
    if (cached && now - cached.at < 60_000) return cached.homeId;
    const row = await this.db
      .selectFrom('gateways')
      .select('home_id')
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    const homeId = row?.home_id ?? null;
    this.homeOf.set(gatewayId, { homeId, at: now });
    return homeId;
  }

  /** Defaults from the hub config with the home's stored overrides. */
  async settingsForHome(homeId: string | null): Promise<RuleSettings> {
    if (!homeId) return this.deps.config.defaults;
    const cached = this.settingsCache.get(homeId);
    if (cached) return cached;
    const override = await this.homeOverride(homeId);
    const merged = mergeSettings(this.deps.config.defaults, override);
    this.settingsCache.set(homeId, merged);
    return merged;
  }

  async homeOverride(homeId: string): Promise<RuleSettingsOverride | undefined> {
    const row = await this.db
      .selectFrom('home_rule_settings')
      .select('settings_json')
      .where('home_id', '=', homeId)
      .executeTakeFirst();
    if (!row) return undefined;
    try {
      const value: unknown = JSON.parse(row.settings_json);
      if (Value.Check(RuleSettingsOverrideSchema, value)) return value;
    } catch {
      // fall through
    }
    this.deps.log.warn({ homeId }, 'stored rule settings unreadable: defaults used');
    return undefined;
  }

  /** Stores a home's overrides (validated by the caller) and applies them from now on. */
  async setHomeOverride(
    homeId: string,
    override: RuleSettingsOverride,
    by: string | null,
  ): Promise<RuleSettings> {
    const now = this.now();
    const json = JSON.stringify(override);
    await this.db
      .insertInto('home_rule_settings')
      .values({ home_id: homeId, settings_json: json, updated_at: now, updated_by: by })
      .onConflict((oc) =>
        oc.column('home_id').doUpdateSet({ settings_json: json, updated_at: now, updated_by: by }),
      )
      .execute();
    this.settingsCache.delete(homeId);
    return this.settingsForHome(homeId);
  }

  private async drain(): Promise<void> {
    const jobs = this.queue;
    this.queue = [];
    if (jobs.length === 0) return;
    const now = this.now();
    const maxLateMs = this.deps.config.maxLateMinutes * 60_000;
    const byGateway = new Map<string, { findings: Finding[]; recoveries: Recovery[] }>();
    for (const job of jobs) {
      const settings = await this.settingsForHome(await this.homeIdOf(job.gatewayId, now));
      const state = this.state(job.gatewayId);
      state.heardAt = now;
      const acc = byGateway.get(job.gatewayId) ?? { findings: [], recoveries: [] };
      const events = [...job.events].sort((a, b) => a.observedAt - b.observedAt);
      for (const e of events) {
        const out = onTelemetry(state, settings, e, now, maxLateMs);
        acc.findings.push(...out.findings);
        acc.recoveries.push(...out.recoveries);
      }
      byGateway.set(job.gatewayId, acc);
      this.dirty.add(job.gatewayId);
      this.counters.batchesProcessed += 1;
    }
    await this.store(byGateway, now);
  }

  /** Judges the silence-based rules of every known home at `now`. */
  async tick(now: number): Promise<void> {
    this.counters.ticks += 1;
    if (now - this.startedAt < this.deps.config.startupGraceS * 1000) return;
    const fleet = await this.deps.care.allDevices();
    for (const [gatewayId, g] of fleet) this.homeOf.set(gatewayId, { homeId: g.homeId, at: now });
    const freshMs = this.deps.config.gatewayFreshS * 1000;
    const gatewayIds = new Set([...this.states.keys(), ...fleet.keys()]);
    const byGateway = new Map<string, { findings: Finding[]; recoveries: Recovery[] }>();
    for (const gatewayId of gatewayIds) {
      const known = fleet.get(gatewayId);
      const state = this.state(gatewayId);
      // A gateway nobody has heard recently is gateway_offline's alarm: silence in its home is a
      // consequence, not news (and its telemetry may still be waiting in its outbox).
      const heard = Math.max(known?.gatewayLastSeenAt ?? -Infinity, state.heardAt ?? -Infinity);
      if (!(now - heard < freshMs)) continue;
      const settings = await this.settingsForHome(await this.homeIdOf(gatewayId, now));
      const before = JSON.stringify(state);
      const out = onTick(state, settings, now, known?.devices ?? []);
      if (JSON.stringify(state) !== before) this.dirty.add(gatewayId);
      if (out.findings.length > 0 || out.recoveries.length > 0) byGateway.set(gatewayId, out);
    }
    await this.store(byGateway, now);
  }

  private async store(
    byGateway: Map<string, { findings: Finding[]; recoveries: Recovery[] }>,
    now: number,
  ): Promise<void> {
    const created: AlarmDto[] = [];
    const updated: AlarmDto[] = [];
    for (const [gatewayId, { findings, recoveries }] of byGateway) {
      if (findings.length === 0 && recoveries.length === 0) continue;
      this.counters.findings += findings.length;
      for (const f of findings)
        this.deps.log.info(
          { gatewayId, rule: f.rule, kind: f.kind, deviceId: f.deviceId },
          'rule fired',
        );
      const r = await this.deps.derived.apply(gatewayId, findings, recoveries, now);
      created.push(...r.created);
      updated.push(...r.updated);
    }
    // Rule state is written with every finding (so what fired is never raised twice after a
    // restart), else at most every stateFlushIntervalMs: a write per telemetry batch would hold
    // the SQL connection the alarm lane needs.
    const fired = [...byGateway.values()].some((g) => g.findings.length + g.recoveries.length > 0);
    if (fired || now - this.lastFlushAt >= this.deps.config.stateFlushIntervalMs)
      await this.flush(now);
    if (created.length > 0 || updated.length > 0) this.deps.onChanges(created, updated);
  }

  /**
   * Writes changed rule state, STATE_FLUSH_CHUNK gateways per statement and transaction, with a
   * turn of the event loop and an idle alarm lane before each: with 2,000 gateways all changed,
   * one statement per gateway in one transaction held the hub's event loop ~70 ms (a profile at
   * 1,000 msg/s), and an alarm arriving then waited behind it. Each gateway's row is whole on its
   * own, so splitting the write loses nothing a restart needs.
   *
   * Relaxed durability (store/relaxed-durability.ts): a power cut can lose the last flush (a
   * process crash cannot). The rules then start from older state; a rule that fires again raises
   * into the alarm it already opened (the joining rule), one more trigger in its timeline.
   */
  private async flush(now: number): Promise<void> {
    this.lastFlushAt = now;
    if (this.dirty.size === 0) return;
    const rows: { gateway_id: string; state_json: string; updated_at: number }[] = [];
    for (const gatewayId of this.dirty) {
      const state = this.states.get(gatewayId);
      if (state)
        rows.push({ gateway_id: gatewayId, state_json: JSON.stringify(state), updated_at: now });
    }
    this.dirty.clear();
    for (let from = 0; from < rows.length; from += STATE_FLUSH_CHUNK) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.deps.alarmsIdle?.();
      const chunk = rows.slice(from, from + STATE_FLUSH_CHUNK);
      await this.relaxed((conn) =>
        engineDb(conn)
          .insertInto('engine_state')
          .values(chunk)
          .onConflict((oc) =>
            oc.column('gateway_id').doUpdateSet((eb) => ({
              state_json: eb.ref('excluded.state_json'),
              updated_at: eb.ref('excluded.updated_at'),
            })),
          )
          .execute(),
      );
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.idle();
    try {
      await this.flush(this.now());
    } catch (err) {
      this.deps.log.error({ err }, 'rule state not written at shutdown');
    }
  }
}
