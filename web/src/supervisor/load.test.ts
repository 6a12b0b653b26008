import type { AlarmDto, OperatorFiguresDto } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { longWaiting, operatorLoads, percent, seconds } from './load';

const alarm = (
  id: string,
  status: AlarmDto['status'],
  receivedAt: string,
  by: string | null = null,
  test = false,
): AlarmDto => ({
  id,
  gatewayId: 'gw',
  deviceId: null,
  homeId: 'h',
  kind: 'fall',
  priority: 1,
  status,
  test,
  gatewayTest: false,
  raisedAt: receivedAt,
  receivedAt,
  lastTriggerAt: receivedAt,
  triggerCount: 1,
  acknowledgedAt: by ? receivedAt : null,
  acknowledgedBy: by,
  resolvedAt: null,
  resolvedBy: null,
  outcome: null,
  notes: null,
  cancelledByResidentAt: null,
});

const stats = { count: 1, p50S: 20, p90S: 40 };

describe('supervisor summaries', () => {
  it('merges who holds alarms now with today figures, busiest first', () => {
    const figures: OperatorFiguresDto[] = [
      { username: 'wang', acknowledged: 9, resolved: 8, acknowledge: stats, resolve: stats },
      { username: 'li', acknowledged: 3, resolved: 3, acknowledge: stats, resolve: stats },
    ];
    const alarms = [
      alarm('1', 'acknowledged', '2026-11-22T10:00:00Z', 'li'),
      alarm('2', 'acknowledged', '2026-11-22T10:00:00Z', 'li'),
      alarm('3', 'acknowledged', '2026-11-22T10:00:00Z', 'zhao'),
      alarm('4', 'open', '2026-11-22T10:00:00Z'),
    ];
    expect(operatorLoads(alarms, figures).map((o) => [o.name, o.holding, o.acknowledged])).toEqual([
      ['li', 2, 3],
      ['zhao', 1, 0],
      ['wang', 0, 9],
    ]);
  });

  it('lists untaken real alarms past the threshold, longest first', () => {
    const now = Date.parse('2026-11-22T10:05:00Z');
    const alarms = [
      alarm('a', 'open', '2026-11-22T10:04:30Z'),
      alarm('b', 'open', '2026-11-22T10:01:00Z'),
      alarm('c', 'open', '2026-11-22T10:00:00Z'),
      alarm('d', 'acknowledged', '2026-11-22T09:00:00Z', 'li'),
      alarm('e', 'open', '2026-11-22T09:00:00Z', null, true),
    ];
    expect(longWaiting(alarms, now, 60).map((a) => a.id)).toEqual(['c', 'b']);
  });

  it('formats shares without rounding a miss up to the target', () => {
    expect(percent(0.9749)).toBe('97.4 %');
    expect(percent(1)).toBe('100.0 %');
    expect(percent(null)).toBe('—');
  });

  it('formats durations for people', () => {
    expect(seconds(0.909)).toBe('0.9 s');
    expect(seconds(71.4)).toBe('71 s');
    expect(seconds(null)).toBe('—');
  });
});
