/**
 * A Clock that moves only when the test says so (test support). `advanceTo` sets the time and runs
 * every repeating timer that fell due, once, waiting for the work each one returns — so after it
 * resolves, a pass that saw the new time has finished and its outcome can be asserted, with no
 * sleep on a real timer.
 */
import type { Clock } from '../clock.js';

interface Repeating {
  ms: number;
  next: number;
  fn: () => unknown;
}

export class ManualClock implements Clock {
  private readonly timers = new Set<Repeating>();

  constructor(private t: number = Date.now()) {}

  now(): number {
    return this.t;
  }

  every(ms: number, fn: () => unknown): () => void {
    const timer: Repeating = { ms, next: this.t + ms, fn };
    this.timers.add(timer);
    return () => void this.timers.delete(timer);
  }

  /** Timers registered and not stopped (a stopped part leaves none). */
  get pending(): number {
    return this.timers.size;
  }

  advance(ms: number): Promise<void> {
    return this.advanceTo(this.t + ms);
  }

  async advanceTo(t: number): Promise<void> {
    if (t < this.t) throw new Error(`the clock does not go back (${t} < ${this.t})`);
    this.t = t;
    for (const timer of [...this.timers]) {
      if (timer.next > t) continue;
      timer.next = t + timer.ms;
      // Twice: the first call may only join a pass that started before the time moved (the
      // escalator runs one pass at a time); the second starts one that sees the new time.
      await timer.fn();
      await timer.fn();
    }
  }
}
