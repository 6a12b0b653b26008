/**
 * Timers a test fires by hand, over a clock it moves by hand (control/test-mode.ts `Timers`):
 * a 60-minute test-mode window ends in a test without waiting an hour.
 */
import type { Timers } from '../control/test-mode.js';

export class ManualClock implements Timers {
  private readonly pending: { at: number; fn: () => void; done: boolean }[] = [];

  constructor(public now: number) {}

  after(ms: number, fn: () => void): () => void {
    const timer = { at: this.now + ms, fn, done: false };
    this.pending.push(timer);
    return () => {
      timer.done = true;
    };
  }

  /** Timers scheduled and neither fired nor cancelled. */
  get waiting(): number {
    return this.pending.filter((t) => !t.done).length;
  }

  /** Moves the clock on and fires every timer that fell due, in order. */
  advance(ms: number): void {
    this.now += ms;
    const due = this.pending.filter((t) => !t.done && t.at <= this.now).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      timer.done = true;
      timer.fn();
    }
  }

  /** Fires every waiting timer now, whatever its time (for a real-clock gateway in a test). */
  fireAll(): void {
    const due = this.pending.filter((t) => !t.done);
    for (const timer of due) {
      timer.done = true;
      timer.fn();
    }
  }
}
