/** The header of the supervisor, installer and family pages: brand, page title, language, theme, user, sign out. */
import type { SessionResponse } from '@anxin/protocol';
import { Button, Group, Text, Title } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { LanguageSwitch } from './LanguageSwitch';
import { ThemeToggle } from './ThemeToggle';

export function PageHeader({
  title,
  session,
  onSignOut,
  children,
}: {
  title: string;
  session: SessionResponse;
  onSignOut: () => void;
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
          <Text size="sm" data-testid="current-user">
            {t('header.user', { name: session.user.displayName })}
          </Text>
          <Button
            variant="default"
            size="xs"
            leftSection={<IconLogout size={16} aria-hidden />}
            onClick={onSignOut}
            data-testid="logout"
          >
            {t('header.logout')}
          </Button>
        </Group>
      </Group>
    </header>
  );
}
