/**
 * The rules with fake time: each one fires, does not fire, resets, and honours per-home
 * thresholds. Times are built in the home's zone (Asia/Shanghai, UTC+8, no DST).
 */
import { describe, expect, it } from 'vitest';
import { Value } from '@sinclair/typebox/value';
import { emptyState, onTelemetry, onTick, type HomeRuleState } from './rules.js';
import {
  isNight,
  mergeSettings,
  RuleSettingsOverrideSchema,
  RuleSettingsSchema,
  type RuleSettings,
  type RuleSettingsOverride,
} from './settings.js';

const DEFAULTS: RuleSettings = Value.Default(RuleSettingsSchema, {}) as RuleSettings;
const H = 3_600_000;
const MIN = 60_000;
/** 2026-03-10 at hh:mm local time (UTC+8). */
const at = (hh: number, mm = 0, dayOffset = 0): number =>
  Date.UTC(2026, 2, 10 + dayOffset, hh - 8, mm);
/** Defaults, with device silence off unless a test is about it (it would fire in long tests). */
const settings = (o: RuleSettingsOverride = {}): RuleSettings =>
  mergeSettings(mergeSettings(DEFAULTS, { deviceSilence: { enabled: false } }), o);

function tel(
  state: HomeRuleState,
  s: RuleSettings,
  deviceId: string,
  t: number,
  fields: Record<string, number | boolean | string>,
  now = t,
) {
  return onTelemetry(state, s, { deviceId, observedAt: t, fields }, now);
}

describe('settings', () => {
  it('has the defaults from practice and merges per-home overrides section by section', () => {
    expect(DEFAULTS.inactivity.waterMinM3).toBe(0.01);
    expect(DEFAULTS.inactivity.waterWindowH).toBe(12);
    expect(DEFAULTS.consumption.waterDailyMaxM3).toBe(2);
    expect(DEFAULTS.consumption.waterContinuousH).toBe(24);
    expect(DEFAULTS.consumption.waterSlotMin).toBe(30);
    expect(DEFAULTS.deviceSilence.enabled).toBe(true);
    const s = settings({ night: { start: '23:30' } });
    expect(s.night).toEqual({ start: '23:30', end: '06:00' });
    expect(s.bedExit).toEqual(DEFAULTS.bedExit);
  });

  it('validates overrides (unknown keys and bad times refused)', () => {
    expect(Value.Check(RuleSettingsOverrideSchema, { night: { start: '21:00' } })).toBe(true);
    expect(Value.Check(RuleSettingsOverrideSchema, { night: { start: '25:00' } })).toBe(false);
    expect(Value.Check(RuleSettingsOverrideSchema, { nigth: {} })).toBe(false);
    expect(Value.Check(RuleSettingsOverrideSchema, { bedExit: { returnWithinMin: -1 } })).toBe(
      false,
    );
  });

  it('reads the night window in the home time zone, across midnight', () => {
    expect(isNight(at(23), DEFAULTS)).toBe(true);
    expect(isNight(at(2), DEFAULTS)).toBe(true);
    expect(isNight(at(6), DEFAULTS)).toBe(false);
    expect(isNight(at(14), DEFAULTS)).toBe(false);
    expect(isNight(at(14), settings({ timezone: 'UTC' }))).toBe(false);
    expect(isNight(at(14), settings({ timezone: 'America/New_York' }))).toBe(true); // 01:00 there
    expect(isNight(at(21, 30), settings({ night: { start: '21:00', end: '07:00' } }))).toBe(true);
    // A zone the runtime does not know reads as UTC: 23:00 in Shanghai is 15:00 there, daytime.
    expect(isNight(at(23), settings({ timezone: 'Nowhere/Atlantis' }))).toBe(false);
    expect(isNight(at(23, 0, 1), settings({ timezone: 'Nowhere/Atlantis' }))).toBe(false);
  });
});

