/**
 * Exponential backoff with "full jitter" (each delay uniform in [min, min(max, min·2^n)]), so that
 * 20,000 gateways that lost their uplink together do not come back in lock-step (DESIGN.md, Load
 * model: the reconnect storm).
 */
export interface BackoffOptions {
  minMs: number;
  maxMs: number;
  /** Random source in [0, 1); injectable for tests. */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly random: () => number;

  constructor(private readonly options: BackoffOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Delay before the next attempt; each call widens the window until maxMs. */
  next(): number {
    const { minMs, maxMs } = this.options;
    const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(this.attempt, 30));
    this.attempt += 1;
    return Math.round(minMs + this.random() * Math.max(0, ceiling - minMs));
  }

  /** After a success: the next failure starts from minMs again. */
  reset(): void {
    this.attempt = 0;
  }

  get attempts(): number {
    return this.attempt;
  }
}
