/** People who said "I am going there" for an alarm (AlarmDto.responders), for operators and family. */
import type { AlarmDto } from '@anxin/protocol';
import { Alert, List, Text } from '@mantine/core';
import { IconRun } from '@tabler/icons-react';
import { useI18n } from '../i18n/I18nProvider';

export function RespondersList({ alarm }: { alarm: AlarmDto }) {
  const { t, formatTime } = useI18n();
  const responders = alarm.responders ?? [];
  if (responders.length === 0) return null;
  return (
    <Alert
      color="green.9"
      variant="light"
      icon={<IconRun size={20} aria-hidden />}
      title={t('responders.title')}
      data-testid="responders"
    >
      <List size="sm" spacing={2}>
        {responders.map((responder) => (
          <List.Item key={`${responder.userId}-${responder.at}`} data-testid="responder">
            <Text size="sm" span fw={700}>
              {responder.displayName}
            </Text>{' '}
            <Text size="sm" span>
              {responder.etaMinutes !== null
                ? t('responders.withEta', {
                    time: formatTime(responder.at),
                    eta: responder.etaMinutes,
                  })
                : t('responders.noEta', { time: formatTime(responder.at) })}
              {responder.note !== null && responder.note !== '' ? ` — ${responder.note}` : ''}
            </Text>
          </List.Item>
        ))}
      </List>
    </Alert>
  );
}
