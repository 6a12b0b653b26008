import { describe, expect, it } from 'vitest';
import {
  AGE_LATE_AFTER_S,
  AGE_OVERDUE_AFTER_S,
  ageLevel,
  alarmAgeSeconds,
  clockOffsetMs,
  formatAge,
} from './age';

describe('alarm age', () => {
  it('turns amber at the 60 s answer target and red at 180 s', () => {
    expect(AGE_LATE_AFTER_S).toBe(60);
    expect(AGE_OVERDUE_AFTER_S).toBe(180);
    expect(ageLevel(0)).toBe('fresh');
    expect(ageLevel(59)).toBe('fresh');
    expect(ageLevel(60)).toBe('late');
    expect(ageLevel(179)).toBe('late');
    expect(ageLevel(180)).toBe('overdue');
    expect(ageLevel(86_400)).toBe('overdue');
  });

  it('formats mm:ss with minutes past the hour', () => {
    expect(formatAge(0)).toBe('00:00');
    expect(formatAge(9.9)).toBe('00:09');
    expect(formatAge(61)).toBe('01:01');
    expect(formatAge(3599)).toBe('59:59');
    expect(formatAge(4500)).toBe('75:00');
    expect(formatAge(-5)).toBe('00:00');
  });

  it('counts from when the hub received the alarm, on the hub clock, never negative', () => {
    const alarm = { receivedAt: '2026-11-22T10:00:00.000Z' };
    const now = Date.parse('2026-11-22T10:01:30.400Z');
    expect(alarmAgeSeconds(alarm, now)).toBe(90);
    // Browser clock 20 s behind the hub: the offset corrects it.
    expect(alarmAgeSeconds(alarm, now - 20_000, 20_000)).toBe(90);
    expect(alarmAgeSeconds(alarm, Date.parse('2026-11-22T09:59:00.000Z'))).toBe(0);
    expect(alarmAgeSeconds({ receivedAt: 'not a date' }, now)).toBe(0);
  });

  it('derives the clock offset from the sync answer', () => {
    const now = Date.parse('2026-11-22T10:00:00.000Z');
    expect(clockOffsetMs('2026-11-22T10:00:05.000Z', now)).toBe(5000);
    expect(clockOffsetMs('garbage', now)).toBe(0);
  });
});
