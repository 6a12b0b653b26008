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
  /** On a three-phase meter: the tariff registers (DL/T 645-2007 表 A.1, tariffs 1–4). */
  energy_t1_kwh: { unit: 'kWh', kind: 'number', description: 'import energy, tariff 1 (sharp)' },
  energy_t2_kwh: { unit: 'kWh', kind: 'number', description: 'import energy, tariff 2 (peak)' },
  energy_t3_kwh: { unit: 'kWh', kind: 'number', description: 'import energy, tariff 3 (flat)' },
  energy_t4_kwh: { unit: 'kWh', kind: 'number', description: 'import energy, tariff 4 (valley)' },
  energy_export_t1_kwh: { unit: 'kWh', kind: 'number', description: 'export energy, tariff 1' },
  energy_export_t2_kwh: { unit: 'kWh', kind: 'number', description: 'export energy, tariff 2' },
  energy_export_t3_kwh: { unit: 'kWh', kind: 'number', description: 'export energy, tariff 3' },
  energy_export_t4_kwh: { unit: 'kWh', kind: 'number', description: 'export energy, tariff 4' },
  /** Single-phase meters, and phase A of a three-phase meter. */
  voltage_v: { unit: 'V', kind: 'number', description: 'RMS voltage (phase A)' },
  voltage_b_v: { unit: 'V', kind: 'number', description: 'RMS voltage, phase B' },
  voltage_c_v: { unit: 'V', kind: 'number', description: 'RMS voltage, phase C' },
  current_a: { unit: 'A', kind: 'number', description: 'RMS current (phase A)' },
  current_b_a: { unit: 'A', kind: 'number', description: 'RMS current, phase B' },
  current_c_a: { unit: 'A', kind: 'number', description: 'RMS current, phase C' },
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
