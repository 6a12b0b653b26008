/**
 * Language choice and message lookup (pure; the React side is I18nProvider.tsx).
 * Chinese and English; the user's choice is remembered in localStorage, the first visit follows
 * navigator.languages.
 */
import type {
  AlarmKind,
  AlarmOutcome,
  AlarmPriority,
  AlarmStatus,
  ApiErrorCode,
} from '@anxin/protocol';
import { en, type MessageKey, type Messages } from './en';
import { zhCN } from './zh-CN';

export type { MessageKey, Messages } from './en';

export const LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];

export const DICTIONARIES: Readonly<Record<Language, Messages>> = { 'zh-CN': zhCN, en };

/** Short labels for the language switch, each in its own language. */
export const LANGUAGE_LABELS: Readonly<Record<Language, string>> = { 'zh-CN': '中文', en: 'EN' };

export const LANGUAGE_STORAGE_KEY = 'anxin.language';

export type MessageVars = Readonly<Record<string, string | number>>;

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** The stored choice if valid, else the first browser language we have (any `zh*` → zh-CN), else English. */
export function pickLanguage(stored: string | null, browserLanguages: readonly string[]): Language {
  if (isLanguage(stored)) return stored;
  for (const tag of browserLanguages) {
    const lower = tag.toLowerCase();
    if (lower.startsWith('zh')) return 'zh-CN';
    if (lower.startsWith('en')) return 'en';
  }
  return 'en';
}

/** Looks a key up and fills `{name}` placeholders; an unknown placeholder is left visible. */
export function translate(messages: Messages, key: MessageKey, vars?: MessageVars): string {
  const template = messages[key];
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = vars[name];
    return value === undefined ? whole : String(value);
  });
}

// Typed key builders: if a kind, outcome, status or error code has no message, these do not compile.
export const kindKey = (kind: AlarmKind): MessageKey => `kind.${kind}`;
export const outcomeKey = (outcome: AlarmOutcome): MessageKey => `outcome.${outcome}`;
export const statusKey = (status: AlarmStatus): MessageKey => `status.${status}`;
export const priorityKey = (priority: AlarmPriority): MessageKey => `priority.${priority}`;
export const errorKey = (code: ApiErrorCode): MessageKey => `error.${code}`;
