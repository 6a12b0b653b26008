/**
 * How long an alarm has waited, and the colour that tells the operator it is getting late.
 * The thresholds are the telecare answer targets (DESIGN.md, Supervisor: 97.5 % of alarms taken
 * within 60 s, 99 % within 180 s): amber once past the first, red once past the second.
 */
import type { AlarmDto } from '@anxin/protocol';

export const AGE_LATE_AFTER_S = 60;
export const AGE_OVERDUE_AFTER_S = 180;

export type AgeLevel = 'fresh' | 'late' | 'overdue';

export function ageLevel(seconds: number): AgeLevel {
  if (seconds >= AGE_OVERDUE_AFTER_S) return 'overdue';
  if (seconds >= AGE_LATE_AFTER_S) return 'late';
  return 'fresh';
}

/**
 * Whole seconds since the hub received the alarm (the hub's clock, which the answer targets are
 * measured by), at browser time `nowMs` corrected by the hub/browser clock offset. Never negative.
 */
export function alarmAgeSeconds(
  alarm: Pick<AlarmDto, 'receivedAt'>,
  nowMs: number,
  clockOffsetMs = 0,
): number {
  const receivedMs = Date.parse(alarm.receivedAt);
  if (Number.isNaN(receivedMs)) return 0;
  return Math.max(0, Math.floor((nowMs + clockOffsetMs - receivedMs) / 1000));
}

/** `mm:ss` (minutes keep counting past 59, so 75 minutes is `75:00`). */
export function formatAge(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${String(minutes).padStart(2, '0')}:${String(rest).padStart(2, '0')}`;
}

/** Offset to add to browser time to get hub time, from a server timestamp read at `nowMs`. */
export function clockOffsetMs(serverTimeIso: string, nowMs: number): number {
  const server = Date.parse(serverTimeIso);
  return Number.isNaN(server) ? 0 : server - nowMs;
}
