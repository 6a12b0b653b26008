/**
 * The alarm lane (DESIGN.md contract clauses 2–4; issue 4): its own bounded queue and worker,
 * always served first. Everything queued (up to a bound) is committed to SQL in one transaction
 * (group commit), pushed to consoles as soon as it is committed, and acked once the commit is on
 * the disk (store/relaxed-durability.ts: an operator waits for the push; a gateway's ack only
 * frees its outbox, so it alone waits for the fsync, and the lane takes the next group meanwhile).
 * A failed commit or fsync defers, never drops.
 */
import type { AlarmDto, AlarmEvent } from '@anxin/protocol';
import type { Logger } from 'pino';
import type { HubMetrics } from '../metrics.js';
import type { AlarmCareFields } from '../alarms/rows.js';
import type { AlarmBatchOutcome } from '../alarms/device-batches.js';
import type { AlarmStore } from '../store/alarms.js';
import { preciseNow, type AlarmTrace } from './alarm-trace.js';
import type { EventRejection } from './batch.js';
import { deferJobs, makeJob, type AckFn, type Job } from './jobs.js';
import { BoundedQueue } from './queue.js';

/**
 * Most alarm events committed in one transaction. better-sqlite3 holds the event loop for the
 * whole transaction, so the bound keeps a replayed backlog from stalling the broker and consoles
 * for long. Measured on the 2-core test machine (prepared statements, synchronous = FULL; 50
 * gateways × 10 events): a group of 500 new events took 35–85 ms (70–170 µs per event, most of
 * them joining an alarm opened earlier in the group), the same 500 replayed 2.3–4.6 ms.
 */
export const ALARM_GROUP_COMMIT_EVENTS = 500;

export interface AlarmLaneDeps {
  maxEvents: number;
  overloadRetryAfterMs: number;
  storeRetryMinMs: number;
  alarms: Pick<AlarmStore, 'commitBatches'>;
  metrics: HubMetrics;
  log: Logger;
  ack: AckFn;
  onAlarmChanges: AlarmChangesListener;
  trace: AlarmTrace | undefined;
  /**
   * Resolves, once the console pushes handed over so far have been emitted, with the moment
   * (preciseNow) the last of them was (Realtime.pushesEmittedAt): the trace's pushedAt is the
   * real emit, not when the change was handed over or when every listener was done.
   */
  pushesSent?: () => Promise<number>;
}

/** Alarms a group commit opened and changed, with the care fields known for some of them. */
export type AlarmChangesListener = (
  created: AlarmDto[],
  updated: AlarmDto[],
  careFields: ReadonlyMap<string, AlarmCareFields>,
) => void;

export class AlarmLane {
  private readonly queue: BoundedQueue<Job<AlarmEvent>>;
  private running = false;
  /** Groups committed and pushed whose fsync (and so whose acks) is still to come. */
  private awaitingDisk = 0;
  private idleWaiters: (() => void)[] = [];
  private closing = false;

  constructor(private readonly deps: AlarmLaneDeps) {
    this.queue = new BoundedQueue(deps.maxEvents);
  }

  get depthEvents(): number {
    return this.queue.depthEvents;
  }

  /** Nothing queued, being written or waiting for the disk to ack. */
  get idle(): boolean {
    return !this.running && this.queue.length === 0 && this.awaitingDisk === 0;
  }

  /** From now on the lane defers what arrives (the gateway sends it to the next hub process). */
  stopTaking(): void {
    this.closing = true;
  }

  accept(gatewayId: string, events: AlarmEvent[], rejected: EventRejection[]): void {
    const job = makeJob(gatewayId, events, rejected);
    const seqs = () => job.events.map((e) => e.seq);
    if (this.closing) {
      this.deps.ack(gatewayId, 'alarm', [], rejected, seqs(), this.deps.overloadRetryAfterMs);
      return;
    }
    if (!this.queue.offer(job)) {
      // Never dropped: the gateway keeps the alarms and sends them again.
      this.deps.log.error(
        { gatewayId, depth: this.queue.depthEvents },
        'alarm queue full: alarms deferred',
      );
      this.deps.ack(gatewayId, 'alarm', [], rejected, seqs(), this.deps.overloadRetryAfterMs);
      return;
    }
    this.kick();
  }

