/**
 * Ingest: everything gateways send, made durable, then acknowledged (DESIGN.md, "Gateway ⇄ hub
 * contract"; issue 4). This file is the entry (the broker hands each authorized uplink to
 * `accept`) and the composition of the stages:
 *
 *  - uplink-parse.ts / batch.ts: bytes → typed messages, per-event rejections;
 *  - alarm-lane.ts: the alarm lane, its own queue and worker, always served first, one SQL group
 *    commit per batch of queued alarms (clauses 2–4);
 *  - telemetry-lane.ts (+ telemetry-resume.ts, telemetry-isolate.ts): the telemetry lane, acked
 *    once the telemetry store accepted it, back-pressure instead of drops (clauses 3, 5, 7);
 *  - liveness.ts: heartbeats and status, coalesced per gateway (clause 6);
 *  - jobs.ts: the job and the ack sender the stages share; alarm-trace.ts: per-alarm stage times
 *    for benchmarks.
 */
import type { Logger } from 'pino';
import {
  LIMITS,
  resumeAck,
  type Ack,
  type CommandResult,
  type ConfigState,
  type RejectCode,
  type TelemetryEvent,
  type UplinkTopic,
} from '@anxin/protocol';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { AlarmStore } from '../store/alarms.js';
import type { GatewayStore } from '../store/gateways.js';
import type { TelemetryStore } from '../telemetry/store.js';
import { AlarmLane, type AlarmChangesListener } from './alarm-lane.js';
import { alarmTraceFromEnv, type AlarmTrace } from './alarm-trace.js';
import type { EventRejection } from './batch.js';
import { ackSender } from './jobs.js';
import { Liveness } from './liveness.js';
import { TelemetryLane } from './telemetry-lane.js';
import { parseUplink } from './uplink-parse.js';
import type { HubPart } from '../lifecycle.js';

export interface IngestDeps {
  config: HubConfig['ingest'] & {
    telemetryBatchSize: number;
    telemetryFlushIntervalMs: number;
    telemetryWriteTimeoutMs: number;
  };
  alarms: AlarmStore;
  gateways: GatewayStore;
  telemetry: TelemetryStore;
  metrics: HubMetrics;
  log: Logger;
  sendAck: (gatewayId: string, ack: Ack) => void;
  onAlarmChanges: AlarmChangesListener;
  /** When the console pushes handed over so far were emitted (the trace's pushedAt). */
  pushesSent?: () => Promise<number>;
  /** Telemetry the store accepted (after its ack went out): the alarm rules judge it. */
  onTelemetryStored?: (gatewayId: string, events: TelemetryEvent[]) => void;
  /** A gateway answered a command (up/cmd-result). */
  onCommandResult?: (gatewayId: string, result: CommandResult) => void;
  /** A gateway reported its configuration state (up/config-state). */
  onConfigState?: (gatewayId: string, state: ConfigState) => void;
  /** A stored heartbeat reported the gateway's own test flag changed (liveness.ts). */
  onTestModeReported?: (gatewayId: string) => void;
  /** Per-alarm stage times for benchmarks; default: from ANXIN_ALARM_TRACE, else none. */
  trace?: AlarmTrace;
}

export interface IngestStats {
  alarmQueueEvents: number;
  telemetryQueueEvents: number;
  telemetryStoreDown: boolean;
  telemetryInFlight: number;
  /** The store's measured intake while busy (points/s), which paces deferred gateways. */
  telemetryRatePerS: number;
  /** How far ahead deferred telemetry is booked: the wait a gateway deferred now would get. */
  telemetryRetryBookedAheadMs: number;
  /** Gateways holding deferred telemetry, to be called back when there is room. */
  telemetryWaitingGateways: number;
}

export class Ingest implements HubPart {
  readonly name = 'ingest';
  private readonly alarmLane: AlarmLane;
  private readonly telemetryLane: TelemetryLane;
  private readonly liveness: Liveness;
  private readonly trace: AlarmTrace | undefined;

  constructor(private readonly deps: IngestDeps) {
    this.trace = deps.trace ?? alarmTraceFromEnv();
    const ack = ackSender(deps.metrics, deps.sendAck);
    this.alarmLane = new AlarmLane({
      maxEvents: deps.config.alarmQueueMaxEvents,
      overloadRetryAfterMs: deps.config.overloadRetryAfterMs,
      storeRetryMinMs: deps.config.storeRetryMinMs,
      alarms: deps.alarms,
      metrics: deps.metrics,
      log: deps.log,
      ack,
      onAlarmChanges: deps.onAlarmChanges,
      trace: this.trace,
      ...(deps.pushesSent ? { pushesSent: deps.pushesSent } : {}),
    });
    const alarmsIdle = () => this.alarmLane.whenIdle();
    this.telemetryLane = new TelemetryLane({
      config: deps.config,
      telemetry: deps.telemetry,
      metrics: deps.metrics,
      log: deps.log,
      ack,
      sendResume: (gatewayId) => deps.sendAck(gatewayId, resumeAck('telemetry')),
      alarmsIdle,
      ...(deps.onTelemetryStored ? { onTelemetryStored: deps.onTelemetryStored } : {}),
    });
    this.liveness = new Liveness({
      gateways: deps.gateways,
      log: deps.log,
      alarmsIdle,
      ...(deps.onTestModeReported ? { onTestModeReported: deps.onTestModeReported } : {}),
    });
  }

