/** Who is signed in and the sign-out button, at the end of every page's header. */
import type { SessionResponse } from '@anxin/protocol';
import { Button, Text } from '@mantine/core';
import { IconLogout } from '@tabler/icons-react';
import { useI18n } from '../i18n/I18nProvider';

/** What every signed-in page is given by the app: the session and the way to end it. */
export interface SignedInProps {
  session: SessionResponse;
  onSignOut: () => void;
}

export function SignedInUser({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  return (
    <>
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
    </>
  );
}
