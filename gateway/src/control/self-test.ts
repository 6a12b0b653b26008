/**
 * A device self-test (command self_test_start / self_test_stop): for a while, the gateway counts
 * what one device produces — readings, alarms, frames decoded and refused — so that an installer
 * who presses a button or walks past a sensor sees at once whether the gateway heard it. A test
 * stops by itself after its duration, so a forgotten one ends.
 */
import type { DeviceReading } from '@anxin/devices';

export interface SelfTestReport {
  device_id: string;
  started_at: number;
  stopped_at: number;
  readings: number;
  alarms: number;
  frames_ok: number;
  decode_errors: number;
  last_reading: DeviceReading | null;
  /** Heard at least one reading during the test. */
  passed: boolean;
}

interface Running {
  startedAt: number;
  framesOk: number;
  decodeErrors: number;
  readings: number;
  alarms: number;
  last: DeviceReading | null;
  timer: NodeJS.Timeout;
}

export class SelfTests {
  private readonly running = new Map<string, Running>();
  private readonly finished = new Map<string, SelfTestReport>();

  constructor(
    private readonly counters: (
      deviceId: string,
    ) => { framesOk: number; decodeErrors: number } | null,
    private readonly now: () => number,
  ) {}

  start(deviceId: string, durationMs: number): boolean {
    const base = this.counters(deviceId);
    if (!base) return false;
    this.stopTimer(deviceId);
    const timer = setTimeout(() => this.stop(deviceId), durationMs);
    timer.unref();
    this.running.set(deviceId, {
      startedAt: this.now(),
      framesOk: base.framesOk,
      decodeErrors: base.decodeErrors,
      readings: 0,
      alarms: 0,
      last: null,
      timer,
    });
    this.finished.delete(deviceId);
    return true;
  }

  /** Every reading the gateway records passes here. */
  note(deviceId: string, reading: DeviceReading): void {
    const test = this.running.get(deviceId);
    if (!test) return;
    test.readings += 1;
    if (reading.type === 'alarm') test.alarms += 1;
    test.last = reading;
  }

  isRunning(deviceId: string): boolean {
    return this.running.has(deviceId);
  }

  /** Stops a running test (or returns the one that ended by itself); null when there is none. */
  stop(deviceId: string): SelfTestReport | null {
    const test = this.running.get(deviceId);
    if (!test) return this.finished.get(deviceId) ?? null;
    clearTimeout(test.timer);
    this.running.delete(deviceId);
    const now = this.counters(deviceId) ?? {
      framesOk: test.framesOk,
      decodeErrors: test.decodeErrors,
    };
    const report: SelfTestReport = {
      device_id: deviceId,
      started_at: test.startedAt,
      stopped_at: this.now(),
      readings: test.readings,
      alarms: test.alarms,
      frames_ok: Math.max(0, now.framesOk - test.framesOk),
      decode_errors: Math.max(0, now.decodeErrors - test.decodeErrors),
      last_reading: test.last,
      passed: test.readings > 0,
    };
    this.finished.set(deviceId, report);
    return report;
  }

  stopAll(): void {
    for (const id of [...this.running.keys()]) this.stopTimer(id);
    this.running.clear();
  }

  private stopTimer(deviceId: string): void {
    const test = this.running.get(deviceId);
    if (test) clearTimeout(test.timer);
  }
}
