/**
 * The thresholds of the hub's configuration that the gateway acts on itself (issue 10), pure.
 *
 * `battery_low_pct`: a device that reports its battery as a percentage (`battery_pct`) but has
 * no low-battery flag of its own (many Zigbee sensors, battery water meters) gets a
 * `low_battery` alarm on the alarm lane when it drops below the threshold, once per episode:
 * it is raised again only after the battery came back to the threshold plus
 * `battery_low_hysteresis_pct` (a fresh battery), so a value wobbling around the threshold does
 * not raise an alarm with every report. The alarm is raised at the gateway, not only by the hub's
 * rules, so it goes first on the alarm lane and reaches the hub even while a telemetry backlog is
 * held back (DESIGN.md contract clause 2).
 *
 * A changed threshold takes effect at once: `setThresholds` re-checks the newest battery value of
 * every device and returns the alarms the new threshold raises — no driver restarts, no waiting
 * for the next report (a battery sensor may report twice a day).
 */
import type { DeviceReading } from '@anxin/devices';

/** Used when the configuration names no value (the hub's default, hub/src/care/provisioning.ts). */
export const DEFAULT_BATTERY_LOW_PCT = 20;
export const DEFAULT_BATTERY_HYSTERESIS_PCT = 5;

/** The threshold names this gateway acts on (others are kept and reported, not used). */
export const GATEWAY_THRESHOLD_NAMES = ['battery_low_pct', 'battery_low_hysteresis_pct'] as const;

export interface ThresholdAlarm {
  deviceId: string;
  reading: DeviceReading;
}

interface BatteryState {
  pct: number;
  low: boolean;
}

function valid(value: number | undefined, fallback: number, max: number): number {
  return value !== undefined && Number.isFinite(value) && value >= 0 && value <= max
    ? value
    : fallback;
}

export class ThresholdWatch {
  private lowPct = DEFAULT_BATTERY_LOW_PCT;
  private hysteresisPct = DEFAULT_BATTERY_HYSTERESIS_PCT;
  private readonly battery = new Map<string, BatteryState>();

  constructor(thresholds: Record<string, number> = {}) {
    this.apply(thresholds);
  }

  get batteryLowPct(): number {
    return this.lowPct;
  }

  /** New thresholds (a configuration applied); returns the alarms they raise at once. */
  setThresholds(thresholds: Record<string, number>): ThresholdAlarm[] {
    this.apply(thresholds);
    const out: ThresholdAlarm[] = [];
    for (const [deviceId, state] of this.battery) {
      const alarm = this.evaluate(deviceId, state);
      if (alarm) out.push(alarm);
    }
    return out;
  }

  /** One recorded reading of `deviceId`; returns the alarm it raises, if any. */
  check(deviceId: string, reading: DeviceReading): ThresholdAlarm | null {
    const id = reading.deviceId ?? deviceId;
    if (reading.type === 'alarm') {
      // The device flagged its own low battery: the episode is already raised, do not repeat it.
      if (reading.kind === 'low_battery') {
        const state = this.battery.get(id) ?? { pct: Number.NaN, low: false };
        state.low = reading.action === 'raise';
        this.battery.set(id, state);
      }
      return null;
    }
    const pct = reading.fields.battery_pct;
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) return null;
    const state = this.battery.get(id) ?? { pct, low: false };
    state.pct = pct;
    this.battery.set(id, state);
    return this.evaluate(id, state);
  }

  private apply(thresholds: Record<string, number>): void {
    this.lowPct = valid(thresholds.battery_low_pct, DEFAULT_BATTERY_LOW_PCT, 100);
    this.hysteresisPct = valid(
      thresholds.battery_low_hysteresis_pct,
      DEFAULT_BATTERY_HYSTERESIS_PCT,
      100,
    );
  }

  private evaluate(deviceId: string, state: BatteryState): ThresholdAlarm | null {
    if (!Number.isFinite(state.pct)) return null;
    if (!state.low && state.pct < this.lowPct) {
      state.low = true;
      return {
        deviceId,
        reading: {
          type: 'alarm',
          kind: 'low_battery',
          action: 'raise',
          deviceId,
          detail: { battery_pct: state.pct, threshold_pct: this.lowPct, source: 'gateway' },
        },
      };
    }
    if (state.low && state.pct >= this.lowPct + this.hysteresisPct) state.low = false;
    return null;
  }
}
