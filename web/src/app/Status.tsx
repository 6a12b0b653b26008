/** Loading and failure states shared by the pages. */
import { Alert, Group, Loader, Text } from '@mantine/core';
import { describeError } from '../api/describeError';
import { useI18n } from '../i18n/I18nProvider';

export function Loading() {
  const { t } = useI18n();
  return (
    <Group gap="xs" role="status">
      <Loader size="sm" aria-hidden />
      <Text>{t('app.loading')}</Text>
    </Group>
  );
}

export function Failed({ error }: { error: unknown }) {
  const { t } = useI18n();
  return (
    <Alert color="red" variant="light" role="alert" data-testid="page-error">
      {describeError(error, t)}
    </Alert>
  );
}
