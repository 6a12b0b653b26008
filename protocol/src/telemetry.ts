/**
 * Canonical telemetry fields. A driver maps what its device reports onto these names, so that the
 * hub's rules, InfluxDB and the console's charts never need to know the device. The unit is part
 * of the name's contract; the hub writes the field under its name to the `telemetry` measurement.
 */
export interface TelemetryFieldSpec {
  unit: string;
  kind: 'number' | 'boolean' | 'string';
  description: string;
}

export const TELEMETRY_FIELDS = {
  energy_kwh: { unit: 'kWh', kind: 'number', description: 'cumulative active energy (import)' },
  energy_export_kwh: {
    unit: 'kWh',
    kind: 'number',
    description: 'cumulative active energy exported',
  },
  power_w: { unit: 'W', kind: 'number', description: 'active power' },
  voltage_v: { unit: 'V', kind: 'number', description: 'RMS voltage' },
  current_a: { unit: 'A', kind: 'number', description: 'RMS current' },
  power_factor: { unit: '1', kind: 'number', description: 'power factor, -1..1' },
  frequency_hz: { unit: 'Hz', kind: 'number', description: 'mains frequency' },
  water_m3: { unit: 'm³', kind: 'number', description: 'cumulative water volume' },
  presence: { unit: 'bool', kind: 'boolean', description: 'a person is present' },
  motion: { unit: 'bool', kind: 'boolean', description: 'movement seen' },
  motion_level: { unit: '0-100', kind: 'number', description: 'body movement intensity' },
  heart_rate_bpm: { unit: 'bpm', kind: 'number', description: 'heart rate' },
  respiration_rate_bpm: { unit: 'bpm', kind: 'number', description: 'breathing rate' },
  dwell_s: { unit: 's', kind: 'number', description: 'time stationary in one place' },
  contact_closed: { unit: 'bool', kind: 'boolean', description: 'door/window contact is closed' },
  occupancy: { unit: 'bool', kind: 'boolean', description: 'occupancy sensor (PIR) triggered' },
  bed_occupied: { unit: 'bool', kind: 'boolean', description: 'someone lies on the bed mat' },
  battery_pct: { unit: '%', kind: 'number', description: 'battery level' },
  link_quality: { unit: 'lqi', kind: 'number', description: 'radio link quality' },
  temperature_c: { unit: '°C', kind: 'number', description: 'temperature' },
  humidity_pct: { unit: '%', kind: 'number', description: 'relative humidity' },
} as const satisfies Record<string, TelemetryFieldSpec>;

export type TelemetryFieldName = keyof typeof TELEMETRY_FIELDS;

export function isKnownTelemetryField(name: string): name is TelemetryFieldName {
  return Object.hasOwn(TELEMETRY_FIELDS, name);
}