describe('door open at night', () => {
  it('fires for an opened door at night, not by day, not for a closed door', () => {
    const s = settings();
    const st = emptyState();
    expect(tel(st, s, 'door-1', at(14), { contact_closed: false }).findings).toEqual([]);
    expect(tel(st, s, 'door-1', at(23), { contact_closed: true }).findings).toEqual([]);
    const out = tel(st, s, 'door-1', at(23, 10), { contact_closed: false });
    expect(out.findings).toMatchObject([
      { rule: 'door_open_night', kind: 'door_open_night', deviceId: 'door-1', at: at(23, 10) },
    ]);
  });

  it('follows the home window and can be switched off per home', () => {
    const late = settings({ night: { start: '23:30', end: '05:00' } });
    expect(tel(emptyState(), late, 'd', at(23, 10), { contact_closed: false }).findings).toEqual(
      [],
    );
    const off = settings({ doorOpenAtNight: { enabled: false } });
    expect(tel(emptyState(), off, 'd', at(2), { contact_closed: false }).findings).toEqual([]);
  });

  it('does not raise for an event that arrives too late to matter', () => {
    const out = tel(
      emptyState(),
      settings(),
      'd',
      at(2),
      { contact_closed: false },
      at(2) + 13 * H,
    );
    expect(out.findings).toEqual([]);
  });
});

describe('bed exit at night without return', () => {
  it('fires when not back within N minutes, once', () => {
    const s = settings();
    const st = emptyState();
    tel(st, s, 'bed-1', at(2), { bed_occupied: false });
    expect(onTick(st, s, at(2, 19)).findings).toEqual([]);
    const out = onTick(st, s, at(2, 20));
    expect(out.findings).toMatchObject([{ rule: 'bed_exit_night', kind: 'bed_exit_night' }]);
    expect(onTick(st, s, at(2, 30)).findings).toEqual([]);
    // back in bed: recovered, and a new exit can fire again
    expect(tel(st, s, 'bed-1', at(2, 40), { bed_occupied: true }).recoveries).toHaveLength(1);
    tel(st, s, 'bed-1', at(3), { bed_occupied: false });
    expect(onTick(st, s, at(3, 20)).findings).toHaveLength(1);
  });

  it('does not fire when back in time, or when leaving the bed by day', () => {
    const s = settings();
    const st = emptyState();
    tel(st, s, 'bed-1', at(2), { bed_occupied: false });
    tel(st, s, 'bed-1', at(2, 15), { bed_occupied: true });
    expect(onTick(st, s, at(3)).findings).toEqual([]);
    tel(st, s, 'bed-1', at(10), { bed_occupied: false });
    expect(onTick(st, s, at(12)).findings).toEqual([]);
  });

  it('uses the home return window', () => {
    const s = settings({ bedExit: { returnWithinMin: 5 } });
    const st = emptyState();
    tel(st, s, 'bed-1', at(1), { bed_occupied: false });
    expect(onTick(st, s, at(1, 5)).findings).toHaveLength(1);
  });

  it('survives a restart: the state is plain JSON', () => {
    const s = settings();
    const st = emptyState();
    tel(st, s, 'bed-1', at(2), { bed_occupied: false });
    const restored = JSON.parse(JSON.stringify(st)) as HomeRuleState;
    expect(onTick(restored, s, at(2, 25)).findings).toHaveLength(1);
  });
});

