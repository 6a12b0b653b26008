import type { AlarmDto, DeviceDto, TelemetrySeriesDto } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { advanceRun, findPassingEvent, recordToRun, runToRecord, type TestRun } from './guidedTest';

const device = (id: string, kind: DeviceDto['kind']): DeviceDto => ({
  gatewayId: 'gw-1',
  id,
  homeId: 'h',
  room: null,
  kind,
  driver: null,
  expectedIntervalS: null,
  registered: true,
  lastSeenAt: null,
  online: null,
  batteryPct: null,
  signal: null,
});

const alarm = (deviceId: string, at: string, test = true): AlarmDto => ({
  id: `a-${deviceId}-${at}`,
  gatewayId: 'gw-1',
  deviceId,
  homeId: 'h',
  kind: 'sos',
  priority: 1,
  status: 'open',
  test,
  gatewayTest: false,
  raisedAt: at,
  receivedAt: at,
  lastTriggerAt: at,
  triggerCount: 1,
  acknowledgedAt: null,
  acknowledgedBy: null,
  resolvedAt: null,
  resolvedBy: null,
  outcome: null,
  notes: null,
  cancelledByResidentAt: null,
});

const series = (
  deviceId: string,
  field: string,
  points: [number, boolean | number][],
): TelemetrySeriesDto => ({
  gatewayId: 'gw-1',
  deviceId,
  field,
  unit: null,
  points,
});

const start = Date.parse('2026-11-22T10:00:00Z');

describe('guided test', () => {
  it('passes an alarm device only on a test alarm from that device after the start', () => {
    const sos = device('sos-1', 'sos_button');
    expect(findPassingEvent(sos, start, [alarm('sos-1', '2026-11-22T09:59:00Z')], [])).toBeNull();
    expect(
      findPassingEvent(sos, start, [alarm('sos-1', '2026-11-22T10:01:00Z', false)], []),
    ).toBeNull();
    expect(findPassingEvent(sos, start, [alarm('sos-2', '2026-11-22T10:01:00Z')], [])).toBeNull();
    expect(findPassingEvent(sos, start, [alarm('sos-1', '2026-11-22T10:01:00Z')], [])).toEqual({
      at: Date.parse('2026-11-22T10:01:00Z'),
      evidence: 'test alarm sos',
    });
  });

  it('passes a motion sensor on motion seen, not on "no motion"', () => {
    const pir = device('pir-1', 'motion');
    expect(
      findPassingEvent(pir, start, [], [series('pir-1', 'occupancy', [[start + 1, false]])]),
    ).toBeNull();
    expect(
      findPassingEvent(
        pir,
        start,
        [],
        [
          series('pir-1', 'occupancy', [
            [start - 5, true],
            [start + 9, true],
          ]),
        ],
      ),
    ).toEqual({ at: start + 9, evidence: 'occupancy=true' });
  });

  it('passes a door when it opens, a meter on any fresh reading', () => {
    const door = device('door-1', 'door');
    expect(
      findPassingEvent(door, start, [], [series('door-1', 'contact_closed', [[start + 1, true]])]),
    ).toBeNull();
    expect(
      findPassingEvent(door, start, [], [series('door-1', 'contact_closed', [[start + 2, false]])])
        ?.at,
    ).toBe(start + 2);
    const meter = device('m-1', 'electricity_meter');
    expect(
      findPassingEvent(meter, start, [], [series('m-1', 'energy_kwh', [[start + 3, 12.5]])])
        ?.evidence,
    ).toBe('energy_kwh=12.5');
  });

  it('ticks steps once, records who, and leaves a finished run alone', () => {
    const run: TestRun = {
      startedAt: start,
      startedBy: 'inst',
      passed: {},
      finishedAt: null,
      finishedBy: null,
    };
    const devices = [device('sos-1', 'sos_button'), device('pir-1', 'motion')];
    const alarms = [alarm('sos-1', '2026-11-22T10:01:00Z')];
    const next = advanceRun(run, devices, alarms, [], 'inst');
    expect(Object.keys(next.passed)).toEqual(['gw-1/sos-1']);
    expect(next.passed['gw-1/sos-1']?.by).toBe('inst');
    expect(advanceRun(next, devices, alarms, [], 'inst')).toBe(next);
    const finished = { ...run, finishedAt: start + 10, finishedBy: 'inst' };
    expect(advanceRun(finished, devices, alarms, [], 'inst')).toBe(finished);
  });

  it('a run goes to the hub as a record and comes back the same', () => {
    const devices = [device('sos-1', 'sos_button'), device('pir-1', 'motion')];
    const run: TestRun = {
      startedAt: Date.parse('2026-11-22T10:00:00Z'),
      startedBy: 'Installer',
      passed: {
        'gw-1/sos-1': {
          at: Date.parse('2026-11-22T10:01:00Z'),
          evidence: 'test alarm sos',
          by: 'Installer',
        },
      },
      finishedAt: Date.parse('2026-11-22T10:05:00Z'),
      finishedBy: 'Installer',
    };
    const request = runToRecord(run, devices);
    expect(request.steps.map((s) => [s.deviceId, s.kind, s.result, s.at])).toEqual([
      ['sos-1', 'sos_button', 'passed', '2026-11-22T10:01:00.000Z'],
      ['pir-1', 'motion', 'untested', null],
    ]);
    const back = recordToRun({
      ...request,
      id: 'r1',
      homeId: 'h',
      recordedAt: '2026-11-22T10:06:00.000Z',
      recordedBy: { userId: 'u1', username: 'installer', displayName: 'Installer' },
      startedBy: request.startedBy ?? null,
      finishedAt: request.finishedAt ?? null,
      finishedBy: request.finishedBy ?? null,
    });
    expect(back).toEqual(run);
  });
});
