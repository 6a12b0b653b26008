import { describe, expect, it } from 'vitest';
import type { DeviceReading } from '@anxin/devices';
import { DEFAULT_BATTERY_LOW_PCT, ThresholdWatch } from './thresholds.js';

const battery = (pct: number): DeviceReading => ({
  type: 'telemetry',
  fields: { battery_pct: pct },
});

describe('ThresholdWatch (gateway-side thresholds, pure)', () => {
  it('raises low_battery once per episode, with hysteresis before it can raise again', () => {
    const watch = new ThresholdWatch({ battery_low_pct: 20, battery_low_hysteresis_pct: 5 });
    expect(watch.check('s1', battery(25))).toBeNull();
    const raised = watch.check('s1', battery(19));
    expect(raised).toEqual({
      deviceId: 's1',
      reading: {
        type: 'alarm',
        kind: 'low_battery',
        action: 'raise',
        deviceId: 's1',
        detail: { battery_pct: 19, threshold_pct: 20, source: 'gateway' },
      },
    });
    // Still low, wobbling around the threshold: no repeat.
    expect(watch.check('s1', battery(18))).toBeNull();
    expect(watch.check('s1', battery(21))).toBeNull();
    expect(watch.check('s1', battery(19))).toBeNull();
    // A fresh battery (≥ threshold + hysteresis) ends the episode; the next drop raises again.
    expect(watch.check('s1', battery(90))).toBeNull();
    expect(watch.check('s1', battery(10))?.reading).toMatchObject({ kind: 'low_battery' });
  });

  it('keeps devices apart and uses a bridge sub-device id', () => {
    const watch = new ThresholdWatch({ battery_low_pct: 20 });
    expect(watch.check('s1', battery(10))?.deviceId).toBe('s1');
    expect(
      watch.check('z2m', { type: 'telemetry', deviceId: 'door', fields: { battery_pct: 5 } })
        ?.deviceId,
    ).toBe('door');
    expect(watch.check('s2', battery(50))).toBeNull();
  });

  it('does not repeat an alarm the device raised itself', () => {
    const watch = new ThresholdWatch({ battery_low_pct: 20 });
    expect(watch.check('s1', { type: 'alarm', kind: 'low_battery', action: 'raise' })).toBeNull();
    expect(watch.check('s1', battery(8))).toBeNull();
  });

  it('a changed threshold acts at once on the newest values', () => {
    const watch = new ThresholdWatch({ battery_low_pct: 20 });
    expect(watch.check('s1', battery(25))).toBeNull();
    expect(watch.check('s2', battery(60))).toBeNull();
    const raised = watch.setThresholds({ battery_low_pct: 30 });
    expect(raised.map((a) => a.deviceId)).toEqual(['s1']);
    expect(raised[0]?.reading).toMatchObject({ detail: { threshold_pct: 30, battery_pct: 25 } });
    expect(watch.setThresholds({ battery_low_pct: 30 })).toEqual([]);
  });

  it('ignores values that are not a battery percentage and bad thresholds', () => {
    const watch = new ThresholdWatch({
      battery_low_pct: -3,
      battery_low_hysteresis_pct: Number.NaN,
    });
    expect(watch.batteryLowPct).toBe(DEFAULT_BATTERY_LOW_PCT);
    expect(watch.check('s1', battery(-1))).toBeNull();
    expect(watch.check('s1', battery(101))).toBeNull();
    expect(watch.check('s1', { type: 'telemetry', fields: { battery_pct: 'low' } })).toBeNull();
    expect(watch.check('s1', { type: 'telemetry', fields: { temperature_c: 5 } })).toBeNull();
    expect(watch.check('s1', { type: 'alarm', kind: 'fall', action: 'raise' })).toBeNull();
  });
});
