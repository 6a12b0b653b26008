/**
 * What a new configuration changes, device by device (pure). Devices are matched by id and
 * compared by their settings, so that applying a configuration touches only what changed: a meter
 * poll or a radar stream keeps running through an unrelated edit (issue 10).
 */
import type { DeviceConfig } from '../config.js';

export interface DeviceChange {
  before: DeviceConfig;
  after: DeviceConfig;
  /**
   * The driver session must be rebuilt (driver, port, serial settings, options or retries
   * changed). False when only supervision changed (expected interval): the session keeps running.
   */
  restart: boolean;
}

export interface DeviceDiff {
  added: DeviceConfig[];
  removed: DeviceConfig[];
  changed: DeviceChange[];
  unchanged: DeviceConfig[];
}

/** Key order does not matter: `{a:1,b:2}` equals `{b:2,a:1}`. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The settings a driver session is built from (everything but supervision). */
export function sessionKey(device: DeviceConfig): string {
  return canonical({
    driver: device.driver,
    port: device.port,
    serial: device.serial,
    options: device.options,
    pollRetries: device.pollRetries,
  });
}

export function diffDevices(
  current: readonly DeviceConfig[],
  next: readonly DeviceConfig[],
): DeviceDiff {
  const before = new Map(current.map((d) => [d.id, d]));
  const after = new Map(next.map((d) => [d.id, d]));
  const diff: DeviceDiff = { added: [], removed: [], changed: [], unchanged: [] };
  for (const device of next) {
    const old = before.get(device.id);
    if (!old) diff.added.push(device);
    else if (canonical(old) === canonical(device)) diff.unchanged.push(device);
    else
      diff.changed.push({
        before: old,
        after: device,
        restart: sessionKey(old) !== sessionKey(device),
      });
  }
  for (const device of current) if (!after.has(device.id)) diff.removed.push(device);
  return diff;
}

/** True when nothing changes. */
export function isEmptyDiff(diff: DeviceDiff): boolean {
  return diff.added.length === 0 && diff.removed.length === 0 && diff.changed.length === 0;
}
