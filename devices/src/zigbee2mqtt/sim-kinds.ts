/**
 * The Zigbee devices the Zigbee2MQTT simulator can pair: their models as
 * zigbee-herdsman-converters names them, the state properties they carry, and the scenarios each
 * kind can act out.
 */
export type SimulatedZigbeeKind =
  | 'sos_button'
  | 'sos_button_heiman'
  | 'water_leak'
  | 'smoke'
  | 'gas'
  | 'door'
  | 'motion'
  | 'fall_radar'
  | 'bed_mat';

export interface SimulatedZigbeeDevice {
  friendlyName: string;
  kind: SimulatedZigbeeKind;
  /** Defaults to a stable fake address derived from the friendly name. */
  ieeeAddress?: string;
}

interface KindSpec {
  model: string;
  vendor: string;
  description: string;
  initial: Record<string, unknown>;
}

/** Models as zigbee-herdsman-converters names them, with the properties their state carries. */
export const SIMULATED_KINDS: Readonly<Record<SimulatedZigbeeKind, KindSpec>> = {
  sos_button: {
    model: 'TS0215A_sos',
    vendor: 'Tuya',
    description: 'SOS button',
    initial: { battery: 90, voltage: 2900 },
  },
  sos_button_heiman: {
    model: 'HS1EB/HS1EB-E',
    vendor: 'Heiman',
    description: 'Smart emergency button',
    initial: { battery: 95 },
  },
  water_leak: {
    model: 'SJCGQ11LM',
    vendor: 'Aqara',
    description: 'Water leak sensor',
    initial: { water_leak: false, battery: 100, battery_low: false, voltage: 3025 },
  },
  smoke: {
    model: 'JTYJ-GD-01LM/BW',
    vendor: 'Aqara',
    description: 'Smoke detector',
    initial: { smoke: false, smoke_density: 0, battery: 100, battery_low: false, tamper: false },
  },
  gas: {
    model: 'JTQJ-BF-01LM/BW',
    vendor: 'Aqara',
    description: 'Gas leak detector',
    initial: { gas: false, gas_density: 0 },
  },
  door: {
    model: 'MCCGQ11LM',
    vendor: 'Aqara',
    description: 'Door and window contact sensor',
    initial: { contact: true, battery: 100, voltage: 3005 },
  },
  motion: {
    model: 'RTCGQ11LM',
    vendor: 'Aqara',
    description: 'Motion sensor',
    initial: { occupancy: false, illuminance: 120, battery: 100, voltage: 3015 },
  },
  fall_radar: {
    model: 'FDS315',
    vendor: 'OWON',
    description: 'Fall Detection Sensor',
    initial: { status: 'unoccupied', breathing_rate: 0 },
  },
  bed_mat: {
    model: 'SPM915',
    vendor: 'OWON',
    description: 'Sleeping pad monitor',
    initial: { contact: true, battery: 100, battery_low: false, tamper: false },
  },
};

const ALWAYS = ['battery_low', 'battery_ok', 'offline', 'online', 'join', 'leave'] as const;

/** The scenarios a device of `kind` can act out (those `trigger` answers true for). */
export function zigbeeScenariosFor(kind: SimulatedZigbeeKind): string[] {
  const own: Record<SimulatedZigbeeKind, string[]> = {
    sos_button: ['sos'],
    sos_button_heiman: ['sos'],
    water_leak: ['leak', 'leak_clear'],
    smoke: ['smoke', 'smoke_clear'],
    gas: ['gas', 'gas_clear'],
    door: ['door_open', 'door_close'],
    motion: ['motion', 'motion_clear'],
    fall_radar: ['fall', 'fall_clear', 'bed_in', 'bed_out'],
    bed_mat: ['bed_in', 'bed_out'],
  };
  return [...own[kind], ...ALWAYS];
}