describe('inactivity', () => {
  it('water: less than 0.01 m³ in 12 h → wellbeing check; use resets it', () => {
    const s = settings({ inactivity: { motionWindowH: 1000, electricityWindowH: 1000 } });
    const st = emptyState();
    tel(st, s, 'wm', at(7), { water_m3: 100 });
    tel(st, s, 'wm', at(8), { water_m3: 100.005 }); // a drip: below the minimum
    expect(onTick(st, s, at(18, 59)).findings).toEqual([]);
    const out = onTick(st, s, at(19));
    expect(out.findings).toMatchObject([
      { rule: 'inactivity_water', kind: 'inactivity', detail: { reason: 'no_water_use' } },
    ]);
    expect(onTick(st, s, at(20)).findings).toEqual([]); // once
    tel(st, s, 'wm', at(21), { water_m3: 100.05 });
    expect(onTick(st, s, at(22)).findings).toEqual([]);
    expect(onTick(st, s, at(9, 0, 1)).findings).toHaveLength(1); // 12 h after 21:00
  });

  it('does not fire while water is used', () => {
    const s = settings({ inactivity: { motionWindowH: 1000, electricityWindowH: 1000 } });
    const st = emptyState();
    for (let h = 0; h < 24; h += 3) {
      tel(st, s, 'wm', at(0) + h * H, { water_m3: 10 + h * 0.01 });
      expect(onTick(st, s, at(0) + h * H).findings).toEqual([]);
    }
  });

  it('motion: no motion within the home window fires; motion resets', () => {
    const s = settings({
      inactivity: { motionWindowH: 4, waterWindowH: 1000, electricityWindowH: 1000 },
    });
    const st = emptyState();
    tel(st, s, 'pir', at(8), { motion: true });
    tel(st, s, 'pir', at(9), { motion: false });
    expect(onTick(st, s, at(11, 59)).findings).toEqual([]);
    expect(onTick(st, s, at(12)).findings).toMatchObject([{ rule: 'inactivity_motion' }]);
    tel(st, s, 'pir', at(13), { occupancy: true });
    expect(onTick(st, s, at(16, 30)).findings).toEqual([]);
  });

  it('never fires for a signal the home does not have, or when switched off', () => {
    expect(onTick(emptyState(), settings(), at(12, 0, 5)).findings).toEqual([]);
    const st = emptyState();
    const off = settings({ inactivity: { enabled: false }, consumption: { enabled: false } });
    tel(st, off, 'wm', at(0), { water_m3: 1 });
    expect(onTick(st, off, at(0, 0, 3)).findings).toEqual([]);
  });
});

describe('abnormal consumption', () => {
  it('water used in every half-hour slot for 24 h → leak suspected', () => {
    const s = settings();
    const st = emptyState();
    let m3 = 50;
    const found = [];
    for (let i = 0; i <= 48; i++) {
      m3 += 0.002;
      found.push(...tel(st, s, 'wm', at(0) + i * 30 * MIN + 60_000, { water_m3: m3 }).findings);
    }
    const leak = found.filter((f) => f.rule === 'water_continuous');
    expect(leak).toHaveLength(1);
    expect(leak[0]?.detail.reason).toBe('water_every_slot');
  });

  it('one dry slot resets the run', () => {
    const s = settings();
    const st = emptyState();
    let m3 = 50;
    const found = [];
    for (let i = 0; i <= 60; i++) {
      if (i !== 30) m3 += 0.002; // slot 30 without use
      found.push(...tel(st, s, 'wm', at(0) + i * 30 * MIN + 60_000, { water_m3: m3 }).findings);
    }
    expect(found.filter((f) => f.rule === 'water_continuous')).toEqual([]);
  });

  it('daily water above 2 m³ fires once a day; the home threshold applies', () => {
    const s = settings();
    const st = emptyState();
    tel(st, s, 'wm', at(8), { water_m3: 10 });
    expect(tel(st, s, 'wm', at(12), { water_m3: 11.9 }).findings).toEqual([]);
    const out = tel(st, s, 'wm', at(13), { water_m3: 12.1 });
    expect(out.findings).toMatchObject([{ rule: 'water_daily', kind: 'abnormal_consumption' }]);
    expect(tel(st, s, 'wm', at(14), { water_m3: 13 }).findings).toEqual([]);
    // next local day starts from zero
    expect(tel(st, s, 'wm', at(9, 0, 1), { water_m3: 13.5 }).findings).toEqual([]);
    const tight = settings({ consumption: { waterDailyMaxM3: 0.5 } });
    const st2 = emptyState();
    tel(st2, tight, 'wm', at(8), { water_m3: 10 });
    expect(tel(st2, tight, 'wm', at(9), { water_m3: 10.6 }).findings).toHaveLength(1);
  });

  it('a meter that goes backwards (replaced) counts no use', () => {
    const s = settings();
    const st = emptyState();
    tel(st, s, 'wm', at(8), { water_m3: 900 });
    expect(tel(st, s, 'wm', at(9), { water_m3: 0.5 }).findings).toEqual([]);
    expect(st.waterDay?.m3 ?? 0).toBe(0);
  });

  it('electricity flat for the long window fires; a change resets it', () => {
    const s = settings({ inactivity: { electricityWindowH: 1000 } });
    const st = emptyState();
    tel(st, s, 'em', at(0), { energy_kwh: 500 });
    tel(st, s, 'em', at(10), { energy_kwh: 500 });
    expect(onTick(st, s, at(23, 59, 1)).findings).toEqual([]);
    expect(onTick(st, s, at(0, 0, 2)).findings).toMatchObject([
      { rule: 'electricity_flat', detail: { reason: 'electricity_flat' } },
    ]);
    tel(st, s, 'em', at(1, 0, 2), { energy_kwh: 500.5 });
    expect(onTick(st, s, at(2, 0, 2)).findings).toEqual([]);
  });
});

