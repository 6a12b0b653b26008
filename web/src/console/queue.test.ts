import { compareAlarmsForQueue, type AlarmDto } from '@anxin/protocol';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeAlarm } from '../testing/alarms';
import {
  RESOLVED_MEMORY,
  alarmToTake,
  initialQueueState,
  isSameOrNewer,
  moveSelection,
  queueCounts,
  queueReducer,
  type QueueState,
} from './queue';

const ids = (state: QueueState) => state.alarms.map((a) => a.id);
const sync = (state: QueueState, alarms: AlarmDto[]) =>
  queueReducer(state, { type: 'sync', alarms });
const upsert = (state: QueueState, alarm: AlarmDto) =>
  queueReducer(state, { type: 'upsert', alarm });

describe('queue reducer', () => {
  it('sync replaces the whole list, in queue order, and marks it synced', () => {
    const old = makeAlarm('low_battery');
    let state = upsert(initialQueueState, old);
    const leak = makeAlarm('water_leak', { raisedAt: '2026-11-22T09:00:00.000Z' });
    const fall = makeAlarm('fall', { raisedAt: '2026-11-22T11:00:00.000Z' });
    const sos = makeAlarm('sos', { raisedAt: '2026-11-22T10:30:00.000Z' });
    state = sync(state, [leak, fall, sos]);
    expect(ids(state)).toEqual([sos.id, fall.id, leak.id]); // `old` is gone: the hub's list is the truth
    expect(state.synced).toBe(true);
  });

  it('sync drops resolved alarms and duplicate ids (nothing shown twice)', () => {
    const a = makeAlarm('fall');
    const acked = { ...a, status: 'acknowledged' as const };
    const resolved = makeAlarm('sos', { status: 'resolved' });
    const state = sync(initialQueueState, [a, acked, resolved, a]);
    expect(state.alarms).toEqual([acked]);
  });

  it('upsert inserts a new alarm in order and replaces an existing one by id', () => {
    const leak = makeAlarm('water_leak');
    const fall = makeAlarm('fall');
    let state = sync(initialQueueState, [leak]);
    state = upsert(state, fall);
    expect(ids(state)).toEqual([fall.id, leak.id]);
    const taken = { ...fall, status: 'acknowledged' as const, acknowledgedBy: 'op' };
    state = upsert(state, taken);
    expect(state.alarms).toHaveLength(2);
    expect(state.alarms[0]).toEqual(taken);
    expect(upsert(state, taken).alarms).toEqual(state.alarms); // idempotent
  });

  it('a resolved alarm leaves the queue and a late, older push cannot bring it back', () => {
    const fall = makeAlarm('fall');
    let state = sync(initialQueueState, [fall]);
    state = upsert(state, { ...fall, status: 'resolved', outcome: 'false_alarm' });
    expect(state.alarms).toEqual([]);
    state = upsert(state, { ...fall, status: 'acknowledged' });
    expect(state.alarms).toEqual([]);
    // A resolved push for an alarm we never saw changes nothing visible.
    expect(upsert(state, makeAlarm('sos', { status: 'resolved' })).alarms).toEqual([]);
  });

  it('never moves an alarm backwards in its lifecycle (a stale push after a sync)', () => {
    const fall = makeAlarm('fall');
    const taken = { ...fall, status: 'acknowledged' as const };
    const state = sync(initialQueueState, [taken]);
    expect(upsert(state, fall)).toBe(state);
    const moreTriggers = { ...taken, triggerCount: 3 };
    const after = upsert(state, moreTriggers);
    expect(after.alarms[0]?.triggerCount).toBe(3);
    expect(upsert(after, { ...taken, triggerCount: 2 })).toBe(after);
  });

  it('forgets resolved ids on sync, and remembers a bounded number', () => {
    let state = initialQueueState;
    for (let i = 0; i < RESOLVED_MEMORY + 10; i += 1)
      state = upsert(state, makeAlarm('sos', { status: 'resolved' }));
    expect(state.resolvedIds).toHaveLength(RESOLVED_MEMORY);
    expect(sync(state, []).resolvedIds).toEqual([]);
  });

  it('unsynced marks the list stale without dropping it', () => {
    const state = sync(initialQueueState, [makeAlarm('fall')]);
    const stale = queueReducer(state, { type: 'unsynced' });
    expect(stale.synced).toBe(false);
    expect(stale.alarms).toBe(state.alarms);
  });

  it('keeps queue order under any sequence of upserts (property)', () => {
    const kinds = [
      'fall',
      'sos',
      'water_leak',
      'inactivity',
      'low_battery',
      'gateway_offline',
    ] as const;
    const arbAlarm = fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      kind: fc.constantFrom(...kinds),
      status: fc.constantFrom('open', 'acknowledged', 'resolved'),
      minute: fc.integer({ min: 0, max: 59 }),
      triggers: fc.integer({ min: 1, max: 5 }),
    });
    fc.assert(
      fc.property(fc.array(arbAlarm, { maxLength: 40 }), (items) => {
        let state = initialQueueState;
        for (const item of items) {
          const at = `2026-11-22T10:${String(item.minute).padStart(2, '0')}:00.000Z`;
          state = upsert(
            state,
            makeAlarm(item.kind, {
              id: item.id,
              status: item.status,
              raisedAt: at,
              triggerCount: item.triggers,
            }),
          );
        }
        const sorted = [...state.alarms].sort(compareAlarmsForQueue);
        expect(state.alarms).toEqual(sorted);
        expect(new Set(ids(state)).size).toBe(state.alarms.length);
        expect(state.alarms.every((a) => a.status !== 'resolved')).toBe(true);
      }),
    );
  });
});

