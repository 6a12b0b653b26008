import { describe, expect, it } from 'vitest';
import { makeAlarm } from '../testing/alarms';
import { isAlarmDto, parseSyncReply } from './validate';

describe('socket payload checks', () => {
  it('accepts a well-formed alarm', () => {
    expect(isAlarmDto(makeAlarm('fall'))).toBe(true);
    expect(
      isAlarmDto(makeAlarm('sos', { homeId: null, deviceId: null, outcome: 'false_alarm' })),
    ).toBe(true);
  });

  it.each([
    ['null', null],
    ['array', []],
    ['string', 'alarm'],
    ['unknown kind', { ...makeAlarm('fall'), kind: 'earthquake' }],
    ['bad priority', { ...makeAlarm('fall'), priority: 0 }],
    ['bad status', { ...makeAlarm('fall'), status: 'closed' }],
    ['missing id', { ...makeAlarm('fall'), id: undefined }],
    ['numeric receivedAt', { ...makeAlarm('fall'), receivedAt: 123 }],
    ['string test flag', { ...makeAlarm('fall'), test: 'no' }],
  ])('rejects %s', (_name, value) => {
    expect(isAlarmDto(value)).toBe(false);
  });

  it('keeps the valid alarms of a sync answer and counts the rest', () => {
    const good = makeAlarm('fall');
    expect(
      parseSyncReply({ alarms: [good, { id: 1 }, null], serverTime: '2026-11-22T10:00:00.000Z' }),
    ).toEqual({
      alarms: [good],
      dropped: 2,
      serverTime: '2026-11-22T10:00:00.000Z',
    });
    expect(parseSyncReply({ alarms: [] })).toEqual({ alarms: [], dropped: 0, serverTime: null });
    expect(parseSyncReply({ alarms: 'all' })).toBeNull();
    expect(parseSyncReply(undefined)).toBeNull();
  });
});
