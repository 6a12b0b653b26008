/**
 * Ingest: everything gateways send, made durable, then acknowledged (DESIGN.md, "Gateway ⇄ hub
 * contract"; issue 4).
 *
 *  - Two bounded queues. The alarm lane has its own worker and is always served first: the
 *    telemetry worker yields the SQL connection whenever alarms are waiting, so an SOS never
 *    waits behind a telemetry backlog (clause 2, issue 4 "alarms are taken ahead of telemetry at
 *    every queue inside the hub").
 *  - Ack only after durable: alarms committed to SQL in one transaction per batch, telemetry
 *    written to the telemetry store (clause 3). Idempotent on (gateway, seq) (clause 4).
 *  - Back-pressure, never silent drops: a full queue, or a telemetry store that is down, answers
 *    `deferred` with retryAfterMs and the gateway holds the events (clause 7).
 *  - Heartbeats and status are coalesced per gateway and written once a second, so 20,000
 *    gateways cost one transaction a second instead of hundreds.
 */
import type { Logger } from 'pino';
import {
  LIMITS,
  PROTOCOL_VERSION,
  resumeAck,
  type Ack,
  type CommandResult,
  type ConfigState,
  type AlarmDto,
  type AlarmEvent,
  type Heartbeat,
  type Lane,
  type UplinkTopic,
  type RejectCode,
  type TelemetryEvent,
} from '@anxin/protocol';
import type { HubConfig } from '../config.js';
import type { HubMetrics } from '../metrics.js';
import type { AlarmStore } from '../store/alarms.js';
import type { GatewayStore } from '../store/gateways.js';
import {
  RejectedPointsError,
  withTimeout,
  type TelemetryPoint,
  type TelemetryStore,
} from '../telemetry/store.js';
import type { EventRejection } from './batch.js';
import { BoundedQueue } from './queue.js';
import { DEFAULT_RETRY_SCHEDULE, RetrySchedule } from './retry-schedule.js';
import { parseUplink } from './uplink-parse.js';

interface Job<E> {
  gatewayId: string;
  events: E[];
  rejected: EventRejection[];
  receivedAt: number;
  /** process.hrtime at arrival, for the arrival → ack histogram. */
  arrivedNs: bigint;
  size: number;
}

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
  onAlarmChanges: (created: AlarmDto[], updated: AlarmDto[]) => void;
  /** Telemetry the store accepted (after its ack went out): the alarm rules judge it. */
  onTelemetryStored?: (gatewayId: string, events: TelemetryEvent[]) => void;
  /** A gateway answered a command (up/cmd-result). */
  onCommandResult?: (gatewayId: string, result: CommandResult) => void;
  /** A gateway reported its configuration state (up/config-state). */
  onConfigState?: (gatewayId: string, state: ConfigState) => void;
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

interface TelemetryEntry {
  job: Job<TelemetryEvent>;
  /** Events to write (duplicates within the batch removed). */
  events: TelemetryEvent[];
  rejected: EventRejection[];
}

const HEARTBEAT_FLUSH_MS = 1000;
/** Gateways' heartbeats (and statuses) per liveness transaction; see flushHeartbeats. */
const LIVENESS_CHUNK = 200;
/** Events a resumed gateway is expected to send per batch (the gateways' default batchSize). */
const RESUME_BATCH_EVENTS_GUESS = 200;
/** Store writes' worth of telemetry the hub calls deferred gateways back for at a time. */
const RESUME_QUEUE_WRITES = 1;
/** A gateway called back is called again after this if it is still waiting for its slot. */
const RESUME_AGAIN_MS = 3000;
/**
 * Most alarm events committed in one transaction. better-sqlite3 holds the event loop for the
 * whole transaction (~1–2 ms per event on the 2-core test machine), so the bound keeps a replayed
 * backlog from stalling the broker and consoles for seconds.
 */
const ALARM_GROUP_COMMIT_EVENTS = 500;

