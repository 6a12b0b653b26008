import { describe, expect, it } from 'vitest';
import { DICTIONARIES, translate, type MessageKey, type MessageVars } from '../i18n';
import { nextDueText, scheduleText } from './planText';

const en = (key: MessageKey, vars?: MessageVars) => translate(DICTIONARIES.en, key, vars);
const zh = (key: MessageKey, vars?: MessageVars) => translate(DICTIONARIES['zh-CN'], key, vars);

describe('plan text', () => {
  it('says each kind and cadence with its count, in both languages', () => {
    expect(scheduleText({ kind: 'call', cadence: 'every_days', count: 3 }, en)).toBe(
      'Call every 3 days',
    );
    expect(scheduleText({ kind: 'visit', cadence: 'per_month', count: 2 }, en)).toBe(
      'Visit 2 times a month',
    );
    expect(scheduleText({ kind: 'call', cadence: 'every_days', count: 3 }, zh)).toBe(
      '每 3 天电话一次',
    );
    expect(scheduleText({ kind: 'visit', cadence: 'per_month', count: 2 }, zh)).toBe(
      '每月探访 2 次',
    );
  });

  it('gives the due day, a per-month window, or none for a paused plan', () => {
    expect(nextDueText({ nextDueDay: '2026-12-07', nextWindowStartDay: '2026-12-07' }, en)).toBe(
      '2026-12-07',
    );
    expect(nextDueText({ nextDueDay: '2026-12-15', nextWindowStartDay: '2026-12-01' }, en)).toBe(
      'Between 2026-12-01 and 2026-12-15',
    );
    expect(nextDueText({ nextDueDay: null, nextWindowStartDay: null }, en)).toBe('None (paused)');
  });
});
