/**
 * Per-alarm stage times for benchmarks (issue 12: "measure each alarm at the points that matter").
 * When the hub's environment names a file in ANXIN_ALARM_TRACE, ingest appends one line per alarm
 * event it stores: gateway, seq, and the moments the broker handed it over, its SQL transaction
 * committed and its Socket.IO push was emitted. `anxin bench latency` joins these lines with the
 * gateways' own times (reading, MQTT publish, outbox durable) and the console's receipt.
 *
 * Off unless asked for; when on it costs one appended line per alarm, written in one call per
 * group commit (a few alarms a second), never on the telemetry path.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export const ALARM_TRACE_ENV = 'ANXIN_ALARM_TRACE';

/** Wall-clock milliseconds with sub-millisecond precision, comparable across local processes. */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface AlarmTraceEntry {
  gatewayId: string;
  seq: number;
  /** The broker handed the uplink to ingest. */
  receivedAt: number;
  /** Its SQL transaction started (before: the alarm queue and the event loop's turn). */
  sqlStartedAt: number;
  /** The SQL transaction holding the alarm committed. */
  committedAt: number;
  /**
   * Its console push was emitted: Realtime's push chain had sent it (right after the commit when
   * the writer knew the push's care fields, else after reading them).
   */
  pushedAt: number;
}

export interface AlarmTrace {
  record(entries: readonly AlarmTraceEntry[]): void;
  close(): void;
}

/** One tab-separated line per entry; times in ms with three decimals. */
export function formatAlarmTrace(entries: readonly AlarmTraceEntry[]): string {
  return entries
    .map(
      (e) =>
        `${e.gatewayId}\t${e.seq}\t${[e.receivedAt, e.sqlStartedAt, e.committedAt, e.pushedAt].map((t) => t.toFixed(3)).join('\t')}\n`,
    )
    .join('');
}

/** Reads a trace file's text back; malformed lines (a torn last write) are skipped. */
export function parseAlarmTrace(text: string): AlarmTraceEntry[] {
  const entries: AlarmTraceEntry[] = [];
  for (const line of text.split('\n')) {
    const [gatewayId, ...rest] = line.split('\t');
    const times = rest.map(Number);
    if (!gatewayId || times.length !== 5 || times.some((t) => !Number.isFinite(t))) continue;
    entries.push({
      gatewayId,
      seq: times[0] ?? 0,
      receivedAt: times[1] ?? 0,
      sqlStartedAt: times[2] ?? 0,
      committedAt: times[3] ?? 0,
      pushedAt: times[4] ?? 0,
    });
  }
  return entries;
}

/** The trace the environment asks for, or undefined (the default: no trace). */
export function alarmTraceFromEnv(env: NodeJS.ProcessEnv = process.env): AlarmTrace | undefined {
  const file = env[ALARM_TRACE_ENV];
  if (!file) return undefined;
  let fd: number | undefined = openSync(file, 'a');
  return {
    record(entries) {
      if (fd === undefined || entries.length === 0) return;
      writeSync(fd, formatAlarmTrace(entries));
    },
    close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