export class Ingest {
  private readonly alarmQueue: BoundedQueue<Job<AlarmEvent>>;
  private readonly telemetryQueue: BoundedQueue<Job<TelemetryEvent>>;
  private alarmWorkerRunning = false;
  private alarmIdleWaiters: (() => void)[] = [];
  private telemetryWorkers = 0;
  private telemetryInFlight = 0;
  private storeDownUntil = 0;
  private storeBackoffMs = 0;
  /** When gateways whose telemetry found the queue full should come back (retry-schedule.ts). */
  private readonly telemetrySchedule: RetrySchedule;
  /**
   * Gateways holding telemetry the hub deferred for a full queue, oldest first. When the queue
   * has room again the hub calls the next ones back at once (a resume ack) rather than leaving
   * the room empty until their booked slot: the slot is only the fallback.
   */
  private readonly waitingForRoom = new Map<string, { slotAt: number; resumedAt: number }>();
  /** The current one-second intake window (sampleIntake). */
  private windowPoints = 0;
  private windowStartedAt = Date.now();
  private readonly intakeTimer: NodeJS.Timeout;
  private readonly heartbeats = new Map<string, { heartbeat: Heartbeat; at: number }>();
  private readonly statuses = new Map<string, { state: 'online' | 'offline'; at: number }>();
  private readonly heartbeatTimer: NodeJS.Timeout;
  private heartbeatFlush: Promise<void> = Promise.resolve();
  private flushingLiveness = false;
  private closing = false;

  constructor(private readonly deps: IngestDeps) {
    this.alarmQueue = new BoundedQueue(deps.config.alarmQueueMaxEvents);
    this.telemetryQueue = new BoundedQueue(deps.config.telemetryQueueMaxEvents);
    this.telemetrySchedule = new RetrySchedule({
      ...DEFAULT_RETRY_SCHEDULE,
      minMs: deps.config.telemetryRetryMinMs,
      maxMs: Math.max(deps.config.telemetryRetryMinMs, deps.config.telemetryRetryMaxMs),
    });
    this.intakeTimer = setInterval(() => this.sampleIntake(), 1000);
    this.heartbeatTimer = setInterval(() => {
      // One flush at a time, so an older piece never lands after a newer heartbeat.
      if (this.flushingLiveness) return;
      this.flushingLiveness = true;
      this.heartbeatFlush = this.flushHeartbeats().finally(() => {
        this.flushingLiveness = false;
      });
    }, HEARTBEAT_FLUSH_MS);
  }

