/** A command's answer as rows for the installer, and read_device answers as live readings. Pure. */
import { isJsonObject, type GatewayCommandDto, type JsonObject } from '@anxin/protocol';
import type { Reading } from './readings';

/** Key/value rows of a command's data, nested objects flattened as `a.b` (diagnostics). */
export function resultRows(data: JsonObject | null, prefix = ''): [string, string][] {
  if (data === null) return [];
  const rows: [string, string][] = [];
  for (const [key, value] of Object.entries(data)) {
    const name = prefix === '' ? key : `${prefix}.${key}`;
    if (isJsonObject(value)) rows.push(...resultRows(value, name));
    else rows.push([name, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  return rows;
}

/** The reading a succeeded read_device answer carries, as the device list shows readings. */
export function readingFromCommand(
  command: GatewayCommandDto,
): { key: string; readings: Reading[] } | null {
  if (command.name !== 'read_device' || command.status !== 'succeeded' || command.data === null)
    return null;
  const { device_id: deviceId, at, reading } = command.data;
  if (typeof deviceId !== 'string' || typeof at !== 'number') return null;
  // A telemetry reading carries { type: 'telemetry', fields }; an alarm reading is not a value.
  if (!isJsonObject(reading)) return null;
  const fields = reading.fields;
  if (!isJsonObject(fields)) return null;
  const readings: Reading[] = [];
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'number' && typeof value !== 'boolean' && typeof value !== 'string')
      continue;
    const shown =
      typeof value === 'number' ? String(Math.round(value * 1000) / 1000) : String(value);
    readings.push({ field, value: shown, unit: null, at });
  }
  return readings.length === 0 ? null : { key: `${command.gatewayId}/${deviceId}`, readings };
}
