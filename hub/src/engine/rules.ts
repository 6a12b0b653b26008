/**
 * The alarm rules that turn a home's telemetry and silence into derived alarms (DESIGN.md,
 * "Alarms"; issue 5, "Alarm engine"). Pure: no I/O and no clock — every function takes the time it
 * should judge by, and mutates only the HomeRuleState it is given, which the engine persists so
 * a hub restart keeps open windows, last changes and what has already fired.
 *
 * Device-reported alarms (fall, SOS, smoke, gas, water leak, tamper, a device's own low-battery
 * flag) are stored by ingest as they arrive and never pass through here.
 */
import { isNight, type RuleSettings } from './settings.js';
import {
  type RuleName,
  type RuleOutput,
  type HomeRuleState,
  H,
  MIN,
  type TelemetryInput,
} from './rule-state.js';
import { touchSignal, markActivity, water, electricity } from './meter-rules.js';

// The engine and the tests import the rules' types and state from here, as before the split.
export { emptyState } from './rule-state.js';
export type {
  Finding,
  HomeRuleState,
  Recovery,
  RuleName,
  RuleOutput,
  TelemetryInput,
} from './rule-state.js';

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
