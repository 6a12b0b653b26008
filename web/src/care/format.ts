/** Small pure helpers shared by the care pages (tested in format.test.ts). */
import type { DeviceDto } from '@anxin/protocol';

/** Age in whole years from a birth year, as of `now`; null when unknown. */
export function ageFromBirthYear(birthYear: number | null, now: Date): number | null {
  if (birthYear === null) return null;
  const age = now.getFullYear() - birthYear;
  return age >= 0 && age < 150 ? age : null;
}

/** "tel:" link target: digits and a leading + only (the stored number may hold spaces, dashes). */
export function telHref(phone: string): string {
  const trimmed = phone.trim();
  const digits = trimmed.replace(/[^0-9]/g, '');
  return `tel:${trimmed.startsWith('+') ? '+' : ''}${digits}`;
}

export type BatteryLevel = 'ok' | 'low' | 'critical' | 'unknown';

/** Battery thresholds as installers use them: replace below 20 %, urgent below 10 %. */
export function batteryLevel(pct: number | null): BatteryLevel {
  if (pct === null) return 'unknown';
  if (pct < 10) return 'critical';
  if (pct < 20) return 'low';
  return 'ok';
}

/** Devices in a stable order for lists: room, then id. */
export function sortDevices(devices: readonly DeviceDto[]): DeviceDto[] {
  return [...devices].sort(
    (a, b) =>
      (a.room ?? '').localeCompare(b.room ?? '') ||
      a.gatewayId.localeCompare(b.gatewayId) ||
      a.id.localeCompare(b.id),
  );
}

/** Minutes between two instants, floored, never negative. */
export function minutesBetween(fromIso: string, to: Date): number {
  const from = Date.parse(fromIso);
  if (Number.isNaN(from)) return 0;
  return Math.max(0, Math.floor((to.getTime() - from) / 60_000));
}
