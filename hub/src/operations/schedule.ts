/**
 * Welfare-check scheduling, pure (no clock, no I/O): calendar days in a time zone, and the next
 * check a plan owes after the last one. Table-tested in schedule.test.ts.
 *
 * A plan has at most one pending check at a time; the next is generated when the last is done,
 * so a missed period leaves one overdue check on the list rather than a pile of them.
 *  - every_days N: due N days after the day the last check was done (first: the start day).
 *  - per_month N: each month is cut into N windows of (nearly) equal days; one check per window,
 *    may be done any day of it, due on its last day (first: the window of the start day). After a
 *    check, the next window; if that window is already over when the check was done late, the
 *    window of the day it was done (so no check is owed for a period that is already past).
 *  - a "not reached" result brings the next check forward to the next day, whatever the plan
 *    (a second "not reached" opens a follow-up: see WelfareService).
 */
import type { WelfareCadence, WelfareResult } from '@anxin/protocol';

/** 'YYYY-MM-DD' of an instant in a time zone (IANA name, e.g. Asia/Shanghai). */
export function localDay(ms: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(new Date(ms));
}

function parseDay(day: string): { y: number; m: number; d: number } {
  const [y, m, d] = day.split('-').map(Number);
  return { y: y ?? 1970, m: m ?? 1, d: d ?? 1 };
}

function formatDay(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** True for a real calendar day in YYYY-MM-DD form. */
export function isValidDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const { y, m, d } = parseDay(day);
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m);
}

export function addDays(day: string, n: number): string {
  const { y, m, d } = parseDay(day);
  const t = new Date(Date.UTC(y, m - 1, d + n));
  return formatDay(t.getUTCFullYear(), t.getUTCMonth() + 1, t.getUTCDate());
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

export interface Window {
  start: string;
  end: string;
}

/**
 * The window of `day` when its month is cut into `count` windows: window i holds days
 * floor(i·D/n)+1 … floor((i+1)·D/n), n = min(count, D), so every window has at least one day.
 */
export function monthWindow(day: string, count: number): Window {
  const { y, m, d } = parseDay(day);
  const days = daysInMonth(y, m);
  const n = Math.max(1, Math.min(count, days));
  for (let i = 0; i < n; i++) {
    const first = Math.floor((i * days) / n) + 1;
    const last = Math.floor(((i + 1) * days) / n);
    if (d >= first && d <= last)
      return { start: formatDay(y, m, first), end: formatDay(y, m, last) };
  }
  // Unreachable for a valid day; the whole month keeps callers total.
  return { start: formatDay(y, m, 1), end: formatDay(y, m, days) };
}

export interface PlanRule {
  cadence: WelfareCadence;
  count: number;
  startDay: string;
}

export interface LastCheck {
  dueDay: string;
  /** The day (in the hub's zone) the result was recorded. */
  doneDay: string;
  result: WelfareResult;
}

export interface NextCheck {
  dueDay: string;
  windowStartDay: string;
}

const maxDay = (a: string, b: string): string => (a > b ? a : b);

/** The check a plan owes next, given its last done check (null: none yet). */
export function nextCheck(plan: PlanRule, last: LastCheck | null): NextCheck {
  if (last?.result === 'not_reached') {
    const retry = addDays(last.doneDay, 1);
    return { dueDay: retry, windowStartDay: retry };
  }
  if (plan.cadence === 'every_days') {
    const due = last ? addDays(last.doneDay, plan.count) : plan.startDay;
    return { dueDay: maxDay(due, plan.startDay), windowStartDay: maxDay(due, plan.startDay) };
  }
  if (!last) {
    const w = monthWindow(plan.startDay, plan.count);
    return { dueDay: w.end, windowStartDay: plan.startDay };
  }
  const after = monthWindow(addDays(monthWindow(last.dueDay, plan.count).end, 1), plan.count);
  const next = after.end >= last.doneDay ? after : monthWindow(last.doneDay, plan.count);
  return { dueDay: next.end, windowStartDay: maxDay(next.start, plan.startDay) };
}

/** Whether a pending check is past its due day. */
export function isOverdue(dueDay: string, today: string): boolean {
  return dueDay < today;
}

/**
 * Whether a result opens a follow-up service request: a concern always; "not reached" when the
 * previous result of the same plan (or resident and kind, for ad-hoc checks) was also not reached.
 */
export function needsFollowUp(result: WelfareResult, previous: WelfareResult | null): boolean {
  return result === 'concern_raised' || (result === 'not_reached' && previous === 'not_reached');
}
