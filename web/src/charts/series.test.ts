import type { TelemetrySeriesDto } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { chartColumns, chartWindow, waterUseLitres } from './series';

const series = (field: string, deviceId: string, points: [number, number | boolean | string][]) =>
  ({ gatewayId: 'gw-1', deviceId, field, unit: null, points }) satisfies TelemetrySeriesDto;

describe('chart columns', () => {
  it('aligns several series on one time axis with nulls for gaps', () => {
    const columns = chartColumns(
      [
        series('power_w', 'meter-1', [
          [2000, 10],
          [1000, 5],
        ]),
        series('power_w', 'meter-2', [[3000, 40]]),
        series('water_m3', 'water-1', [[1000, 1]]),
      ],
      'power',
    );
    expect(columns.x).toEqual([1, 2, 3]);
    expect(columns.series.map((s) => s.values)).toEqual([
      [5, 10, null],
      [null, null, 40],
    ]);
    expect(columns.max).toBe(40);
    expect(columns.latest).toBe(10);
  });

  it('turns booleans into 0/1 and ignores strings', () => {
    const columns = chartColumns(
      [
        series('motion', 'pir-1', [
          [1000, true],
          [2000, false],
          [3000, 'x'],
        ]),
      ],
      'activity',
    );
    expect(columns.series[0]?.values).toEqual([1, 0, null]);
  });

  it('turns a cumulative m³ counter into litres per interval, a reset into a gap', () => {
    expect(
      waterUseLitres([
        [1, 10.0],
        [2, 10.012],
        [3, 10.012],
        [4, 2],
        [5, 2.001],
      ]),
    ).toEqual([
      [1, 0],
      [2, 12],
      [3, 0],
      [4, null],
      [5, 1],
    ]);
  });

  it('is empty without data', () => {
    expect(chartColumns([], 'water')).toEqual({ x: [], series: [], max: null, latest: null });
  });
});

describe('chart window', () => {
  it('ends an hour after the alarm, or now, and spans 24 h', () => {
    const now = new Date('2026-11-22T12:00:00Z');
    expect(chartWindow('2026-11-22T11:30:00Z', now)).toEqual({
      from: '2026-11-21T12:00:00.000Z',
      to: '2026-11-22T12:00:00.000Z',
    });
    expect(chartWindow('2026-11-22T08:00:00Z', now)).toEqual({
      from: '2026-11-21T09:00:00.000Z',
      to: '2026-11-22T09:00:00.000Z',
    });
  });
});