  /** Resolves when no alarm is waiting or being written. */
  whenIdle(): Promise<void> {
    if (this.idle) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private kick(): void {
    if (this.running) return;
    this.running = true;
    // An idle lane starts at once, right after the packet that brought the alarm (a microtask),
    // not after the event loop's whole I/O phase: at 10,000 telemetry msg/s from 2,000 gateways
    // one phase reads hundreds of sockets, and an alarm waited for all of them (bench latency:
    // hub receive → SQL start p99 147 ms, 226 ms at 20,000). Group commit is kept where it
    // matters: alarms that queue up behind a transaction (a capped group in a replay, or a
    // PostgreSQL commit's round trip) go into the next one together.
    queueMicrotask(() => void this.run());
  }

  private async run(): Promise<void> {
    try {
      for (;;) {
        // Group commit: everything queued (up to a bound) goes into one transaction.
        const jobs: Job<AlarmEvent>[] = [];
        let events = 0;
        for (let next = this.queue.peek(); next; next = this.queue.peek()) {
          if (jobs.length > 0 && events + next.size > ALARM_GROUP_COMMIT_EVENTS) break;
          this.queue.shift();
          jobs.push(next);
          events += next.size;
        }
        if (jobs.length === 0) break;
        await this.process(jobs);
        // Nothing waiting: stop, so the next alarm starts the lane at once (kick) instead of
        // waiting for an I/O phase to end. Something waiting: let sockets be read first, so the
        // next group is as full as it can be and a replayed backlog does not starve the loop.
        if (this.queue.length === 0) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.running = false;
      this.wakeIdleWaiters();
    }
  }

  private wakeIdleWaiters(): void {
    if (!this.idle) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  private async process(jobs: Job<AlarmEvent>[]): Promise<void> {
    const { ack, metrics } = this.deps;
    const work = jobs.filter((j) => j.events.length > 0);
    for (const j of jobs) if (j.events.length === 0) ack(j.gatewayId, 'alarm', [], j.rejected, []);
    if (work.length === 0) return;
    const started = process.hrtime.bigint();
    const sqlStartedAt = this.deps.trace ? preciseNow() : 0;
    try {
      const { outcomes, durable } = await this.deps.alarms.commitBatches(work);
      const committedAt = this.deps.trace ? preciseNow() : 0;
      metrics.sqlWriteSeconds.observe(Number(process.hrtime.bigint() - started) / 1e9);
      const created: AlarmDto[] = [];
      const updated: AlarmDto[] = [];
      const careFields = new Map<string, AlarmCareFields>();
      for (const outcome of outcomes) {
        created.push(...outcome.created);
        updated.push(...outcome.updated);
        for (const [id, fields] of outcome.careFields) careFields.set(id, fields);
      }
      if (created.length > 0 || updated.length > 0) {
        // Committed: a failing listener must not keep the acks (or turn them into a deferral).
        try {
          this.deps.onAlarmChanges(created, updated, careFields);
        } catch (err) {
          this.deps.log.error({ err }, 'alarm changes listener failed (alarms are stored)');
        }
      }
      this.awaitingDisk += 1;
      void durable
        .then(
          () => this.ackDurable(work, outcomes),
          (err: unknown) => this.deferAll(work, err, 'alarm commit could not be made durable'),
        )
        .catch((err: unknown) => this.deps.log.error({ err }, 'alarm acks failed'))
        .finally(() => {
          this.awaitingDisk -= 1;
          this.wakeIdleWaiters();
        });
      const trace = this.deps.trace;
      if (trace) {
        const record = (pushedAt: number) => {
          trace.record(
            work.flatMap((job, i) =>
              (outcomes[i]?.acked ?? []).map((seq) => ({
                gatewayId: job.gatewayId,
                seq,
                receivedAt: job.arrivedAt,
                sqlStartedAt,
                committedAt,
                pushedAt,
              })),
            ),
          );
        };
        const now = () => record(preciseNow());
        if (this.deps.pushesSent) void this.deps.pushesSent().then(record, now);
        else now();
      }
    } catch (err) {
      this.deferAll(work, err, 'alarm batches could not be stored: deferred');
    }
  }

  private ackDurable(work: Job<AlarmEvent>[], outcomes: AlarmBatchOutcome[]): void {
    const { ack, metrics } = this.deps;
    work.forEach((job, i) => {
      const outcome = outcomes[i];
      if (!outcome) return;
      metrics.alarmsStored.inc({}, outcome.stored);
      ack(job.gatewayId, 'alarm', outcome.acked, [...job.rejected, ...outcome.rejected], []);
      metrics.alarmAckSeconds.observe(Number(process.hrtime.bigint() - job.arrivedNs) / 1e9);
      for (const r of outcome.rejected) metrics.rejections.inc({ code: r.code });
    });
  }

  /** Never dropped: the gateways keep these alarms and send them again after `storeRetryMinMs`. */
  private deferAll(work: Job<AlarmEvent>[], err: unknown, message: string): void {
    this.deps.log.error({ err, batches: work.length }, message);
    deferJobs(this.deps.ack, 'alarm', work, this.deps.storeRetryMinMs);
  }
}
