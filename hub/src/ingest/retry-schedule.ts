/**
 * When to tell a gateway to come back with telemetry the hub could not queue (issue 4: excess
 * telemetry is back-pressured to the gateways, never dropped).
 *
 * A fixed retryAfterMs sends every deferred gateway back at once: in a reconnect storm 2,000
 * gateways bounced every 5 s, and the hub spent its time parsing batches only to refuse them
 * again (measured: 619,452 deferred events for a 504,000-event backlog, connected gateways' alarm
 * p99 4.5 s). Instead each deferral books the next free slot on a virtual timeline that advances
 * at the rate the hub has been taking telemetry in (learnt each second): gateways return spread
 * out, about as fast as the hub can take them, so a backlog costs about one refusal per gateway.
 *
 * Pure: time comes in as arguments.
 */
export interface RetryScheduleOptions {
  /** Shortest wait given (also the wait when nothing is booked ahead). */
  minMs: number;
  /**
   * Booking horizon: a slot further ahead is not promised; the gateway is asked back within
   * (maxMs/2, maxMs] to book again. Long enough to cover a district's whole backlog: a short
   * horizon sends every gateway beyond it back to be refused again and again (measured at 10,000
   * gateways with 20 s: 12.4 million refusals, and the hub did little else).
   */
  maxMs: number;
  /** Assumed rate before any has been measured (points/s). */
  initialRatePerS: number;
  /** The rate is never taken below this (a stalled measurement must not stall retries). */
  floorRatePerS: number;
  /** Random spread added to each wait, as a fraction of it (a booked slot is not a hard time). */
  jitter: number;
}

/** What the hub saw over about a second. */
export interface IntakeWindow {
  /** Telemetry points written. */
  points: number;
  /** Wall time of the window (ms). */
  windowMs: number;
  /** Whether a write's worth of telemetry was still waiting at the end (the store was the limit). */
  backlogged: boolean;
}

export const DEFAULT_RETRY_SCHEDULE: RetryScheduleOptions = {
  minMs: 250,
  maxMs: 300_000,
  // What the hub absorbed during `anxin bench storm` on a 2-core machine (embedded store).
  initialRatePerS: 10_000,
  floorRatePerS: 500,
  jitter: 0.1,
};

/** Weight of the newest window in the rate (exponential moving average). */
const ALPHA = 0.3;
/** Speed-up when the queue ran dry while gateways were booked to wait: the rate was too low. */
const DRY_BOOST = 1.5;
/**
 * …but to at most this many times the intake last measured while backlogged: past it, a dry queue
 * means the gateways booked are late (slow links, or in `bench storm` at 10,000 gateways load
 * processes lagging 25-40 s), not that the hub could take more. Without the bound the rate ran
 * up to MAX_RATE_PER_S (200,000 points/s, against ~15,000 stored) and `anxin_telemetry_intake_rate`
 * told operators nothing.
 */
const DRY_BOOST_MAX_OVER_MEASURED = 2;
/** Above any one hub's intake: where the speed-up stops. */
const MAX_RATE_PER_S = 200_000;

export class RetrySchedule {
  private bookedUntil = 0;
  private rate: number;
  /** The intake measured in backlogged windows (moving average); undefined until one was seen. */
  private measured: number | undefined;

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
   * Learns the hub's intake rate. A backlogged window measures it directly (points written per
   * wall second while there was always more to write: parsing, the store and everything else the
   * hub did included). A window that ran dry while gateways were booked to wait says the rate is
   * too low: it grows by half, up to twice what was measured (DRY_BOOST_MAX_OVER_MEASURED). Other
   * windows say nothing about capacity.
   */
  recordWindow(w: IntakeWindow, now: number): void {
    if (w.windowMs <= 0) return;
    if (w.backlogged) {
      const measured = (w.points * 1000) / w.windowMs;
      this.measured =
        this.measured === undefined ? measured : ALPHA * measured + (1 - ALPHA) * this.measured;
      this.rate = Math.max(this.options.floorRatePerS, ALPHA * measured + (1 - ALPHA) * this.rate);
    } else if (this.bookedAheadMs(now) > this.options.minMs) {
      const bound =
        this.measured === undefined
          ? MAX_RATE_PER_S
          : Math.min(MAX_RATE_PER_S, DRY_BOOST_MAX_OVER_MEASURED * this.measured);
      this.rate = Math.max(this.rate, Math.min(bound, this.rate * DRY_BOOST));
    }
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
