/** Loading, failure and empty states shared by the pages. */
import { Alert, Group, Loader, Text } from '@mantine/core';
import { describeError } from '../api/describeError';
import type { MessageKey } from '../i18n';
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

/** A list with nothing in it yet: the message in place of the table or list. */
export function Empty({ message, testId }: { message: MessageKey; testId: string }) {
  const { t } = useI18n();
  return (
    <Text c="dimmed" p="md" data-testid={testId}>
      {t(message)}
    </Text>
  );
}
