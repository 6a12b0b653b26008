/**
 * One start/stop module for the alarm engine, escalation, notifications and figures, so the
 * composition root (hub.ts) wires them with a few lines: build it after the SQL state, pass its
 * hooks to ingest (`onTelemetry`, `onAlarmChanges`), register its routes, start it in listen()
 * and close it before the database.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { AlarmDto, TelemetryEvent } from '@anxin/protocol';
import type { Clock } from '../clock.js';
import type { Authenticator } from '../http/auth.js';
import { registerEngineRoutes } from '../http/engine-routes.js';
import type { Database } from '../store/schema.js';
import { Escalator, type EscalationPush } from '../escalation/escalator.js';
import type { EscalationConfig } from '../escalation/config.js';
import { FiguresService } from '../figures/figures.js';
import type { NotifyConfig } from '../notify/config.js';
import { Notifier } from '../notify/notifier.js';
import type { ScopeResolver } from '../auth/scope.js';
import { CareLookup } from './care-lookup.js';
import type { EngineConfig } from './config.js';
import { DerivedAlarms } from './derived-alarms.js';
import { AlarmEngine } from './engine.js';
import type { HubPart } from '../lifecycle.js';

export interface AlarmEngineModuleDeps {
  db: Kysely<Database>;
  config: { engine: EngineConfig; escalation: EscalationConfig; notify: NotifyConfig };
  log: Logger;
  /** Pushes alarms the rules created or changed (alarm:new / alarm:updated). */
  pushAlarms: (created: AlarmDto[], updated: AlarmDto[]) => void;
  push: EscalationPush;
  /** Ingest's alarm lane is idle: rule-state writes wait for it (see AlarmEngine.flush). */
  alarmsIdle?: () => Promise<void>;
  clock?: () => number;
  /** The escalation steps' time and poll (tests move it instead of sleeping); real by default. */
  escalationClock?: Clock;
}

/** Prometheus lines for /metrics (counters since this process started). */
export function alarmEngineMetrics(s: ReturnType<AlarmEngineModule['stats']>): string[] {
  const e = s.escalation;
  const n = s.notify;
  return [
    '# HELP anxin_rule_findings_total Conditions the alarm rules found (each raised or joined an alarm)',
    '# TYPE anxin_rule_findings_total counter',
    `anxin_rule_findings_total ${s.rules.findings}`,
    '# HELP anxin_rule_batches_skipped_total Telemetry batches not judged because the rule queue was full',
    '# TYPE anxin_rule_batches_skipped_total counter',
    `anxin_rule_batches_skipped_total ${s.rules.batchesSkipped}`,
    '# HELP anxin_escalation_steps_total Escalation steps taken, by step',
    '# TYPE anxin_escalation_steps_total counter',
    `anxin_escalation_steps_total{step="supervisors"} ${e.escalated}`,
    `anxin_escalation_steps_total{step="contact"} ${e.contactsCalled}`,
    `anxin_escalation_steps_total{step="accepted"} ${e.accepted}`,
    `anxin_escalation_steps_total{step="exhausted"} ${e.exhausted}`,
    `anxin_escalation_steps_total{step="stopped"} ${e.stopped}`,
    '# HELP anxin_webhook_deliveries_total Webhook deliveries, by outcome',
    '# TYPE anxin_webhook_deliveries_total counter',
    `anxin_webhook_deliveries_total{outcome="delivered"} ${n.delivered}`,
    `anxin_webhook_deliveries_total{outcome="retried"} ${n.retried}`,
    `anxin_webhook_deliveries_total{outcome="failed"} ${n.failed}`,
    `anxin_webhook_deliveries_total{outcome="dropped"} ${n.dropped}`,
  ];
}

export class AlarmEngineModule implements HubPart {
  readonly name = 'alarm-engine';
  readonly care: CareLookup;
  readonly engine: AlarmEngine;
  readonly notifier: Notifier;
  readonly escalator: Escalator;
  readonly figures: FiguresService;

  constructor(private readonly deps: AlarmEngineModuleDeps) {
    const { db, config, log } = deps;
    this.care = new CareLookup(db);
    this.notifier = new Notifier({
      db,
      config: config.notify,
      log: log.child({ module: 'notify' }),
      clock: deps.clock,
    });
    this.escalator = new Escalator({
      db,
      care: this.care,
      notifier: this.notifier,
      push: deps.push,
      config: config.escalation,
      log: log.child({ module: 'escalation' }),
      ...(deps.escalationClock ? { clock: deps.escalationClock } : {}),
    });
    this.engine = new AlarmEngine({
      db,
      care: this.care,
      derived: new DerivedAlarms(db, this.care),
      config: config.engine,
      log: log.child({ module: 'rules' }),
      clock: deps.clock,
      ...(deps.alarmsIdle ? { alarmsIdle: deps.alarmsIdle } : {}),
      onChanges: (created, updated) => {
        deps.pushAlarms(created, updated);
        this.onAlarmChanges(created, updated);
      },
    });
    this.figures = new FiguresService(db, this.care);
  }

  /** Ingest hook: telemetry made durable (after the store accepted it). */
  onTelemetry(gatewayId: string, events: TelemetryEvent[]): void {
    this.engine.onTelemetry(gatewayId, events);
  }

  /** Every alarm stored or changed (ingest, rules, liveness): arms escalation of new ones. */
  onAlarmChanges(created: AlarmDto[], _updated: AlarmDto[]): void {
    if (created.length === 0) return;
    this.escalator.onAlarmsCreated(created).then(
      () => void this.escalator.kick(),
      (err: unknown) =>
        this.deps.log.error(
          { err, alarms: created.length },
          'escalation not armed (re-armed at start)',
        ),
    );
  }

  /**
   * An alarm changed by the care routes: a family member who said "I am going there"
   * (POST /alarms/:id/responding) and is a contact of the home accepts its escalation.
   */
  onResponders(alarm: AlarmDto): void {
    const family = (alarm.responders ?? []).filter((r) => r.role === 'family');
    const first = family[0];
    if (!first || !this.deps.config.escalation.enabled) return;
    const user = {
      id: first.userId,
      username: first.username,
      displayName: first.displayName,
      role: first.role,
    };
    this.escalator.acceptByUser(alarm.id, user, first.note ?? undefined, 'responding').then(
      (r) => {
        if (r.ok)
          this.deps.log.info(
            { alarmId: alarm.id, by: first.username },
            'family responding: escalation accepted',
          );
      },
      (err: unknown) =>
        this.deps.log.error({ err, alarmId: alarm.id }, 'responding not applied to escalation'),
    );
  }

  registerRoutes(
    app: FastifyInstance,
    deps: {
      auth: Authenticator;
      scopes: ScopeResolver;
      alarmUpdated: (alarm: AlarmDto) => void;
      enrichAlarm: (alarm: AlarmDto) => Promise<AlarmDto>;
    },
  ): void {
    registerEngineRoutes(app, {
      db: this.deps.db,
      auth: deps.auth,
      engine: this.engine,
      escalator: this.escalator,
      figures: this.figures,
      care: this.care,
      scopes: deps.scopes,
      alarmUpdated: deps.alarmUpdated,
      enrichAlarm: deps.enrichAlarm,
    });
  }

  async start(): Promise<void> {
    await this.engine.start();
    this.notifier.start();
    await this.escalator.start();
  }

  stats() {
    return {
      rules: this.engine.stats(),
      escalation: { ...this.escalator.counters },
      notify: this.notifier.stats(),
    };
  }

  async stop(): Promise<void> {
    await this.engine.close();
    await this.escalator.close();
    await this.notifier.close();
  }
}
