/**
 * Figures on a known set of alarms, checked by hand.
 */
import { describe, expect, it } from 'vitest';
import { computeFigures, percentile, type FigureAlarm } from './compute.js';

const T0 = Date.UTC(2026, 2, 10, 8, 0, 0);
const S = 1000;

function alarm(
  id: string,
  receivedAt: number,
  ackAfterS: number | null,
  resolveAfterS: number | null,
  extra: Partial<FigureAlarm> = {},
): FigureAlarm {
  return {
    id,
    kind: 'fall',
    priority: 1,
    receivedAt,
    acknowledgedAt: ackAfterS === null ? null : receivedAt + ackAfterS * S,
    acknowledgedBy: ackAfterS === null ? null : 'op1',
    resolvedAt: resolveAfterS === null ? null : receivedAt + resolveAfterS * S,
    resolvedBy: resolveAfterS === null ? null : 'op1',
    outcome: resolveAfterS === null ? null : 'handled_by_phone',
    status: resolveAfterS !== null ? 'resolved' : ackAfterS !== null ? 'acknowledged' : 'open',
    deviceKind: 'fall_radar',
    deviceId: 'radar-1',
    ...extra,
  };
}

describe('percentile (nearest rank)', () => {
  it('matches hand-computed ranks', () => {
    const xs = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentile(xs, 50)).toBe(5);
    expect(percentile(xs, 90)).toBe(9);
    expect(percentile([7], 90)).toBe(7);
    expect(percentile([], 50)).toBeNull();
  });
});

describe('computeFigures', () => {
  const alarms: FigureAlarm[] = [
    alarm('a1', T0, 10, 100),
    alarm('a2', T0 + 60 * S, 30, 300, { acknowledgedBy: 'op2', resolvedBy: 'op2' }),
    alarm('a3', T0 + 120 * S, 90, 600, {
      outcome: 'false_alarm',
      deviceKind: 'smoke',
      kind: 'smoke',
    }),
    alarm('a4', T0 + 180 * S, 200, null),
    // technical: not an alarm call, never counted in the answer shares
    alarm('a5', T0 + 240 * S, 5000, 6000, {
      priority: 3,
      kind: 'low_battery',
      outcome: 'false_alarm',
      deviceKind: 'smoke',
    }),
    // next day, still untaken and already older than 180 s at `now`
    alarm('a6', T0 + 86_400 * S, null, null, { deviceKind: null, deviceId: 'hub' }),
  ];
  const now = T0 + 86_400 * S + 600 * S;
  const f = computeFigures({
    alarms,
    openNow: [
      { receivedAt: now - 30 * S },
      { receivedAt: now - 120 * S },
      { receivedAt: now - 2 * 3600 * S },
      { receivedAt: now - 5 * 3600 * S },
    ],
    from: T0,
    to: T0 + 2 * 86_400 * S,
    now,
  });

  it('time to acknowledge and resolve, p50/p90', () => {
    expect(f.alarms).toBe(6);
    // ack times: 10, 30, 90, 200, 5000 → p50 = 90, p90 = 5000
    expect(f.acknowledge).toEqual({ count: 5, p50S: 90, p90S: 5000 });
    // resolve times: 100, 300, 600, 6000 → p50 = 300 (rank 2), p90 = 6000
    expect(f.resolve).toEqual({ count: 4, p50S: 300, p90S: 6000 });
    expect(f.perAlarm.find((a) => a.alarmId === 'a3')).toMatchObject({
      acknowledgeS: 90,
      resolveS: 600,
    });
    expect(f.perAlarm.find((a) => a.alarmId === 'a6')).toMatchObject({
      acknowledgeS: null,
      resolveS: null,
    });
  });

  it('answer shares against 97.5 % / 99 % over alarm calls (untaken and late counts as late)', () => {
    // calls: a1 10 s, a2 30 s, a3 90 s, a4 200 s, a6 untaken (600 s old) → 5 counted
    expect(f.answerShares).toEqual([
      { withinS: 60, share: 2 / 5, target: 0.975, met: false },
      { withinS: 180, share: 3 / 5, target: 0.99, met: false },
    ]);
  });

  it('per operator and per day', () => {
    expect(f.perOperator.map((o) => [o.username, o.acknowledged, o.resolved])).toEqual([
      ['op1', 4, 3],
      ['op2', 1, 1],
    ]);
    expect(f.perOperator[1]?.acknowledge).toEqual({ count: 1, p50S: 30, p90S: 30 });
    expect(f.perDay.map((d) => [d.day, d.alarms])).toEqual([
      ['2026-03-10', 5],
      ['2026-03-11', 1],
    ]);
    expect(f.perDay[1]?.answerShares[0]).toMatchObject({ share: 0, met: false });
  });

  it('open alarms by age bucket', () => {
    expect(f.openByAge.map((b) => [b.label, b.count])).toEqual([
      ['<1m', 1],
      ['1-5m', 1],
      ['5-15m', 0],
      ['15-60m', 0],
      ['1-4h', 1],
      ['>=4h', 1],
    ]);
  });

  it('false-alarm rate per device kind (resolved alarms only)', () => {
    expect(f.falseAlarmRates).toEqual([
      { deviceKind: 'fall_radar', resolved: 2, falseAlarms: 0, rate: 0 },
      { deviceKind: 'smoke', resolved: 2, falseAlarms: 2, rate: 1 },
    ]);
  });

  it('an alarm still young and untaken is not counted yet', () => {
    const young = computeFigures({
      alarms: [alarm('y', now - 20 * S, null, null)],
      openNow: [],
      from: T0,
      to: now,
      now,
    });
    expect(young.answerShares[0]).toMatchObject({ share: null, met: null });
  });
});
