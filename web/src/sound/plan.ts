/**
 * What the console should sound like, as a pure function of the queue: it rings for as long as a
 * real (non-test) alarm waits to be taken, urgently when one of them is life-safety. Test alarms
 * (home in test mode) never ring; they get a single soft chime when they arrive.
 */
import type { AlarmDto } from '@anxin/protocol';

export type RingPattern = 'urgent' | 'normal' | null;

export function ringPattern(alarms: readonly AlarmDto[]): RingPattern {
  let pattern: RingPattern = null;
  for (const alarm of alarms) {
    if (alarm.status !== 'open' || alarm.test) continue;
    if (alarm.priority === 1) return 'urgent';
    pattern = 'normal';
  }
  return pattern;
}

/** Seconds between repeats of each ring pattern. */
export const RING_INTERVAL_S: Readonly<Record<Exclude<RingPattern, null>, number>> = {
  urgent: 2,
  normal: 5,
};

/** One tone: frequency in Hz, start offset and duration in seconds, peak gain 0..1. */
export interface Tone {
  frequency: number;
  start: number;
  duration: number;
  gain: number;
}

/**
 * Tones of one repeat. Urgent: a falling two-note call, twice (like a nurse call); normal: one
 * two-note call; chime: one soft note. Frequencies sit in 500–1000 Hz, where hearing is most
 * sensitive and small speakers still reproduce well.
 */
export const PATTERN_TONES: Readonly<Record<'urgent' | 'normal' | 'chime', readonly Tone[]>> = {
  urgent: [
    { frequency: 988, start: 0, duration: 0.16, gain: 0.5 },
    { frequency: 740, start: 0.2, duration: 0.16, gain: 0.5 },
    { frequency: 988, start: 0.5, duration: 0.16, gain: 0.5 },
    { frequency: 740, start: 0.7, duration: 0.16, gain: 0.5 },
  ],
  normal: [
    { frequency: 784, start: 0, duration: 0.2, gain: 0.35 },
    { frequency: 587, start: 0.26, duration: 0.24, gain: 0.35 },
  ],
  chime: [{ frequency: 523, start: 0, duration: 0.35, gain: 0.2 }],
};

/** Ids of alarms in `next` that were not in `previous` (for the one-off chime of test alarms). */
export function newAlarmIds(previous: readonly AlarmDto[], next: readonly AlarmDto[]): string[] {
  const known = new Set(previous.map((a) => a.id));
  return next.filter((a) => !known.has(a.id)).map((a) => a.id);
}
