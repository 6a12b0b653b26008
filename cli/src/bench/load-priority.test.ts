/** The load priority's env value and its name in reports (pure; the worker test applies it). */
import { describe, expect, it } from 'vitest';
import { describeLoadPriority, parseLoadPriority } from './load-priority.js';

describe('load priority', () => {
  it('reads "idle" or a niceness 0–19; unset is the parent’s (0)', () => {
    expect(parseLoadPriority(undefined)).toBe(0);
    expect(parseLoadPriority('idle')).toBe('idle');
    expect(parseLoadPriority('0')).toBe(0);
    expect(parseLoadPriority('19')).toBe(19);
    for (const bad of ['', '20', '-1', '1.5', 'IDLE', 'low'])
      expect(() => parseLoadPriority(bad), bad).toThrow(/ANXIN_BENCH_LOAD_PRIORITY/);
  });

  it('names it as the report prints it', () => {
    expect(describeLoadPriority('idle')).toBe('SCHED_IDLE');
    expect(describeLoadPriority(10)).toBe('nice 10');
  });
});
