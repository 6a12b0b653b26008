/**
 * Supervision of one device: when it was last heard, whether it is online against its expected
 * interval, its decode counters, battery and signal. Feeds DeviceHealth in heartbeats (DESIGN.md,
 * contract clause 6); the hub raises the technical alarms from it.
 */
import type { DeviceHealth } from '@anxin/protocol';
import type { DecodeStats, DeviceReading } from '@anxin/devices';

export interface PollCounters {
  /** Requests written to the bus (retries included). */
  requests: number;
  /** Requests that got a complete reply. */
  replies: number;
  timeouts: number;
  retries: number;
  /** Requests abandoned after all retries. */
  failures: number;
  /** Poll cycles skipped because the port was not open. */
  skippedPortDown: number;
}

export interface DeviceDetail extends DeviceHealth {
  /** Why the device cannot run at all (UNKNOWN_DRIVER, NO_PORT, ...), else null. */
  error: string | null;
  port: string | null;
  rejectReasons: Record<string, number>;
  /** Readings the gateway refused (did not fit the protocol schema). */
  invalidReadings: number;
  poll?: PollCounters;
}

const ZERO_STATS: DecodeStats = { framesOk: 0, decodeErrors: 0, rejectReasons: {} };

export class DeviceMonitor {
  lastSeenAt: number | null = null;
  error: string | null = null;
  invalidReadings = 0;
  poll: PollCounters | undefined;
  private batteryPct: number | undefined;
  private signal: number | undefined;
  private statsSource: () => DecodeStats = () => ZERO_STATS;
  private lastFramesOk = 0;
  private wasOnline = false;

  constructor(
    readonly deviceId: string,
    readonly driver: string,
    /** Silence longer than this makes the device offline; null: online once heard. */
    private expectedMs: number | null,
    readonly port: string | null,
  ) {}

  get expectedIntervalMs(): number | null {
    return this.expectedMs;
  }

  /** A new expected interval (configuration change); the session is not touched. */
  setExpectedInterval(ms: number | null): void {
    this.expectedMs = ms;
  }

  setStatsSource(source: () => DecodeStats): void {
    this.statsSource = source;
  }

  /** Call after feeding the session: a newly decoded frame counts as "heard" even without readings. */
  noteFrames(at: number): void {
    const framesOk = this.statsSource().framesOk;
    if (framesOk > this.lastFramesOk) this.lastSeenAt = at;
    this.lastFramesOk = framesOk;
  }

  /** The newest reading and when it arrived (command read_device answers with it). */
  lastReading: { reading: DeviceReading; at: number } | null = null;

  noteReading(reading: DeviceReading, at: number): void {
    this.lastSeenAt = at;
    this.lastReading = { reading, at };
    if (reading.type !== 'telemetry') return;
    const battery = reading.fields.battery_pct;
    if (typeof battery === 'number' && battery >= 0 && battery <= 100) this.batteryPct = battery;
    const signal = reading.fields.link_quality;
    if (typeof signal === 'number' && Number.isFinite(signal)) this.signal = signal;
  }

  isOnline(now: number): boolean {
    if (this.error !== null || this.lastSeenAt === null) return false;
    return this.expectedMs === null || now - this.lastSeenAt <= this.expectedMs;
  }

  /** Returns 'online'/'offline' when the state changed since the last call, else null. */
  transition(now: number): 'online' | 'offline' | null {
    const online = this.isOnline(now);
    if (online === this.wasOnline) return null;
    this.wasOnline = online;
    return online ? 'online' : 'offline';
  }

  health(now: number): DeviceHealth {
    const stats = this.statsSource();
    return {
      deviceId: this.deviceId,
      driver: this.driver.slice(0, 64),
      online: this.isOnline(now),
      lastSeenAt: this.lastSeenAt,
      ...(this.batteryPct !== undefined ? { batteryPct: this.batteryPct } : {}),
      ...(this.signal !== undefined ? { signal: this.signal } : {}),
      framesOk: stats.framesOk,
      decodeErrors: stats.decodeErrors,
    };
  }

  detail(now: number): DeviceDetail {
    return {
      ...this.health(now),
      error: this.error,
      port: this.port,
      rejectReasons: { ...this.statsSource().rejectReasons },
      invalidReadings: this.invalidReadings,
      ...(this.poll ? { poll: { ...this.poll } } : {}),
    };
  }
}
