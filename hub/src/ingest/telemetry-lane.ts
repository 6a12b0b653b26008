/**
 * The telemetry lane (DESIGN.md contract clauses 3, 5, 7; issue 4): a bounded queue written to the
 * telemetry store in batches, acked only once the store accepted them, always after the alarm lane
 * (it waits for the alarm lane to be idle: alarms first, also for the disk's fsyncs). A full
 * queue, or a store that is down, answers `deferred` with retryAfterMs and the gateways hold the
 * events; deferred gateways are called back in order when there is room (telemetry-resume.ts).
 */
import type { TelemetryEvent } from '@anxin/protocol';
import type { Logger } from 'pino';
import type { HubMetrics } from '../metrics.js';
import {
  RejectedPointsError,
  withTimeout,
  type TelemetryPoint,
  type TelemetryStore,
} from '../telemetry/store.js';
import type { EventRejection } from './batch.js';
import { deferJobs, makeJob, type AckFn, type Job } from './jobs.js';
import { BoundedQueue } from './queue.js';
import { writeIsolating, type TelemetryEntry } from './telemetry-isolate.js';
import { TelemetryResume } from './telemetry-resume.js';

export interface TelemetryLaneConfig {
  telemetryQueueMaxEvents: number;
  telemetryConcurrency: number;
  telemetryBatchSize: number;
  telemetryFlushIntervalMs: number;
  telemetryWriteTimeoutMs: number;
  telemetryRetryMinMs: number;
  telemetryRetryMaxMs: number;
  overloadRetryAfterMs: number;
  storeRetryMinMs: number;
  storeRetryMaxMs: number;
}

export interface TelemetryLaneDeps {
  config: TelemetryLaneConfig;
  telemetry: TelemetryStore;
  metrics: HubMetrics;
  log: Logger;
  ack: AckFn;
  sendResume: (gatewayId: string) => void;
  /** Resolves when no alarm is waiting or being written (alarms first). */
  alarmsIdle: () => Promise<void>;
  onTelemetryStored?: (gatewayId: string, events: TelemetryEvent[]) => void;
}

export class TelemetryLane {
  readonly queue: BoundedQueue<Job<TelemetryEvent>>;
  private workers = 0;
  inFlight = 0;
  private storeDownUntil = 0;
  private storeBackoffMs = 0;
  private closing = false;
  readonly resume: TelemetryResume;

  constructor(private readonly deps: TelemetryLaneDeps) {
    this.queue = new BoundedQueue(deps.config.telemetryQueueMaxEvents);
    this.resume = new TelemetryResume({
      config: deps.config,
      queue: this.queue,
      metrics: deps.metrics,
      storeDown: () => Date.now() < this.storeDownUntil,
      closing: () => this.closing,
      sendResume: deps.sendResume,
    });
  }

  get storeDown(): boolean {
    return Date.now() < this.storeDownUntil;
  }

  /** Nothing queued or being written. */
  get idle(): boolean {
    return this.workers === 0 && this.queue.length === 0;
  }

  stopTaking(): void {
    this.closing = true;
  }

  accept(gatewayId: string, events: TelemetryEvent[], rejected: EventRejection[]): void {
    const job = makeJob(gatewayId, events, rejected);
    const now = Date.now();
    if (now < this.storeDownUntil) {
      this.defer([job], this.storeDownUntil - now);
      return;
    }
    if (this.closing) {
      this.defer([job], this.deps.config.overloadRetryAfterMs);
      return;
    }
    if (!this.queue.offer(job)) {
      this.defer([job], this.resume.book(gatewayId, job.size, now));
      return;
    }
    this.kick();
  }

  kick(): void {
    while (this.workers < this.deps.config.telemetryConcurrency && this.queue.length > 0) {
      this.workers += 1;
      void this.runWorker().finally(() => {
        this.workers -= 1;
      });
    }
  }

