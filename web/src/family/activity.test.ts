import type { TelemetrySeriesDto } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { lastActivityAt } from './activity';

const s = (field: string, points: [number, number | boolean | string][]): TelemetrySeriesDto => ({
  gatewayId: 'gw',
  deviceId: 'd',
  field,
  unit: null,
  points,
});

describe('last activity', () => {
  it('takes the newest sign of life over every sensor', () => {
    expect(
      lastActivityAt([
        s('motion', [
          [1000, true],
          [5000, false],
        ]),
        s('contact_closed', [
          [2000, true],
          [3000, false],
          [4000, false],
        ]),
        s('power_w', [
          [6000, 5],
          [7000, 1200],
          [8000, 4],
        ]),
        s('water_m3', [
          [9000, 1.5],
          [9500, 1.5],
        ]),
      ]),
    ).toBe(7000);
  });

  it('is null when nothing moved', () => {
    expect(
      lastActivityAt([
        s('motion', [[1, false]]),
        s('water_m3', [
          [1, 2],
          [2, 2],
        ]),
      ]),
    ).toBeNull();
    expect(lastActivityAt([])).toBeNull();
  });
});
