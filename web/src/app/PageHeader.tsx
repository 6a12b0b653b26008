/** The header of the supervisor, installer and family pages: brand, page title, language, theme, user, sign out. */
import { Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { SignedInUser, type SignedInProps } from './SignedInUser';
import { ThemeToggle } from './ThemeToggle';

export function PageHeader({
  title,
  session,
  onSignOut,
  children,
}: SignedInProps & {
  title: string;
  children?: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <header className="console-header page-header">
      <Group gap="sm" wrap="wrap" justify="space-between">
        <Group gap="md" wrap="wrap">
          <Title order={1} size="h3" className="brand">
            {t('app.name')} <span className="brand-sub">{title}</span>
          </Title>
          {children}
        </Group>
        <Group gap="sm" wrap="wrap">
          <LanguageSwitch />
          <ThemeToggle />
          <SignedInUser session={session} onSignOut={onSignOut} />
        </Group>
      </Group>
    </header>
  );
}
