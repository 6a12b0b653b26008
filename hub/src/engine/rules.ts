/**
 * The alarm rules that turn a home's telemetry and silence into derived alarms (DESIGN.md,
 * "Alarms"; issue 5, "Alarm engine"). Pure: no I/O and no clock — every function takes the time it
 * should judge by, and mutates only the HomeRuleState it is given, which the engine persists so
 * a hub restart keeps open windows, last changes and what has already fired.
 *
 * Device-reported alarms (fall, SOS, smoke, gas, water leak, tamper, a device's own low-battery
 * flag) are stored by ingest as they arrive and never pass through here.
 */
import type { AlarmKind } from '@anxin/protocol';
import { isNight, localParts, type RuleSettings } from './settings.js';

export type RuleName =
  | 'door_open_night'
  | 'bed_exit_night'
  | 'inactivity_water'
  | 'inactivity_motion'
  | 'inactivity_electricity'
  | 'water_continuous'
  | 'water_daily'
  | 'electricity_flat'
  | 'device_silent'
  | 'battery_low';

/** A rule fired: the engine raises (or joins) an alarm of `kind`. */
export interface Finding {
  rule: RuleName;
  kind: AlarmKind;
  deviceId: string | null;
  /** When the condition became true (device time for events, judging time for silences). */
  at: number;
  detail: Record<string, number | string | boolean>;
}

/** A condition that fired earlier is over (e.g. a silent device reports again). */
export interface Recovery {
  rule: RuleName;
  kind: AlarmKind;
  deviceId: string | null;
  at: number;
}

export interface RuleOutput {
  findings: Finding[];
  recoveries: Recovery[];
}

interface Signal {
  /** When this signal was first seen for the home (a quiet window needs a start). */
  firstAt: number;
  /** Last time activity was seen (a meter advanced by the minimum, motion true, …). */
  activityAt: number;
  /** Set when the quiet rule fired; cleared by the next activity. */
  quietFired?: boolean;
  /** electricity only: the flat-meter rule fired. */
  flatFired?: boolean;
}

interface Meter {
  at: number;
  value: number;
  /** The reading activity is measured from (advances once the minimum is used). */
  baseValue: number;
}

/** Everything the rules remember about one home (one gateway). JSON-serialisable. */
export interface HomeRuleState {
  v: 1;
  meters: Record<string, Meter>;
  signals: { water?: Signal; electricity?: Signal; motion?: Signal };
  /** Water used by the local day (summed over meters). */
  waterDay?: { day: string; m3: number; fired: boolean };
  /** The run of consecutive slots with water use. */
  waterRun?: { startSlot: number; lastSlot: number; fired: boolean };
  /** Out-of-bed at night, per bed sensor. */
  bedExits: Record<string, { since: number; fired: boolean }>;
  /** Last report per device (telemetry), and whether its silence fired. */
  devices: Record<string, { lastSeenAt: number; silentFired?: boolean }>;
  lowBattery: Record<string, boolean>;
  /** Hub clock when telemetry of this gateway last arrived (with heartbeats: "is it talking?"). */
  heardAt?: number;
}

export function emptyState(): HomeRuleState {
  return { v: 1, meters: {}, signals: {}, bedExits: {}, devices: {}, lowBattery: {} };
}

const H = 3_600_000;
const MIN = 60_000;

export interface TelemetryInput {
  deviceId: string;
  observedAt: number;
  fields: Record<string, number | boolean | string>;
}

/**
 * One telemetry event. `now` bounds how old an event may be to still raise a "right now" alarm
 * (a door opened at night that arrives two days late from a gateway's backlog is history).
 */