describe('isSameOrNewer', () => {
  it('orders by lifecycle, then trigger count, then latest trigger', () => {
    const open = makeAlarm('fall');
    expect(isSameOrNewer({ ...open, status: 'acknowledged' }, open)).toBe(true);
    expect(isSameOrNewer(open, { ...open, status: 'acknowledged' })).toBe(false);
    expect(isSameOrNewer({ ...open, triggerCount: 2 }, open)).toBe(true);
    expect(isSameOrNewer(open, { ...open, triggerCount: 2 })).toBe(false);
    expect(isSameOrNewer({ ...open, lastTriggerAt: '2030-01-01T00:00:00.000Z' }, open)).toBe(true);
    expect(isSameOrNewer(open, { ...open, lastTriggerAt: '2030-01-01T00:00:00.000Z' })).toBe(false);
  });
});

describe('selection helpers', () => {
  const a = makeAlarm('fall', { status: 'acknowledged' });
  const b = makeAlarm('sos');
  const c = makeAlarm('water_leak');
  const list = [a, b, c];

  it('alarmToTake prefers the selected waiting alarm, else the first waiting one', () => {
    expect(alarmToTake(list, c.id)).toBe(c);
    expect(alarmToTake(list, a.id)).toBe(b);
    expect(alarmToTake(list, null)).toBe(b);
    expect(alarmToTake([a], null)).toBeNull();
  });

  it('moveSelection clamps at both ends and starts at the top', () => {
    expect(moveSelection(list, null, 1)).toBe(a.id);
    expect(moveSelection(list, a.id, 1)).toBe(b.id);
    expect(moveSelection(list, c.id, 1)).toBe(c.id);
    expect(moveSelection(list, a.id, -1)).toBe(a.id);
    expect(moveSelection(list, 'gone', -1)).toBe(a.id);
    expect(moveSelection([], null, 1)).toBeNull();
  });

  it('queueCounts counts waiting and taken', () => {
    expect(queueCounts(list)).toEqual({ open: 2, acknowledged: 1 });
  });
});

describe('care fields', () => {
  it('keeps responders and residentId when a later copy does not carry them', () => {
    const responders = [
      {
        userId: 'u-4',
        username: 'daughter',
        displayName: 'Wang Fang',
        role: 'family' as const,
        at: '2026-11-22T10:01:00.000Z',
        etaMinutes: 10,
        note: null,
      },
    ];
    const alarm = makeAlarm('sos', { responders, residentId: 'r-1' });
    let state = queueReducer(initialQueueState, { type: 'sync', alarms: [alarm] });
    const { responders: _r, residentId: _id, ...bare } = alarm;
    state = queueReducer(state, {
      type: 'upsert',
      alarm: { ...bare, status: 'acknowledged', acknowledgedBy: 'Li Na' },
    });
    expect(state.alarms[0]?.status).toBe('acknowledged');
    expect(state.alarms[0]?.responders).toEqual(responders);
    expect(state.alarms[0]?.residentId).toBe('r-1');
    // An explicit empty list (everyone withdrew) replaces the old one.
    state = queueReducer(state, {
      type: 'upsert',
      alarm: { ...bare, status: 'acknowledged', acknowledgedBy: 'Li Na', responders: [] },
    });
    expect(state.alarms[0]?.responders).toEqual([]);
  });
});
