/** The meter rules (water, electricity): usage from cumulative readings, activity, abnormal use. Pure. */
import { localParts, type RuleSettings } from './settings.js';
import { H, MIN, type HomeRuleState, type RuleOutput, type Signal } from './rule-state.js';

export function touchSignal(
  state: HomeRuleState,
  name: 'water' | 'electricity' | 'motion',
  t: number,
): Signal {
  let s = state.signals[name];
  if (!s) {
    s = { firstAt: t, activityAt: t };
    state.signals[name] = s;
  }
  return s;
}

export function markActivity(
  state: HomeRuleState,
  name: 'water' | 'electricity' | 'motion',
  t: number,
): void {
  const s = touchSignal(state, name, t);
  if (t > s.activityAt) s.activityAt = t;
  s.quietFired = false;
  if (name === 'electricity') s.flatFired = false;
}

export function meterReading(
  state: HomeRuleState,
  key: string,
  t: number,
  value: number,
): number | undefined {
  const m = state.meters[key];
  if (!m) {
    state.meters[key] = { at: t, value, baseValue: value };
    return undefined;
  }
  if (t <= m.at) return undefined; // late or replayed reading: usage already counted
  if (value < m.value) {
    // Meter replaced or rolled over: start again from here, count nothing.
    state.meters[key] = { at: t, value, baseValue: value };
    return undefined;
  }
  const used = value - m.value;
  m.at = t;
  m.value = value;
  return used;
}

export function water(
  state: HomeRuleState,
  settings: RuleSettings,
  deviceId: string,
  t: number,
  m3: number,
  fresh: boolean,
  out: RuleOutput,
): void {
  const key = `${deviceId}/water_m3`;
  touchSignal(state, 'water', t);
  const used = meterReading(state, key, t, m3);
  const meter = state.meters[key];
  if (used === undefined || !meter) return;
  if (meter.value - meter.baseValue >= settings.inactivity.waterMinM3) {
    meter.baseValue = meter.value;
    markActivity(state, 'water', t);
  }
  if (!settings.consumption.enabled) return;

  // Daily use in the home's local day.
  const { day } = localParts(t, settings.timezone);
  if (!state.waterDay || state.waterDay.day !== day) state.waterDay = { day, m3: 0, fired: false };
  state.waterDay.m3 += used;
  if (!state.waterDay.fired && state.waterDay.m3 > settings.consumption.waterDailyMaxM3) {
    state.waterDay.fired = true;
    if (fresh)
      out.findings.push({
        rule: 'water_daily',
        kind: 'abnormal_consumption',
        deviceId,
        at: t,
        detail: {
          reason: 'water_daily_above_max',
          day_m3: round(state.waterDay.m3),
          max_m3: settings.consumption.waterDailyMaxM3,
        },
      });
  }

  // Water used in every slot for the whole window → leak suspected. A slot with no use breaks
  // the run; a reading gap longer than one slot counts as a break (we cannot tell).
  if (used <= 0) return;
  const slotMs = settings.consumption.waterSlotMin * MIN;
  const slot = Math.floor(t / slotMs);
  const run = state.waterRun;
  if (!run || slot > run.lastSlot + 1)
    state.waterRun = { startSlot: slot, lastSlot: slot, fired: false };
  else if (slot > run.lastSlot) run.lastSlot = slot;
  const r = state.waterRun;
  if (!r) return;
  const slotsNeeded = Math.ceil((settings.consumption.waterContinuousH * H) / slotMs);
  if (!r.fired && r.lastSlot - r.startSlot + 1 >= slotsNeeded) {
    r.fired = true;
    if (fresh)
      out.findings.push({
        rule: 'water_continuous',
        kind: 'abnormal_consumption',
        deviceId,
        at: t,
        detail: {
          reason: 'water_every_slot',
          hours: settings.consumption.waterContinuousH,
          slot_min: settings.consumption.waterSlotMin,
        },
      });
  }
}

export function electricity(
  state: HomeRuleState,
  settings: RuleSettings,
  deviceId: string,
  t: number,
  kwh: number,
): void {
  const key = `${deviceId}/energy_kwh`;
  touchSignal(state, 'electricity', t);
  const used = meterReading(state, key, t, kwh);
  const meter = state.meters[key];
  if (used === undefined || !meter) return;
  if (meter.value - meter.baseValue >= settings.inactivity.electricityMinKwh) {
    meter.baseValue = meter.value;
    markActivity(state, 'electricity', t);
  }
}

const round = (x: number): number => Math.round(x * 1000) / 1000;