export function onTelemetry(
  state: HomeRuleState,
  settings: RuleSettings,
  e: TelemetryInput,
  now: number,
  maxLateMs = 12 * H,
): RuleOutput {
  const out: RuleOutput = { findings: [], recoveries: [] };
  const fresh = now - e.observedAt <= maxLateMs;
  const t = e.observedAt;

  const dev = state.devices[e.deviceId];
  if (!dev) state.devices[e.deviceId] = { lastSeenAt: t };
  else {
    dev.lastSeenAt = Math.max(dev.lastSeenAt, t);
    if (dev.silentFired) {
      dev.silentFired = false;
      out.recoveries.push({
        rule: 'device_silent',
        kind: 'device_offline',
        deviceId: e.deviceId,
        at: t,
      });
    }
  }

  const f = e.fields;

  // Door open at night: a contact sensor reports the door is no longer closed.
  if (
    f.contact_closed === false &&
    settings.doorOpenAtNight.enabled &&
    fresh &&
    isNight(t, settings)
  ) {
    out.findings.push({
      rule: 'door_open_night',
      kind: 'door_open_night',
      deviceId: e.deviceId,
      at: t,
      detail: { contact_closed: false },
    });
  }

  // Bed exit at night: start the return window; back in bed closes it.
  if (f.bed_occupied === false && settings.bedExit.enabled && isNight(t, settings)) {
    if (!state.bedExits[e.deviceId]) state.bedExits[e.deviceId] = { since: t, fired: false };
  } else if (f.bed_occupied === true) {
    const pending = state.bedExits[e.deviceId];
    if (pending && t >= pending.since) {
      delete state.bedExits[e.deviceId];
      if (pending.fired)
        out.recoveries.push({
          rule: 'bed_exit_night',
          kind: 'bed_exit_night',
          deviceId: e.deviceId,
          at: t,
        });
    }
  }
  if (
    f.bed_occupied !== undefined ||
    f.motion === true ||
    f.presence === true ||
    f.occupancy === true
  )
    markActivity(state, 'motion', t);
  else if (f.motion === false || f.presence === false || f.occupancy === false)
    touchSignal(state, 'motion', t);

  // Meters: cumulative values; usage is the difference between readings of the same device.
  if (typeof f.water_m3 === 'number' && Number.isFinite(f.water_m3))
    water(state, settings, e.deviceId, t, f.water_m3, fresh, out);
  if (typeof f.energy_kwh === 'number' && Number.isFinite(f.energy_kwh))
    electricity(state, settings, e.deviceId, t, f.energy_kwh);

  // Low battery reported as a reading (battery_pct), with hysteresis so it alarms once.
  if (typeof f.battery_pct === 'number')
    battery(state, settings, e.deviceId, f.battery_pct, t, fresh, out);
  return out;
}

function battery(
  state: HomeRuleState,
  settings: RuleSettings,
  deviceId: string,
  pct: number,
  t: number,
  fresh: boolean,
  out: RuleOutput,
): void {
  if (!settings.lowBattery.enabled || !Number.isFinite(pct)) return;
  const low = state.lowBattery[deviceId] ?? false;
  if (!low && pct < settings.lowBattery.thresholdPct) {
    state.lowBattery[deviceId] = true;
    if (fresh)
      out.findings.push({
        rule: 'battery_low',
        kind: 'low_battery',
        deviceId,
        at: t,
        detail: { battery_pct: pct, threshold_pct: settings.lowBattery.thresholdPct },
      });
  } else if (low && pct >= settings.lowBattery.thresholdPct + settings.lowBattery.hysteresisPct) {
    state.lowBattery[deviceId] = false;
  }
}

