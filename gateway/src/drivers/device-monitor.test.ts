import { describe, expect, it } from 'vitest';
import { DeviceMonitor } from './device-monitor.js';

describe('DeviceMonitor', () => {
  it('is offline until heard, online within the expected interval, offline after it', () => {
    const monitor = new DeviceMonitor('m1', 'dlt645', 60_000, '/dev/ttyUSB0');
    expect(monitor.isOnline(0)).toBe(false);
    expect(monitor.transition(0)).toBeNull();
    monitor.noteReading(
      { type: 'telemetry', fields: { energy_kwh: 1, battery_pct: 87, link_quality: 120 } },
      1000,
    );
    expect(monitor.transition(1000)).toBe('online');
    expect(monitor.transition(30_000)).toBeNull();
    expect(monitor.isOnline(61_000)).toBe(true);
    expect(monitor.transition(61_001)).toBe('offline');
    expect(monitor.health(61_001)).toEqual({
      deviceId: 'm1',
      driver: 'dlt645',
      online: false,
      lastSeenAt: 1000,
      batteryPct: 87,
      signal: 120,
      framesOk: 0,
      decodeErrors: 0,
    });
  });

  it('counts a decoded frame as heard even when it carries no reading', () => {
    let framesOk = 0;
    const monitor = new DeviceMonitor('r1', 'mr60fda1', null, null);
    monitor.setStatsSource(() => ({ framesOk, decodeErrors: 0, rejectReasons: {} }));
    monitor.noteFrames(10);
    expect(monitor.lastSeenAt).toBeNull();
    framesOk = 1;
    monitor.noteFrames(20);
    expect(monitor.lastSeenAt).toBe(20);
    expect(monitor.isOnline(1e12)).toBe(true);
  });

  it('is never online while it cannot run', () => {
    const monitor = new DeviceMonitor('x', 'nope', null, null);
    monitor.noteReading({ type: 'alarm', kind: 'sos', action: 'raise' }, 5);
    monitor.error = 'UNKNOWN_DRIVER';
    expect(monitor.isOnline(5)).toBe(false);
    expect(monitor.detail(5)).toMatchObject({ error: 'UNKNOWN_DRIVER', online: false });
  });
});
