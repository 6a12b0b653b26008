/**
 * Colours with meaning on the care pages, as fg/bg pairs checked against WCAG AA (palette.test.ts
 * in console/ covers these too).
 */
import type { ColourPair } from '../console/palette';
import type { BatteryLevel } from './format';

export const BATTERY_COLOURS: Readonly<Record<BatteryLevel, ColourPair>> = {
  ok: { fg: '#0b3d16', bg: '#d3f9d8' },
  low: { fg: '#1a1b1e', bg: '#fcc419' },
  critical: { fg: '#ffffff', bg: '#c92a2a' },
  unknown: { fg: '#1a1b1e', bg: '#e9ecef' },
};

/** Online / offline chips for gateways and devices. */
export const ONLINE_COLOURS: Readonly<Record<'online' | 'offline' | 'unknown', ColourPair>> = {
  online: { fg: '#ffffff', bg: '#237a36' },
  offline: { fg: '#ffffff', bg: '#c92a2a' },
  unknown: { fg: '#1a1b1e', bg: '#e9ecef' },
};

/** A guided-test step: waiting for the event, or ticked when it arrived. */
export const STEP_COLOURS: Readonly<Record<'waiting' | 'passed', ColourPair>> = {
  waiting: { fg: '#1a1b1e', bg: '#fff3bf' },
  passed: { fg: '#ffffff', bg: '#237a36' },
};

/** Answer-time figures against their targets. */
export const TARGET_COLOURS: Readonly<Record<'met' | 'missed', ColourPair>> = {
  met: { fg: '#ffffff', bg: '#237a36' },
  missed: { fg: '#ffffff', bg: '#c92a2a' },
};

/** Test mode banner (the same violet as the TEST badge). */
export const TEST_MODE_COLOURS: ColourPair = { fg: '#ffffff', bg: '#6741d9' };

/** Something to act on now, not an error (e.g. credentials shown once). */
export const WARNING_COLOURS: ColourPair = { fg: '#1a1b1e', bg: '#fcc419' };

/** "On the way" box on the alarm (family responders): calm green. */
export const ON_THE_WAY_LIGHT: ColourPair = { fg: '#0b3d16', bg: '#d3f9d8' };
