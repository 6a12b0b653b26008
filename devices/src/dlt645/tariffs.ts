/**
 * What the simulated DL/T 645 meter measures besides energy: which time-of-use tariff is in force
 * (the meter books energy to it), and each phase's power, voltage and current. Pure.
 */

/**
 * Tariff in force at an instant, by local hour: 1 sharp (尖) 19–21 h, 2 peak (峰) 08–11 h and
 * 17–19 h, 4 valley (谷) 23–07 h, 3 flat (平) otherwise — the shape of Chinese residential
 * time-of-use schedules (provinces differ in the hours; the meter only needs one schedule).
 */
export function tariffAt(epochMs: number, utcOffsetMinutes: number): 1 | 2 | 3 | 4 {
  const minutes = Math.floor((epochMs + utcOffsetMinutes * 60_000) / 60_000);
  const hour = Math.floor((((minutes % 1440) + 1440) % 1440) / 60);
  if (hour >= 19 && hour < 21) return 1;
  if ((hour >= 8 && hour < 11) || (hour >= 17 && hour < 19)) return 2;
  if (hour >= 23 || hour < 7) return 4;
  return 3;
}

export interface PhaseLoad {
  powerW: number;
  voltageV: number;
  currentA: number;
}

/** Share of the base load per phase A, B, C on a three-phase supply (a kettle sits on A). */
const SHARE = [0.5, 0.3, 0.2] as const;
/** Loaded line voltage per phase before the load's own sag; the phases are never quite equal. */
const NOMINAL_V = [229.4, 230.0, 228.8] as const;
const POWER_FACTOR = 0.98;

function load(powerW: number, nominalV: number): PhaseLoad {
  // The line sags a little under load; an unloaded line sits a little higher.
  const voltageV = powerW > 0 ? nominalV - powerW / 2000 : nominalV + 0.7;
  return { powerW, voltageV, currentA: powerW / voltageV / POWER_FACTOR };
}

/** Phase A alone (single-phase), or A, B, C with the base load spread and the kettle on A. */
export function phaseLoads(phases: 1 | 3, baseW: number, kettleW: number): PhaseLoad[] {
  if (phases === 1) return [load(baseW + kettleW, NOMINAL_V[0])];
  return SHARE.map((share, i) =>
    load(baseW * share + (i === 0 ? kettleW : 0), NOMINAL_V[i] ?? NOMINAL_V[0]),
  );
}
