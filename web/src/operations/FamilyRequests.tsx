/**
 * A family member's view of their relative's service requests: what was asked, its status, who
 * is on it and what the call centre chose to tell them (family-visible notes only: the hub
 * filters the rest out).
 */
import { Badge, Paper, Stack, Text, Title } from '@mantine/core';
import { listServiceRequests } from '../api/operations';
import { useI18n } from '../i18n/I18nProvider';
import { useOpsList } from './useOpsList';

const ALL = 'open,assigned,in_progress,done,cancelled';

export function FamilyRequests({ homeId }: { homeId: string }) {
  const { t, language } = useI18n();
  const list = useOpsList(
    (s) => listServiceRequests({ homeId, status: ALL }, s),
    ['service_request'],
    60_000,
  );
  const requests = list.data?.serviceRequests ?? [];
  return (
    <section aria-labelledby="family-requests-title" data-testid="family-requests">
      <Title order={2} size="h3" id="family-requests-title">
        {t('family.requests.title')}
      </Title>
      {requests.length === 0 ? (
        <Text data-testid="family-no-requests">{t('family.requests.empty')}</Text>
      ) : (
        <Stack gap="xs" mt="xs">
          {requests.slice(0, 20).map((r) => (
            <Paper key={r.id} withBorder p="sm" data-testid="family-request">
              <Text fw={700}>
                {t(`sr.category.${r.category}`)}{' '}
                <Badge data-testid="family-request-status">{t(`task.status.${r.status}`)}</Badge>
              </Text>
              <Text size="sm">{r.description}</Text>
              <Text size="xs" c="dimmed">
                {new Date(r.createdAt).toLocaleString(language)}
                {r.assignee ? ` · ${r.assignee.name}` : ''}
              </Text>
              {r.notes.map((n) => (
                <Text key={n.id} size="sm" mt={4}>
                  {n.text}
                </Text>
              ))}
            </Paper>
          ))}
        </Stack>
      )}
    </section>
  );
}
