/** The rules' vocabulary and what they remember per home (engine/rules.ts; pure, JSON-serialisable). */
import type { AlarmKind } from '@anxin/protocol';

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

export interface Signal {
  /** When this signal was first seen for the home (a quiet window needs a start). */
  firstAt: number;
  /** Last time activity was seen (a meter advanced by the minimum, motion true, …). */
  activityAt: number;
  /** Set when the quiet rule fired; cleared by the next activity. */
  quietFired?: boolean;
  /** electricity only: the flat-meter rule fired. */
  flatFired?: boolean;
}

export interface Meter {
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

export const H = 3_600_000;
export const MIN = 60_000;

export interface TelemetryInput {
  deviceId: string;
  observedAt: number;
  fields: Record<string, number | boolean | string>;
}
