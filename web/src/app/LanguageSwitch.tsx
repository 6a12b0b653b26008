import { SegmentedControl } from '@mantine/core';
import { LANGUAGE_LABELS, LANGUAGES } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';

export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('lang.label')}
      data-testid="language-switch"
      value={language}
      onChange={(value) => setLanguage(value)}
      data={LANGUAGES.map((lang) => ({ value: lang, label: LANGUAGE_LABELS[lang] }))}
    />
  );
}
