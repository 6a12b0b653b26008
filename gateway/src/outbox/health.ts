/**
 * The outbox as health, heartbeats and diagnostics report it: its counters and the age of the
 * oldest event still pending (an empty or closed outbox reports zeros).
 */
import type { Heartbeat } from '@anxin/protocol';
import type { Outbox, OutboxStats } from './outbox.js';

export type OutboxHealth = OutboxStats & { oldestPendingAgeMs: number };

export function outboxHealth(outbox: Outbox | null, now: number): OutboxHealth {
  if (!outbox) {
    return {
      alarmDepth: 0,
      telemetryDepth: 0,
      oldestPendingAt: null,
      droppedTelemetry: 0,
      lastSeq: 0,
      oldestPendingAgeMs: 0,
    };
  }
  const stats = outbox.stats();
  return {
    ...stats,
    oldestPendingAgeMs:
      stats.oldestPendingAt === null ? 0 : Math.max(0, now - stats.oldestPendingAt),
  };
}

/** The heartbeat's (and diagnostics') summary: whole milliseconds, no seq. */
export function outboxSummary(health: OutboxHealth): Heartbeat['outbox'] {
  const { alarmDepth, telemetryDepth, oldestPendingAgeMs, droppedTelemetry } = health;
  const age = Math.round(oldestPendingAgeMs);
  return { alarmDepth, telemetryDepth, oldestPendingAgeMs: age, droppedTelemetry };
}
