import type { DecodeStats } from '../driver.js';

/** Mutable DecodeStats with counting helpers; `snapshot()` hands out a copy. */
export class StatsCounter {
  private framesOk = 0;
  private decodeErrors = 0;
  private readonly reasons: Record<string, number> = {};

  ok(): void {
    this.framesOk += 1;
  }

  reject(reason: string): void {
    this.decodeErrors += 1;
    this.reasons[reason] = (this.reasons[reason] ?? 0) + 1;
  }

  snapshot(): DecodeStats {
    return {
      framesOk: this.framesOk,
      decodeErrors: this.decodeErrors,
      rejectReasons: { ...this.reasons },
    };
  }
}