describe('device silent past its expected interval', () => {
  it('fires after the missed intervals, recovers when it reports again', () => {
    const s = settings({ deviceSilence: { enabled: true } });
    const st = emptyState();
    tel(st, s, 'door-1', at(8), { contact_closed: true });
    const dev = [{ deviceId: 'door-1', expectedIntervalMs: 10 * MIN, lastSeenAt: at(8) }];
    expect(onTick(st, s, at(8, 29), dev).findings).toEqual([]);
    expect(onTick(st, s, at(8, 30), dev).findings).toMatchObject([
      { rule: 'device_silent', kind: 'device_offline', deviceId: 'door-1' },
    ]);
    expect(onTick(st, s, at(8, 40), dev).findings).toEqual([]);
    const back = tel(st, s, 'door-1', at(9), { contact_closed: true });
    expect(back.recoveries).toMatchObject([{ kind: 'device_offline', deviceId: 'door-1' }]);
  });

  it('uses the heartbeat last-seen, the home default, and skips event-only devices', () => {
    const s = settings({
      deviceSilence: { enabled: true, defaultIntervalMin: 5, missedIntervals: 2 },
    });
    const st = emptyState();
    expect(onTick(st, s, at(8, 9), [{ deviceId: 'm', lastSeenAt: at(8) }]).findings).toEqual([]);
    expect(onTick(st, s, at(8, 10), [{ deviceId: 'm', lastSeenAt: at(8) }]).findings).toHaveLength(
      1,
    );
    expect(
      onTick(emptyState(), s, at(12), [
        { deviceId: 'sos', expectedIntervalMs: null, lastSeenAt: at(8) },
      ]).findings,
    ).toEqual([]);
  });
});

describe('low battery', () => {
  it('fires below the threshold once, again only after recovering past the hysteresis', () => {
    const s = settings();
    const st = emptyState();
    expect(tel(st, s, 'pir', at(8), { battery_pct: 25 }).findings).toEqual([]);
    expect(tel(st, s, 'pir', at(9), { battery_pct: 19 }).findings).toMatchObject([
      { rule: 'battery_low', kind: 'low_battery' },
    ]);
    expect(tel(st, s, 'pir', at(10), { battery_pct: 18 }).findings).toEqual([]);
    expect(tel(st, s, 'pir', at(11), { battery_pct: 22 }).findings).toEqual([]); // < 20 + 5
    tel(st, s, 'pir', at(12), { battery_pct: 100 }); // new battery
    expect(tel(st, s, 'pir', at(13), { battery_pct: 15 }).findings).toHaveLength(1);
  });

  it('also judges the battery level from heartbeat device health', () => {
    const s = settings();
    const st = emptyState();
    const dev = (pct: number) => [{ deviceId: 'smoke-1', lastSeenAt: at(8), batteryPct: pct }];
    expect(onTick(st, s, at(8), dev(30)).findings).toEqual([]);
    expect(onTick(st, s, at(9), dev(10)).findings).toMatchObject([
      { rule: 'battery_low', kind: 'low_battery', deviceId: 'smoke-1' },
    ]);
    expect(onTick(st, s, at(10), dev(10)).findings).toEqual([]);
  });

  it('honours the home threshold', () => {
    const s = settings({ lowBattery: { thresholdPct: 40 } });
    expect(tel(emptyState(), s, 'pir', at(9), { battery_pct: 35 }).findings).toHaveLength(1);
  });
});
