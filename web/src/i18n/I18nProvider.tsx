/** React side of i18n: the chosen language, remembered in localStorage, and `t()`. */
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useState,
  type ReactNode,
} from 'react';
import {
  DICTIONARIES,
  LANGUAGE_STORAGE_KEY,
  pickLanguage,
  translate,
  type Language,
  type MessageKey,
  type MessageVars,
} from './index';

export type Translate = (key: MessageKey, vars?: MessageVars) => string;

export interface I18n {
  language: Language;
  setLanguage: (language: Language) => void;
  t: Translate;
  /** Local date and time, e.g. `11-22 13:05:07`, in the user's language. */
  formatDateTime: (iso: string) => string;
  /** Local time of day, e.g. `13:05:07`. */
  formatTime: (iso: string | Date) => string;
}

const I18nContext = createContext<I18n | null>(null);

function readStoredLanguage(): string | null {
  try {
    return window.localStorage.getItem(LANGUAGE_STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy mode): fall back to the browser's language
  }
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() =>
    pickLanguage(readStoredLanguage(), navigator.languages ?? [navigator.language]),
  );

  const setLanguage = useCallback((next: Language) => {
    setLanguageState(next);
    try {
      window.localStorage.setItem(LANGUAGE_STORAGE_KEY, next);
    } catch {
      // Not remembered, but still switched for this page.
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);

  const value = useMemo<I18n>(() => {
    const messages = DICTIONARIES[language];
    const dateTime = new Intl.DateTimeFormat(language, {
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    const time = new Intl.DateTimeFormat(language, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
    const toDate = (value: string | Date): Date | null => {
      const date = typeof value === 'string' ? new Date(value) : value;
      return Number.isNaN(date.getTime()) ? null : date;
    };
    return {
      language,
      setLanguage,
      t: (key, vars) => translate(messages, key, vars),
      formatDateTime: (iso) => {
        const date = toDate(iso);
        return date ? dateTime.format(date) : iso;
      },
      formatTime: (value) => {
        const date = toDate(value);
        return date ? time.format(date) : String(value);
      },
    };
  }, [language, setLanguage]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n outside I18nProvider');
  return value;
}