  /** Resolves when no alarm is waiting or being written: other SQL writers go after alarms. */
  alarmsIdle(): Promise<void> {
    return this.alarmLane.whenIdle();
  }

  stats(): IngestStats {
    const t = this.telemetryLane;
    return {
      alarmQueueEvents: this.alarmLane.depthEvents,
      telemetryQueueEvents: t.queue.depthEvents,
      telemetryStoreDown: t.storeDown,
      telemetryInFlight: t.inFlight,
      telemetryRatePerS: Math.round(t.resume.ratePerS),
      telemetryRetryBookedAheadMs: Math.round(t.resume.bookedAheadMs(Date.now())),
      telemetryWaitingGateways: t.resume.waitingGateways,
    };
  }

  /** Every message a gateway published under its uplink topics (parsed by the broker). Never throws. */
  accept({ gatewayId, channel }: UplinkTopic, payload: Buffer): void {
    this.deps.metrics.messagesIn.inc({ channel });
    if (payload.byteLength > LIMITS.maxPayloadBytes) {
      this.reject(
        gatewayId,
        channel,
        'TOO_LARGE',
        `payload of ${payload.byteLength} bytes exceeds ${LIMITS.maxPayloadBytes}`,
      );
      return;
    }
    try {
      const parsed = parseUplink(channel, payload);
      if (!parsed.ok) return this.reject(gatewayId, channel, parsed.code, parsed.message);
      const message = parsed.message;
      switch (message.channel) {
        case 'alarm':
          this.countEvents(gatewayId, 'alarm', message.events.length, message.rejected);
          return this.alarmLane.accept(gatewayId, message.events, message.rejected);
        case 'telemetry':
          this.countEvents(gatewayId, 'telemetry', message.events.length, message.rejected);
          return this.telemetryLane.accept(gatewayId, message.events, message.rejected);
        case 'heartbeat':
          return this.liveness.heartbeat(gatewayId, message.heartbeat);
        case 'status':
          this.liveness.status(gatewayId, message.status.state);
          this.deps.log.info({ gatewayId, state: message.status.state }, 'gateway status');
          return;
        case 'cmd-result':
          this.deps.log.debug({ gatewayId, id: message.result.id }, 'command result received');
          this.deps.onCommandResult?.(gatewayId, message.result);
          return;
        case 'config-state':
          this.deps.log.info(
            { gatewayId, applied: message.state.appliedVersion, refused: message.state.refused },
            'gateway configuration state',
          );
          this.deps.onConfigState?.(gatewayId, message.state);
          return;
      }
    } catch (err) {
      // A bug must not take the broker down with it; the gateway will resend.
      this.deps.log.error({ err, gatewayId, channel }, 'ingest failed on a message');
    }
  }

  private reject(gatewayId: string, channel: string, code: RejectCode, message: string): void {
    this.deps.metrics.rejections.inc({ code });
    this.deps.log.warn({ gatewayId, channel, code, message }, 'message rejected');
  }

  private countEvents(
    gatewayId: string,
    lane: 'alarm' | 'telemetry',
    events: number,
    rejected: EventRejection[],
  ): void {
    for (const r of rejected) this.deps.metrics.rejections.inc({ code: r.code });
    if (rejected.length > 0)
      this.deps.log.warn(
        { gatewayId, rejected: rejected.slice(0, 5), count: rejected.length },
        'events rejected',
      );
    this.deps.metrics.eventsIn.inc({ lane }, events);
  }

  /** Starts the lanes' timers (intake pacing, heartbeat flush); building started none. */
  start(): Promise<void> {
    this.telemetryLane.start();
    this.liveness.start();
    return Promise.resolve();
  }

  /** Stops taking new work and finishes what is queued (bounded by `timeoutMs`). */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.alarmLane.stopTaking();
    this.telemetryLane.stopTaking();
    this.telemetryLane.close();
    const deadline = Date.now() + timeoutMs;
    while ((!this.alarmLane.idle || !this.telemetryLane.idle) && Date.now() < deadline) {
      this.telemetryLane.kick();
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.liveness.close();
    this.trace?.close();
  }
}