function touchSignal(
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

function markActivity(
  state: HomeRuleState,
  name: 'water' | 'electricity' | 'motion',
  t: number,
): void {
  const s = touchSignal(state, name, t);
  if (t > s.activityAt) s.activityAt = t;
  s.quietFired = false;
  if (name === 'electricity') s.flatFired = false;
}

function meterReading(
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

function water(
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

function electricity(
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

/**
 * Rules that fire on time passing rather than on an event: quiet windows, bed exits without
 * return, flat meters, silent devices. `devices` lists the home's known devices with their
 * expected report interval and the last time the gateway heard them (heartbeat health).
 */
export function onTick(
  state: HomeRuleState,
  settings: RuleSettings,
  now: number,
  devices: {
    deviceId: string;
    /** null: event-only device, never judged silent; undefined: the settings' default. */
    expectedIntervalMs?: number | null;
    lastSeenAt: number | null;
    /** Battery level from the gateway's heartbeat (device health), when it reports one. */
    batteryPct?: number | null;
  }[] = [],
): RuleOutput {
  const out: RuleOutput = { findings: [], recoveries: [] };

  for (const d of devices)
    if (typeof d.batteryPct === 'number')
      battery(state, settings, d.deviceId, d.batteryPct, now, true, out);

  for (const [deviceId, pending] of Object.entries(state.bedExits)) {
    if (pending.fired) continue;
    if (now - pending.since >= settings.bedExit.returnWithinMin * MIN) {
      pending.fired = true;
      out.findings.push({
        rule: 'bed_exit_night',
        kind: 'bed_exit_night',
        deviceId,
        at: now,
        detail: {
          out_of_bed_since: new Date(pending.since).toISOString(),
          return_within_min: settings.bedExit.returnWithinMin,
        },
      });
    }
  }

  if (settings.inactivity.enabled) {
    const quiet: [keyof HomeRuleState['signals'], number, RuleName, string][] = [
      ['water', settings.inactivity.waterWindowH, 'inactivity_water', 'no_water_use'],
      ['motion', settings.inactivity.motionWindowH, 'inactivity_motion', 'no_motion'],
      [
        'electricity',
        settings.inactivity.electricityWindowH,
        'inactivity_electricity',
        'no_electricity_use',
      ],
    ];
    for (const [name, windowH, rule, reason] of quiet) {
      const s = state.signals[name];
      if (!s || s.quietFired) continue;
      const since = Math.max(s.activityAt, s.firstAt);
      if (now - since >= windowH * H) {
        s.quietFired = true;
        out.findings.push({
          rule,
          kind: 'inactivity',
          deviceId: null,
          at: now,
          detail: { reason, window_h: windowH, last_activity: new Date(since).toISOString() },
        });
      }
    }
  }

  const el = state.signals.electricity;
  if (settings.consumption.enabled && el && !el.flatFired) {
    const since = Math.max(el.activityAt, el.firstAt);
    if (now - since >= settings.consumption.electricityFlatH * H) {
      el.flatFired = true;
      out.findings.push({
        rule: 'electricity_flat',
        kind: 'abnormal_consumption',
        deviceId: null,
        at: now,
        detail: {
          reason: 'electricity_flat',
          hours: settings.consumption.electricityFlatH,
          last_change: new Date(since).toISOString(),
        },
      });
    }
  }

  if (settings.deviceSilence.enabled) {
    const known = new Map<string, (typeof devices)[number]>();
    for (const d of devices) known.set(d.deviceId, d);
    const ids = new Set([...Object.keys(state.devices), ...known.keys()]);
    for (const deviceId of ids) {
      const info = known.get(deviceId);
      const fromState = state.devices[deviceId]?.lastSeenAt ?? null;
      const last = Math.max(fromState ?? -Infinity, info?.lastSeenAt ?? -Infinity);
      if (!Number.isFinite(last)) continue;
      const entry = (state.devices[deviceId] ??= { lastSeenAt: last });
      if (last > entry.lastSeenAt) entry.lastSeenAt = last;
      if (info?.expectedIntervalMs === null) continue;
      const interval = info?.expectedIntervalMs ?? settings.deviceSilence.defaultIntervalMin * MIN;
      const silentFor = now - last;
      if (silentFor >= interval * settings.deviceSilence.missedIntervals) {
        if (!entry.silentFired) {
          entry.silentFired = true;
          out.findings.push({
            rule: 'device_silent',
            kind: 'device_offline',
            deviceId,
            at: now,
            detail: {
              last_seen: new Date(last).toISOString(),
              expected_interval_s: Math.round(interval / 1000),
            },
          });
        }
      } else if (entry.silentFired) {
        entry.silentFired = false;
        out.recoveries.push({ rule: 'device_silent', kind: 'device_offline', deviceId, at: now });
      }
    }
  }
  return out;
}
