import { ALARM_KINDS, ALARM_OUTCOMES, ALARM_STATUSES, API_ERROR_CODES } from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { en } from './en';
import { enConsole } from './en-console';
import { enFleet } from './en-fleet';
import { enOperations } from './en-operations';
import { enPlans } from './en-plans';
import {
  DICTIONARIES,
  LANGUAGES,
  errorKey,
  kindKey,
  outcomeKey,
  pickLanguage,
  statusKey,
  translate,
} from './index';
import { zhCN } from './zh-CN';
import { zhCNConsole } from './zh-CN-console';
import { zhCNFleet } from './zh-CN-fleet';
import { zhCNOperations } from './zh-CN-operations';
import { zhCNPlans } from './zh-CN-plans';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionaries', () => {
  it('zh-CN and en have identical key sets', () => {
    expect(Object.keys(zhCN).sort()).toEqual(Object.keys(en).sort());
  });

  it('the per-area files share no key (a spread would silently keep only the last)', () => {
    const areas = (list: readonly Record<string, string>[]) =>
      list.flatMap((a, i) => list.slice(i + 1).map((b) => [a, b] as const));
    for (const [a, b] of [
      ...areas([enConsole, enOperations, enFleet, enPlans]),
      ...areas([zhCNConsole, zhCNOperations, zhCNFleet, zhCNPlans]),
    ] as const) {
      const shared = Object.keys(a).filter((key) => Object.hasOwn(b, key));
      expect(shared).toEqual([]);
    }
    expect(Object.keys(en)).toHaveLength(
      Object.keys(enConsole).length +
        Object.keys(enOperations).length +
        Object.keys(enFleet).length +
        Object.keys(enPlans).length,
    );
  });

  it('every message is non-empty and uses the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      for (const lang of LANGUAGES)
        expect(DICTIONARIES[lang][key].trim(), `${lang} ${key}`).not.toBe('');
      expect(placeholders(zhCN[key]), key).toEqual(placeholders(en[key]));
    }
  });

  it('the Chinese dictionary is actually Chinese where English has words', () => {
    const untranslated = (Object.keys(en) as (keyof typeof en)[]).filter(
      (key) => /[a-z]{3}/i.test(en[key].replace(/\{\w+\}/g, '')) && zhCN[key] === en[key],
    );
    // Brand and symbol-only strings may be identical; nothing else.
    expect(untranslated).toEqual([]);
  });

  it('has a message for every alarm kind, status, outcome and API error code', () => {
    for (const lang of LANGUAGES) {
      const messages = DICTIONARIES[lang] as Record<string, string>;
      for (const kind of ALARM_KINDS) expect(messages[kindKey(kind)]).toBeTruthy();
      for (const status of ALARM_STATUSES) expect(messages[statusKey(status)]).toBeTruthy();
      for (const outcome of ALARM_OUTCOMES) expect(messages[outcomeKey(outcome)]).toBeTruthy();
      for (const code of API_ERROR_CODES) expect(messages[errorKey(code)]).toBeTruthy();
    }
  });
});

describe('language choice', () => {
  it('prefers the stored choice, then the browser languages, then English', () => {
    expect(pickLanguage('en', ['zh-CN'])).toBe('en');
    expect(pickLanguage('zh-CN', ['en-US'])).toBe('zh-CN');
    expect(pickLanguage(null, ['zh-TW', 'en'])).toBe('zh-CN');
    expect(pickLanguage('fr', ['de-DE', 'en-GB'])).toBe('en');
    expect(pickLanguage(null, ['de-DE'])).toBe('en');
    expect(pickLanguage(null, [])).toBe('en');
  });
});

describe('translate', () => {
  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate(en, 'login.error.rateLimited', { seconds: 42 })).toBe(
      'Too many sign-in attempts. Wait 42 s and try again.',
    );
    expect(translate(zhCN, 'queue.count', { open: 2, acknowledged: 1 })).toBe(
      '2 条待接警 · 1 条处理中',
    );
    expect(translate(en, 'queue.count', { open: 2 })).toBe('2 waiting · {acknowledged} taken');
  });
});
