/**
 * Calling deferred gateways back (issue 4, DESIGN.md contract clause 7). A gateway whose telemetry
 * found the queue full is booked a slot (retry-schedule.ts) paced by the store's measured intake;
 * when the queue has room again the hub calls the next ones back at once (a resume ack) rather
 * than leaving the room empty until their booked slot: the slot is only the fallback.
 */
import type { HubMetrics } from '../metrics.js';
import { DEFAULT_RETRY_SCHEDULE, RetrySchedule } from './retry-schedule.js';

/** Events a resumed gateway is expected to send per batch (the gateways' default batchSize). */
const RESUME_BATCH_EVENTS_GUESS = 200;
/** Store writes' worth of telemetry the hub calls deferred gateways back for at a time. */
const RESUME_QUEUE_WRITES = 1;
/** A gateway called back is called again after this if it is still waiting for its slot. */
const RESUME_AGAIN_MS = 3000;
/**
 * How often deferred gateways are called back while the queue has room, besides after each write.
 * A queue that ran dry brings no writes to call more on, and the once-a-second intake sample alone
 * called back ~12 gateways a pass: in `bench storm` at 10,000 gateways the hub then stored ~10,000
 * points/s with its queue empty for 200 s while 8,000 gateways held their backlog for booked slots.
 */
const RESUME_PASS_MS = 200;

export interface TelemetryResumeDeps {
  config: {
    telemetryQueueMaxEvents: number;
    telemetryBatchSize: number;
    telemetryRetryMinMs: number;
    telemetryRetryMaxMs: number;
  };
  /** The telemetry queue, for its depth. */
  queue: { readonly depthEvents: number };
  metrics: HubMetrics;
  storeDown: () => boolean;
  closing: () => boolean;
  /** Sends the resume ack (resumeAck('telemetry')) to a gateway. */
  sendResume: (gatewayId: string) => void;
}

export class TelemetryResume {
  /** When gateways whose telemetry found the queue full should come back. */
  private readonly schedule: RetrySchedule;
  /** Gateways holding telemetry the hub deferred for a full queue, oldest first. */
  private readonly waiting = new Map<string, { slotAt: number; resumedAt: number }>();
  /** The current one-second intake window (sampleIntake). */
  private windowPoints = 0;
  private windowStartedAt = Date.now();
  private timer: NodeJS.Timeout | undefined;
  private passTimer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: TelemetryResumeDeps) {
    this.schedule = new RetrySchedule({
      ...DEFAULT_RETRY_SCHEDULE,
      minMs: deps.config.telemetryRetryMinMs,
      maxMs: Math.max(deps.config.telemetryRetryMinMs, deps.config.telemetryRetryMaxMs),
    });
  }

  /** Starts sampling the intake (issue 14: constructors start nothing). */
  start(): void {
    this.timer ??= setInterval(() => this.sampleIntake(), 1000);
    this.passTimer ??= setInterval(() => this.resumeWaiting(), RESUME_PASS_MS);
  }

  get ratePerS(): number {
    return this.schedule.ratePerS;
  }

  bookedAheadMs(now: number): number {
    return this.schedule.bookedAheadMs(now);
  }

  get waitingGateways(): number {
    return this.waiting.size;
  }

  /** The queue is full for this gateway's job: book it a slot; returns its retryAfterMs. */
  book(gatewayId: string, size: number, now: number): number {
    const retryAfterMs = this.schedule.book(size, now);
    const slotAt = Math.max(now + retryAfterMs, this.waiting.get(gatewayId)?.slotAt ?? 0);
    this.waiting.delete(gatewayId); // to the back of the line
    this.waiting.set(gatewayId, { slotAt, resumedAt: 0 });
    return retryAfterMs;
  }

  /** The store took `points`: count them for the intake window, and call gateways back. */
  wrote(points: number): void {
    this.windowPoints += points;
    this.resumeWaiting();
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
    if (this.waiting.size === 0 || this.deps.closing() || this.deps.storeDown()) return;
    const now = Date.now();
    const { config, queue } = this.deps;
    const perGateway = 2 * RESUME_BATCH_EVENTS_GUESS;
    // Enough queued to keep the store writing back to back, no more: a longer queue only adds
    // work to every turn of the event loop, and alarms wait behind the turn.
    const target = Math.min(
      config.telemetryQueueMaxEvents,
      RESUME_QUEUE_WRITES * config.telemetryBatchSize,
    );
    let room = target - queue.depthEvents;
    for (const [gatewayId, waiting] of this.waiting) {
      if (now >= waiting.slotAt) {
        this.waiting.delete(gatewayId); // its own slot has come
        continue;
      }
      if (now - waiting.resumedAt < RESUME_AGAIN_MS || room < perGateway) break;
      room -= perGateway;
      this.waiting.delete(gatewayId);
      this.waiting.set(gatewayId, { slotAt: waiting.slotAt, resumedAt: now });
      this.deps.metrics.telemetryResumes.inc();
      this.deps.sendResume(gatewayId);
    }
  }

  /** Once a second: what the telemetry intake achieved, for the retry schedule to learn from. */
  private sampleIntake(): void {
    const now = Date.now();
    this.schedule.recordWindow(
      {
        points: this.windowPoints,
        windowMs: now - this.windowStartedAt,
        backlogged: this.deps.queue.depthEvents >= this.deps.config.telemetryBatchSize,
      },
      now,
    );
    this.windowPoints = 0;
    this.windowStartedAt = now;
    this.resumeWaiting();
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.passTimer);
  }
}