  stats(): IngestStats {
    return {
      alarmQueueEvents: this.alarmQueue.depthEvents,
      telemetryQueueEvents: this.telemetryQueue.depthEvents,
      telemetryStoreDown: Date.now() < this.storeDownUntil,
      telemetryInFlight: this.telemetryInFlight,
      telemetryRatePerS: Math.round(this.telemetrySchedule.ratePerS),
      telemetryRetryBookedAheadMs: Math.round(this.telemetrySchedule.bookedAheadMs(Date.now())),
      telemetryWaitingGateways: this.waitingForRoom.size,
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
          return this.acceptAlarms(gatewayId, message.events, message.rejected);
        case 'telemetry':
          return this.acceptTelemetry(gatewayId, message.events, message.rejected);
        case 'heartbeat':
          this.heartbeats.set(gatewayId, { heartbeat: message.heartbeat, at: Date.now() });
          return;
        case 'status':
          this.statuses.set(gatewayId, { state: message.status.state, at: Date.now() });
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

  private acceptAlarms(gatewayId: string, events: AlarmEvent[], rejected: EventRejection[]): void {
    const r = { events, rejected };
    this.countEventRejections(gatewayId, r.rejected);
    this.deps.metrics.eventsIn.inc({ lane: 'alarm' }, r.events.length);
    const job = this.job(gatewayId, r.events, r.rejected);
    if (this.closing) {
      // Shutting down: the gateway keeps these and sends them to the next hub process.
      const retry = this.deps.config.overloadRetryAfterMs;
      this.ack(
        gatewayId,
        'alarm',
        [],
        r.rejected,
        job.events.map((e) => e.seq),
        retry,
      );
      return;
    }
    if (!this.alarmQueue.offer(job)) {
      // Never dropped: the gateway keeps the alarms and sends them again.
      this.deps.log.error(
        { gatewayId, depth: this.alarmQueue.depthEvents },
        'alarm queue full: alarms deferred',
      );
      this.ack(
        gatewayId,
        'alarm',
        [],
        r.rejected,
        job.events.map((e) => e.seq),
        this.deps.config.overloadRetryAfterMs,
      );
      return;
    }
    this.kickAlarmWorker();
  }

  private acceptTelemetry(
    gatewayId: string,
    events: TelemetryEvent[],
    rejected: EventRejection[],
  ): void {
    const r = { events, rejected };
    this.countEventRejections(gatewayId, r.rejected);
    this.deps.metrics.eventsIn.inc({ lane: 'telemetry' }, r.events.length);
    const job = this.job(gatewayId, r.events, r.rejected);
    const now = Date.now();
    if (now < this.storeDownUntil) {
      this.deferTelemetry([job], this.storeDownUntil - now);
      return;
    }
    if (this.closing) {
      this.deferTelemetry([job], this.deps.config.overloadRetryAfterMs);
      return;
    }
    if (!this.telemetryQueue.offer(job)) {
      const retryAfterMs = this.telemetrySchedule.book(job.size, now);
      const slotAt = Math.max(now + retryAfterMs, this.waitingForRoom.get(gatewayId)?.slotAt ?? 0);
      this.waitingForRoom.delete(gatewayId); // to the back of the line
      this.waitingForRoom.set(gatewayId, { slotAt, resumedAt: 0 });
      this.deferTelemetry([job], retryAfterMs);
      return;
    }
    this.kickTelemetryWorkers();
  }

  private job<E extends { seq: number }>(
    gatewayId: string,
    events: E[],
    rejected: EventRejection[],
  ): Job<E> {
    return {
      gatewayId,
      events,
      rejected,
      receivedAt: Date.now(),
      arrivedNs: process.hrtime.bigint(),
      size: Math.max(1, events.length),
    };
  }

  private countEventRejections(gatewayId: string, rejected: EventRejection[]): void {
    for (const r of rejected) this.deps.metrics.rejections.inc({ code: r.code });
    if (rejected.length > 0)
      this.deps.log.warn(
        { gatewayId, rejected: rejected.slice(0, 5), count: rejected.length },
        'events rejected',
      );
  }

  private ack(
    gatewayId: string,
    lane: Lane,
    acked: number[],
    rejected: EventRejection[],
    deferred: number[],
    retryAfterMs?: number,
  ): void {
    const ack: Ack = { v: PROTOCOL_VERSION, lane, acked, rejected, deferred };
    if (deferred.length > 0 && retryAfterMs !== undefined)
      ack.retryAfterMs = Math.max(0, Math.round(retryAfterMs));
    const m = this.deps.metrics.acks;
    if (acked.length) m.inc({ lane, outcome: 'acked' }, acked.length);
    if (rejected.length) m.inc({ lane, outcome: 'rejected' }, rejected.length);
    if (deferred.length) m.inc({ lane, outcome: 'deferred' }, deferred.length);
    this.deps.sendAck(gatewayId, ack);
  }

  // ---- alarm lane -------------------------------------------------------------------------

  private kickAlarmWorker(): void {
    if (this.alarmWorkerRunning) return;
    this.alarmWorkerRunning = true;
    // Start after the current I/O phase: better-sqlite3 runs a whole transaction synchronously
    // (fsync included), so starting at once would commit each socket's alarm alone. Waiting for
    // setImmediate lets every message already read join the same group commit.
    setImmediate(() => void this.runAlarmWorker());
  }

  private async runAlarmWorker(): Promise<void> {
    try {
      for (;;) {
        // Group commit: everything queued (up to a bound) goes into one transaction.
        const jobs: Job<AlarmEvent>[] = [];
        let events = 0;
        for (let next = this.alarmQueue.peek(); next; next = this.alarmQueue.peek()) {
          if (jobs.length > 0 && events + next.size > ALARM_GROUP_COMMIT_EVENTS) break;
          this.alarmQueue.shift();
          jobs.push(next);
          events += next.size;
        }
        if (jobs.length === 0) break;
        await this.processAlarmJobs(jobs);
        // Let sockets be read between commits, so the next group is as full as it can be.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.alarmWorkerRunning = false;
      const waiters = this.alarmIdleWaiters;
      this.alarmIdleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async processAlarmJobs(jobs: Job<AlarmEvent>[]): Promise<void> {
    const work = jobs.filter((j) => j.events.length > 0);
    for (const j of jobs)
      if (j.events.length === 0) this.ack(j.gatewayId, 'alarm', [], j.rejected, []);
    if (work.length === 0) return;
    const started = process.hrtime.bigint();
    try {
      const outcomes = await this.deps.alarms.applyBatches(work);
      this.deps.metrics.sqlWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const created: AlarmDto[] = [];
      const updated: AlarmDto[] = [];
      work.forEach((job, i) => {
        const outcome = outcomes[i];
        if (!outcome) return;
        this.deps.metrics.alarmsStored.inc({}, outcome.stored);
        this.ack(job.gatewayId, 'alarm', outcome.acked, [...job.rejected, ...outcome.rejected], []);
        this.deps.metrics.alarmAckSeconds.observe(
          Number(process.hrtime.bigint() - job.arrivedNs) / 1e9,
        );
        for (const r of outcome.rejected) this.deps.metrics.rejections.inc({ code: r.code });
        created.push(...outcome.created);
        updated.push(...outcome.updated);
      });
      if (created.length > 0 || updated.length > 0) this.deps.onAlarmChanges(created, updated);
    } catch (err) {
      this.deps.log.error(
        { err, batches: work.length },
        'alarm batches could not be stored: deferred',
      );
      for (const job of work) {
        this.ack(
          job.gatewayId,
          'alarm',
          [],
          job.rejected,
          job.events.map((e) => e.seq),
          this.deps.config.storeRetryMinMs,
        );
      }
    }
  }

  /** Resolves when no alarm is waiting or being written. */
  private alarmsIdle(): Promise<void> {
    if (!this.alarmWorkerRunning && this.alarmQueue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.alarmIdleWaiters.push(resolve));
  }

  // ---- telemetry lane ---------------------------------------------------------------------

  private kickTelemetryWorkers(): void {
    while (
      this.telemetryWorkers < this.deps.config.telemetryConcurrency &&
      this.telemetryQueue.length > 0
    ) {
      this.telemetryWorkers += 1;
      void this.runTelemetryWorker().finally(() => {
        this.telemetryWorkers -= 1;
      });
    }
  }

  private async runTelemetryWorker(): Promise<void> {
    for (;;) {
      // Linger briefly for a fuller write when the queue holds less than one batch.
      if (
        this.telemetryQueue.depthEvents < this.deps.config.telemetryBatchSize &&
        this.deps.config.telemetryFlushIntervalMs > 0 &&
        !this.closing
      ) {
        const oldest = this.telemetryQueue.peek();
        const waited = oldest ? Date.now() - oldest.receivedAt : 0;
        const wait = this.deps.config.telemetryFlushIntervalMs - waited;
        // Short (≤ flushIntervalMs) and never cancelled, so a worker cannot be left hanging.
        if (wait > 0) await new Promise<void>((r) => setTimeout(r, wait));
      }
      const jobs: Job<TelemetryEvent>[] = [];
      let points = 0;
      for (let next = this.telemetryQueue.peek(); next; next = this.telemetryQueue.peek()) {
        if (jobs.length > 0 && points + next.events.length > this.deps.config.telemetryBatchSize)
          break;
        this.telemetryQueue.shift();
        jobs.push(next);
        points += next.events.length;
      }
      if (jobs.length === 0) return;
      await this.processTelemetryJobs(jobs);
      // A turn of the event loop between writes: a store that answers at once (the embedded one)
      // would otherwise chain every queued write in microtasks and hold sockets, accepts and the
      // alarm lane for the whole queue (measured: ~0.4 s with 50,000 events queued).
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Telemetry idempotency comes from the store itself, not from SQL receipts: every store keys a
   * point by (measurement, gateway, device, observedAt), so a replayed event overwrites itself
   * with the same values and changes nothing. Keeping a receipt per telemetry event would put
   * ~120 million rows a day into the SQL state at the load model's 1,400 msg/s.
   */
  private async processTelemetryJobs(jobs: Job<TelemetryEvent>[]): Promise<void> {
    const now = Date.now();
    if (now < this.storeDownUntil) {
      this.deferTelemetry(jobs, this.storeDownUntil - now);
      return;
    }
    this.telemetryInFlight += jobs.length;
    try {
      const entries = jobs.map((job): TelemetryEntry => {
        const events: TelemetryEvent[] = [];
        const rejected = [...job.rejected];
        const inBatch = new Map<number, string>();
        for (const e of job.events) {
          const seen = inBatch.get(e.seq);
          if (seen === undefined) {
            inBatch.set(e.seq, e.id);
            events.push(e);
          } else if (seen !== e.id) {
            rejected.push({
              seq: e.seq,
              code: 'SEQ_CONFLICT',
              message: `seq ${e.seq} appears twice in the batch with different ids`,
            });
            this.deps.metrics.rejections.inc({ code: 'SEQ_CONFLICT' });
          }
        }
        return { job, events, rejected };
      });
      const points: TelemetryPoint[] = [];
      for (const { job, events } of entries) {
        for (const e of events)
          points.push({
            gatewayId: job.gatewayId,
            deviceId: e.deviceId,
            observedAt: e.observedAt,
            fields: e.fields,
          });
      }
      if (points.length > 0) {
        // Alarms first, also for the event loop: the embedded store writes synchronously.
        await this.alarmsIdle();
        const started = process.hrtime.bigint();
        try {
          await this.writeTelemetry(points);
        } catch (err) {
          if (!(err instanceof RejectedPointsError)) {
            this.storeFailed(err, entries);
            return;
          }
          // Some data is refused for good: find it, reject it, and store the rest.
          await this.writeIsolating(entries, err);
          return;
        }
        this.deps.metrics.telemetryWriteSeconds.observe(
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        this.deps.metrics.telemetryPoints.inc({}, points.length);
        this.windowPoints += points.length;
        this.resumeWaiting();
        this.storeBackoffMs = 0;
      }
      for (const { job, events, rejected } of entries) {
        this.ack(
          job.gatewayId,
          'telemetry',
          events.map((e) => e.seq),
          rejected,
          [],
        );
        this.telemetryStored(job.gatewayId, events);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'telemetry batch failed: deferred');
      for (const job of jobs) {
        this.ack(
          job.gatewayId,
          'telemetry',
          [],
          job.rejected,
          job.events.map((e) => e.seq),
          this.deps.config.storeRetryMinMs,
        );
      }
    } finally {
      this.telemetryInFlight -= jobs.length;
    }
  }

  /**
   * Calls deferred gateways back while the telemetry queue has room: an ack that defers nothing
   * with retryAfterMs 0 lifts the gateway's hold on its telemetry lane (gateways that do not know
   * it ignore it and return at their booked slot). Each is counted on for about two batches
   * (its window), and only a few writes' worth is called for at a time.
   *
   * A gateway stays on the list until its own slot: a deferral still on its way when the resume
   * arrives holds the lane again, and is lifted by the next call (RESUME_AGAIN_MS later).
   * Resumed gateways go to the back, so a pass stops at the first one resumed too recently.
   */
  private resumeWaiting(): void {
    if (this.waitingForRoom.size === 0 || this.closing) return;
    const now = Date.now();
    if (now < this.storeDownUntil) return;
    const perGateway = 2 * RESUME_BATCH_EVENTS_GUESS;
    // Enough queued to keep the store writing back to back, no more: a longer queue only adds
    // work to every turn of the event loop, and alarms wait behind the turn.
    const target = Math.min(
      this.deps.config.telemetryQueueMaxEvents,
      RESUME_QUEUE_WRITES * this.deps.config.telemetryBatchSize,
    );
    let room = target - this.telemetryQueue.depthEvents;
    for (const [gatewayId, waiting] of this.waitingForRoom) {
      if (now >= waiting.slotAt) {
        this.waitingForRoom.delete(gatewayId); // its own slot has come
        continue;
      }
      if (now - waiting.resumedAt < RESUME_AGAIN_MS || room < perGateway) break;
      room -= perGateway;
      this.waitingForRoom.delete(gatewayId);
      this.waitingForRoom.set(gatewayId, { slotAt: waiting.slotAt, resumedAt: now });
      this.deps.metrics.telemetryResumes.inc();
      this.deps.sendAck(gatewayId, resumeAck('telemetry'));
    }
  }

  /** Once a second: what the telemetry intake achieved, for the retry schedule to learn from. */
  private sampleIntake(): void {
    const now = Date.now();
    this.telemetrySchedule.recordWindow(
      {
        points: this.windowPoints,
        windowMs: now - this.windowStartedAt,
        backlogged: this.telemetryQueue.depthEvents >= this.deps.config.telemetryBatchSize,
      },
      now,
    );
    this.windowPoints = 0;
    this.windowStartedAt = now;
    this.resumeWaiting();
  }

  /** Hands durable telemetry to the rules; a failing hook never touches the ack path. */
  private telemetryStored(gatewayId: string, events: TelemetryEvent[]): void {
    if (!this.deps.onTelemetryStored || events.length === 0) return;
    try {
      this.deps.onTelemetryStored(gatewayId, events);
    } catch (err) {
      this.deps.log.error({ err, gatewayId }, 'telemetry hook failed');
    }
  }

  private writeTelemetry(points: TelemetryPoint[]): Promise<void> {
    return withTimeout(
      this.deps.telemetry.write(points),
      this.deps.config.telemetryWriteTimeoutMs,
      'telemetry write',
    );
  }

  /** The store is unavailable: defer these and everything queued, back off. */
  private storeFailed(err: unknown, entries: TelemetryEntry[]): void {
    this.deps.metrics.telemetryStoreErrors.inc();
    this.markStoreDown(err);
    const retry = this.storeDownUntil - Date.now();
    for (const { job, events, rejected } of entries) {
      this.ack(
        job.gatewayId,
        'telemetry',
        [],
        rejected,
        events.map((e) => e.seq),
        retry,
      );
    }
    this.deferTelemetry(this.telemetryQueue.drainAll(), retry);
  }

  /**
   * After a RejectedPointsError: write each gateway batch alone, and the points of a refused batch
   * one by one; refused points are rejected by seq (code SCHEMA, counted), the rest acked. Rare
   * path, so simplicity beats request count. If the store becomes unavailable meanwhile, what is
   * not yet written is deferred as usual.
   */
  private async writeIsolating(
    entries: TelemetryEntry[],
    cause: RejectedPointsError,
  ): Promise<void> {
    this.deps.log.warn(
      { err: cause.message, batches: entries.length },
      'telemetry store refused data: isolating it',
    );
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      if (!entry) continue;
      const { job, events } = entry;
      const toPoint = (e: TelemetryEvent): TelemetryPoint => ({
        gatewayId: job.gatewayId,
        deviceId: e.deviceId,
        observedAt: e.observedAt,
        fields: e.fields,
      });
      try {
        if (entries.length > 1) {
          try {
            await this.writeTelemetry(events.map(toPoint));
            this.deps.metrics.telemetryPoints.inc({}, events.length);
            this.ack(
              job.gatewayId,
              'telemetry',
              events.map((e) => e.seq),
              entry.rejected,
              [],
            );
            this.telemetryStored(job.gatewayId, events);
            continue;
          } catch (err) {
            if (!(err instanceof RejectedPointsError)) throw err;
          }
        }
        const acked: number[] = [];
        const rejected = [...entry.rejected];
        for (const e of events) {
          try {
            await this.writeTelemetry([toPoint(e)]);
            this.deps.metrics.telemetryPoints.inc();
            acked.push(e.seq);
          } catch (err) {
            if (!(err instanceof RejectedPointsError)) throw err;
            rejected.push({
              seq: e.seq,
              code: 'SCHEMA',
              message: `telemetry store refused the point: ${err.message.slice(0, 200)}`,
            });
            this.deps.metrics.rejections.inc({ code: 'SCHEMA' });
          }
        }
        if (rejected.length > entry.rejected.length) {
          this.deps.log.warn(
            { gatewayId: job.gatewayId, refused: rejected.length - entry.rejected.length },
            'telemetry points refused by the store: rejected',
          );
        }
        this.ack(job.gatewayId, 'telemetry', acked, rejected, []);
        const stored = new Set(acked);
        this.telemetryStored(
          job.gatewayId,
          events.filter((e) => stored.has(e.seq)),
        );
      } catch (err) {
        // Unavailable now: this batch and the ones not yet tried are deferred (written points
        // will be overwritten with themselves on the resend).
        this.storeFailed(err, entries.slice(i));
        return;
      }
    }
  }

  private markStoreDown(err: unknown): void {
    const { storeRetryMinMs, storeRetryMaxMs } = this.deps.config;
    this.storeBackoffMs =
      this.storeBackoffMs === 0
        ? storeRetryMinMs
        : Math.min(storeRetryMaxMs, this.storeBackoffMs * 2);
    // Full jitter on top of half the back-off spreads the gateways' retries apart.
    const delay = this.storeBackoffMs / 2 + Math.random() * (this.storeBackoffMs / 2);
    this.storeDownUntil = Date.now() + delay;
    this.deps.log.warn(
      { err: err instanceof Error ? err.message : String(err), retryInMs: Math.round(delay) },
      'telemetry store failing: telemetry deferred, alarms unaffected',
    );
  }

  private deferTelemetry(jobs: Job<TelemetryEvent>[], retryAfterMs: number): void {
    for (const job of jobs) {
      this.ack(
        job.gatewayId,
        'telemetry',
        [],
        job.rejected,
        job.events.map((e) => e.seq),
        retryAfterMs,
      );
    }
  }

  // ---- heartbeats and status --------------------------------------------------------------

  /**
   * Writes the coalesced heartbeats and statuses in pieces of LIVENESS_CHUNK gateways, with a turn
   * of the event loop (and the alarm lane) between pieces: at a storm's start every gateway says
   * "online" and sends a heartbeat in the same second, and one transaction for 2,000 of them
   * (~6,000 statements) held the event loop for ~0.2 s.
   */
  private async flushHeartbeats(): Promise<void> {
    if (this.heartbeats.size === 0 && this.statuses.size === 0) return;
    const heartbeats = [...this.heartbeats].map(([gatewayId, v]) => ({ gatewayId, ...v }));
    const statuses = [...this.statuses].map(([gatewayId, v]) => ({ gatewayId, ...v }));
    this.heartbeats.clear();
    this.statuses.clear();
    for (
      let from = 0;
      from < Math.max(heartbeats.length, statuses.length);
      from += LIVENESS_CHUNK
    ) {
      if (from > 0) await new Promise<void>((resolve) => setImmediate(resolve));
      await this.alarmsIdle();
      const beats = heartbeats.slice(from, from + LIVENESS_CHUNK);
      const states = statuses.slice(from, from + LIVENESS_CHUNK);
      try {
        await this.deps.gateways.recordLiveness(beats, states);
      } catch (err) {
        this.deps.log.error(
          { err, heartbeats: beats.length, statuses: states.length },
          'liveness not recorded',
        );
      }
    }
  }

  /** Stops the timers and finishes what is queued (bounded by `timeoutMs`). */
  async close(timeoutMs = 10_000): Promise<void> {
    this.closing = true;
    clearInterval(this.heartbeatTimer);
    clearInterval(this.intakeTimer);
    const deadline = Date.now() + timeoutMs;
    while (
      (this.alarmWorkerRunning ||
        this.alarmQueue.length > 0 ||
        this.telemetryWorkers > 0 ||
        this.telemetryQueue.length > 0) &&
      Date.now() < deadline
    ) {
      this.kickTelemetryWorkers();
      await new Promise((r) => setTimeout(r, 10));
    }
    await this.heartbeatFlush;
    await this.flushHeartbeats();
  }
}
