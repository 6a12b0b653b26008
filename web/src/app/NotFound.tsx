/** What a page shows for something the hub says does not exist or is not in the user's scope (both 404). */
import { Alert, Anchor, Stack, Text, Title } from '@mantine/core';
import { useI18n } from '../i18n/I18nProvider';
import { navigate } from './router';

export function NotFound() {
  const { t } = useI18n();
  return (
    <Stack data-testid="not-found" role="alert">
      <Title order={2} size="h3">
        {t('notFound.title')}
      </Title>
      <Alert color="gray" variant="light">
        <Text>{t('notFound.body')}</Text>
      </Alert>
      <Anchor
        href="/"
        onClick={(event) => {
          event.preventDefault();
          navigate('/');
        }}
      >
        {t('notFound.home')}
      </Anchor>
    </Stack>
  );
}
