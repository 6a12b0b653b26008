/**
 * When to tell a gateway to come back with telemetry the hub could not queue (issue 4: excess
 * telemetry is back-pressured to the gateways, never dropped).
 *
 * A fixed retryAfterMs sends every deferred gateway back at once: in a reconnect storm 2,000
 * gateways bounced every 5 s, and the hub spent its time parsing batches only to refuse them
 * again (measured: 619,452 deferred events for a 504,000-event backlog, connected gateways' alarm
 * p99 4.5 s). Instead each deferral books the next free slot on a virtual timeline that advances
 * at the rate the hub can take telemetry (learnt each second from the store's time and the event
 * loop's utilization): gateways return spread out, about as fast as the hub can take them while
 * keeping room for alarms, so a backlog costs roughly one refusal per gateway.
 *
 * Pure: time comes in as arguments.
 */
export interface RetryScheduleOptions {
  /** Shortest wait given (also the wait when nothing is booked ahead). */
  minMs: number;
  /**
   * Booking horizon: a slot further ahead is not promised; the gateway is asked back within
   * (maxMs/2, maxMs] to book again, so an early, poor guess of the rate binds for at most this long.
   */
  maxMs: number;
  /** Assumed rate before any has been measured (points/s). */
  initialRatePerS: number;
  /** The measured rate is never taken below this (a stalled measurement must not stall retries). */
  floorRatePerS: number;
  /**
   * The share of the hub's event loop telemetry may grow into: the rest stays free for alarms,
   * new connections and consoles (the hub is an alarm system first).
   */
  targetLoopUtilization: number;
  /** Random spread added to each wait, as a fraction of it (a booked slot is not a hard time). */
  jitter: number;
}

/** What the hub saw over about a second. */
export interface IntakeWindow {
  /** Telemetry points written. */
  points: number;
  /** Time with at least one store write in flight (ms). */
  storeBusyMs: number;
  /** Wall time of the window (ms). */
  windowMs: number;
  /** Share of the window the event loop was busy (perf_hooks eventLoopUtilization), 0–1. */
  loopUtilization: number;
}

export const DEFAULT_RETRY_SCHEDULE: RetryScheduleOptions = {
  minMs: 250,
  maxMs: 20_000,
  // What the hub absorbed during `anxin bench storm` on a 2-core machine, before pacing.
  initialRatePerS: 20_000,
  floorRatePerS: 500,
  targetLoopUtilization: 0.7,
  jitter: 0.1,
};

/** A window with less store time than this is too thin to measure (a trickle of small writes). */
const MIN_BUSY_MS = 50;
/** Utilization below this is treated as this (an idle hub does not promise infinite intake). */
const MIN_UTILIZATION = 0.05;
/** Weight of the newest window in the rate (exponential moving average). */
const ALPHA = 0.5;

export class RetrySchedule {
  private bookedUntil = 0;
  private rate: number;

  constructor(
    private readonly options: RetryScheduleOptions = DEFAULT_RETRY_SCHEDULE,
    private readonly random: () => number = Math.random,
  ) {
    this.rate = options.initialRatePerS;
  }

  /** Points/s the schedule currently assumes. */
  get ratePerS(): number {
    return this.rate;
  }

  /**
   * Learns the hub's intake capacity from a window: the lesser of what the store can take
   * (points per second of store time) and what the event loop can take within its target share
   * (throughput scaled from the utilization it cost). Capacity, not demand: a hub that was half
   * idle could have taken more.
   */
  recordWindow(w: IntakeWindow): void {
    if (w.points <= 0 || w.storeBusyMs < MIN_BUSY_MS || w.windowMs <= 0) return;
    const storeCapacity = (w.points * 1000) / w.storeBusyMs;
    const throughput = (w.points * 1000) / w.windowMs;
    const loopCapacity =
      (throughput / Math.max(MIN_UTILIZATION, Math.min(1, w.loopUtilization))) *
      this.options.targetLoopUtilization;
    const measured = Math.min(storeCapacity, loopCapacity);
    this.rate = Math.max(this.options.floorRatePerS, ALPHA * measured + (1 - ALPHA) * this.rate);
  }

  /** Books room for `events` deferred at `now`; returns the retryAfterMs to send. */
  book(events: number, now: number): number {
    const { minMs, maxMs, jitter } = this.options;
    const start = Math.max(this.bookedUntil, now);
    const slotAt = start + (Math.max(1, events) * 1000) / this.rate;
    if (slotAt - now > maxMs) {
      // Beyond the horizon: no slot is promised (the rate learnt by then will be better than
      // today's guess); the gateway is asked back somewhere in the horizon's second half, spread
      // so that those asked together do not return together, and books again then.
      this.bookedUntil = now + maxMs;
      return Math.round(maxMs / 2 + this.random() * (maxMs / 2));
    }
    this.bookedUntil = slotAt;
    return Math.round(Math.max(minMs, slotAt - now) * (1 + this.random() * jitter));
  }

  /** How far ahead slots are booked (0 when a deferral now would get the minimum wait). */
  bookedAheadMs(now: number): number {
    return Math.max(0, this.bookedUntil - now);
  }
}
