import { describe, expect, it } from 'vitest';
import { makeAlarm } from '../testing/alarms';
import { PATTERN_TONES, RING_INTERVAL_S, newAlarmIds, ringPattern } from './plan';

describe('ring pattern', () => {
  it('is silent with nothing waiting', () => {
    expect(ringPattern([])).toBeNull();
    expect(ringPattern([makeAlarm('fall', { status: 'acknowledged' })])).toBeNull();
  });

  it('rings urgently while a life-safety alarm waits, normally for the others', () => {
    expect(ringPattern([makeAlarm('water_leak')])).toBe('normal');
    expect(ringPattern([makeAlarm('low_battery'), makeAlarm('sos')])).toBe('urgent');
    expect(
      ringPattern([makeAlarm('sos', { status: 'acknowledged' }), makeAlarm('inactivity')]),
    ).toBe('normal');
  });

  it('never rings for test alarms (home in test mode)', () => {
    expect(ringPattern([makeAlarm('fall', { test: true })])).toBeNull();
  });

  it('repeats urgent calls more often, and every tone is audible and short', () => {
    expect(RING_INTERVAL_S.urgent).toBeLessThan(RING_INTERVAL_S.normal);
    for (const tones of Object.values(PATTERN_TONES)) {
      for (const tone of tones) {
        expect(tone.frequency).toBeGreaterThanOrEqual(400);
        expect(tone.frequency).toBeLessThanOrEqual(1200);
        expect(tone.gain).toBeGreaterThan(0);
        expect(tone.gain).toBeLessThanOrEqual(1);
        expect(tone.start + tone.duration).toBeLessThan(RING_INTERVAL_S.urgent);
      }
    }
  });

  it('finds newly arrived alarms', () => {
    const a = makeAlarm('fall');
    const b = makeAlarm('sos');
    expect(newAlarmIds([a], [a, b])).toEqual([b.id]);
    expect(newAlarmIds([a, b], [b])).toEqual([]);
  });
});
