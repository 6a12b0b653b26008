/**
 * Consumption through a day, for the meter simulators: a base rate plus time-of-day segments
 * (a kettle at breakfast, cooking at noon and evening; washing in the morning and evening), with
 * a scenario switch the demo and tests can flip ('idle' = nothing used; 'leak' = a steady
 * trickle on top of normal use). Pure: time comes in as epoch milliseconds.
 */

export interface ProfileSegment {
  /** Local time of day, "HH:MM" (inclusive). */
  from: string;
  /** Local time of day, "HH:MM" (exclusive). */
  to: string;
  /** Rate during the segment, added to the base rate (unit per hour, e.g. W or L/h). */
  rate: number;
}

export interface DayProfile {
  /** Rate all day (e.g. a fridge's average draw), per hour. */
  base: number;
  segments: readonly ProfileSegment[];
  /** Local time zone of the home as minutes east of UTC (China: +480). */
  utcOffsetMinutes: number;
}

export type ConsumptionMode = 'normal' | 'idle' | 'leak';

function minuteOfDay(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm);
  if (!m) throw new RangeError(`time of day must be HH:MM: ${hhmm}`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Rate (per hour) at an instant. `leakRate` is added in 'leak' mode. */
export function rateAt(
  profile: DayProfile,
  epochMs: number,
  mode: ConsumptionMode = 'normal',
  leakRate = 0,
): number {
  if (mode === 'idle') return 0;
  const localMinutes =
    (((Math.floor(epochMs / 60_000) + profile.utcOffsetMinutes) % 1440) + 1440) % 1440;
  let rate = profile.base;
  for (const s of profile.segments) {
    const from = minuteOfDay(s.from);
    const to = minuteOfDay(s.to);
    const inside =
      from <= to
        ? localMinutes >= from && localMinutes < to
        : localMinutes >= from || localMinutes < to;
    if (inside) rate += s.rate;
  }
  return mode === 'leak' ? rate + leakRate : rate;
}

/**
 * Amount used between two instants (rate × hours), integrated minute by minute. The span is
 * capped at 31 days so a clock jump cannot make the simulator loop for long.
 */
export function integrate(
  profile: DayProfile,
  fromMs: number,
  toMs: number,
  mode: ConsumptionMode = 'normal',
  leakRate = 0,
): number {
  if (!(toMs > fromMs)) return 0;
  const end = Math.min(toMs, fromMs + 31 * 86_400_000);
  let total = 0;
  let t = fromMs;
  while (t < end) {
    const next = Math.min(end, (Math.floor(t / 60_000) + 1) * 60_000);
    total += (rateAt(profile, t, mode, leakRate) * (next - t)) / 3_600_000;
    t = next;
  }
  return total;
}

/** A small flat's electricity (W): fridge and standby, kettle, cooking, evening TV and lights. */
export const ELECTRICITY_DAY: DayProfile = {
  base: 60,
  utcOffsetMinutes: 480,
  segments: [
    { from: '06:50', to: '06:55', rate: 2000 }, // kettle
    { from: '11:20', to: '11:50', rate: 1500 }, // cooking
    { from: '17:30', to: '18:10', rate: 1500 }, // cooking
    { from: '18:40', to: '18:44', rate: 2000 }, // kettle
    { from: '19:00', to: '22:00', rate: 150 }, // TV and lights
  ],
};

/** One elder's water (L/h): washing in the morning, cooking, dishes, evening wash; ~150 L a day. */
export const WATER_DAY: DayProfile = {
  base: 0,
  utcOffsetMinutes: 480,
  segments: [
    { from: '06:40', to: '07:00', rate: 180 }, // toilet, washing: 60 L
    { from: '11:30', to: '11:40', rate: 120 }, // cooking: 20 L
    { from: '12:15', to: '12:25', rate: 120 }, // dishes: 20 L
    { from: '18:00', to: '18:10', rate: 120 }, // cooking: 20 L
    { from: '20:30', to: '20:40', rate: 180 }, // evening wash: 30 L
  ],
};

/**
 * A running toilet cistern: 30 L/h, i.e. 15 L in every half-hour slot — more than the 10 L step of
 * a meter that reports m³ with two decimals, so every slot shows use.
 */
export const WATER_LEAK_RATE = 30;