  private async runWorker(): Promise<void> {
    const { config } = this.deps;
    for (;;) {
      // Linger briefly for a fuller write when the queue holds less than one batch.
      if (
        this.queue.depthEvents < config.telemetryBatchSize &&
        config.telemetryFlushIntervalMs > 0 &&
        !this.closing
      ) {
        const oldest = this.queue.peek();
        const waited = oldest ? Date.now() - oldest.receivedAt : 0;
        const wait = config.telemetryFlushIntervalMs - waited;
        // Short (≤ flushIntervalMs) and never cancelled, so a worker cannot be left hanging.
        if (wait > 0) await new Promise<void>((r) => setTimeout(r, wait));
      }
      const jobs: Job<TelemetryEvent>[] = [];
      let points = 0;
      for (let next = this.queue.peek(); next; next = this.queue.peek()) {
        if (jobs.length > 0 && points + next.events.length > config.telemetryBatchSize) break;
        this.queue.shift();
        jobs.push(next);
        points += next.events.length;
      }
      if (jobs.length === 0) return;
      await this.processJobs(jobs);
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
  private async processJobs(jobs: Job<TelemetryEvent>[]): Promise<void> {
    const now = Date.now();
    if (now < this.storeDownUntil) {
      this.defer(jobs, this.storeDownUntil - now);
      return;
    }
    this.inFlight += jobs.length;
    try {
      const entries = jobs.map((job) => this.dedupe(job));
      const points: TelemetryPoint[] = [];
      for (const { job, events } of entries)
        for (const e of events) points.push(toPoint(job.gatewayId, e));
      if (points.length > 0) {
        // Alarms first, also for the disk: an alarm's commit does not queue behind this fsync.
        await this.deps.alarmsIdle();
        const started = process.hrtime.bigint();
        try {
          await this.write(points);
        } catch (err) {
          if (!(err instanceof RejectedPointsError)) {
            this.storeFailed(err, entries);
            return;
          }
          // Some data is refused for good: find it, reject it, and store the rest.
          await writeIsolating(this.isolateContext(), entries, err);
          return;
        }
        this.deps.metrics.telemetryWriteSeconds.observe(
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        this.deps.metrics.telemetryPoints.inc({}, points.length);
        this.resume.wrote(points.length);
        this.storeBackoffMs = 0;
      }
      for (const { job, events, rejected } of entries) {
        this.deps.ack(
          job.gatewayId,
          'telemetry',
          events.map((e) => e.seq),
          rejected,
          [],
        );
        this.stored(job.gatewayId, events);
      }
    } catch (err) {
      this.deps.log.error({ err }, 'telemetry batch failed: deferred');
      this.defer(jobs, this.deps.config.storeRetryMinMs);
    } finally {
      this.inFlight -= jobs.length;
    }
  }

  /** Duplicate seqs within one batch: the same id is written once, a different id is refused. */
  private dedupe(job: Job<TelemetryEvent>): TelemetryEntry {
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
  }

  private isolateContext() {
    return {
      log: this.deps.log,
      metrics: this.deps.metrics,
      ack: this.deps.ack,
      write: (points: TelemetryPoint[]) => this.write(points),
      stored: (gatewayId: string, events: TelemetryEvent[]) => this.stored(gatewayId, events),
      storeFailed: (err: unknown, entries: TelemetryEntry[]) => this.storeFailed(err, entries),
    };
  }

  /** Hands durable telemetry to the rules; a failing hook never touches the ack path. */
  private stored(gatewayId: string, events: TelemetryEvent[]): void {
    if (!this.deps.onTelemetryStored || events.length === 0) return;
    try {
      this.deps.onTelemetryStored(gatewayId, events);
    } catch (err) {
      this.deps.log.error({ err, gatewayId }, 'telemetry hook failed');
    }
  }

  private write(points: TelemetryPoint[]): Promise<void> {
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
      this.deps.ack(
        job.gatewayId,
        'telemetry',
        [],
        rejected,
        events.map((e) => e.seq),
        retry,
      );
    }
    this.defer(this.queue.drainAll(), retry);
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

  private defer(jobs: Job<TelemetryEvent>[], retryAfterMs: number): void {
    deferJobs(this.deps.ack, 'telemetry', jobs, retryAfterMs);
  }

  start(): void {
    this.resume.start();
  }

  close(): void {
    this.resume.close();
  }
}

export function toPoint(gatewayId: string, e: TelemetryEvent): TelemetryPoint {
  return { gatewayId, deviceId: e.deviceId, observedAt: e.observedAt, fields: e.fields };
}
