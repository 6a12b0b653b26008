/** People who said "I am going there" for an alarm (AlarmDto.responders), for operators and family. */
import type { AlarmDto } from '@anxin/protocol';
import { List, Text } from '@mantine/core';
import { ON_THE_WAY_LIGHT } from './palette';
import { IconRun } from '@tabler/icons-react';
import { useI18n } from '../i18n/I18nProvider';

export function RespondersList({ alarm }: { alarm: AlarmDto }) {
  const { t, formatTime } = useI18n();
  const responders = alarm.responders ?? [];
  if (responders.length === 0) return null;
  return (
    <div
      className="responders"
      style={{ color: ON_THE_WAY_LIGHT.fg, background: ON_THE_WAY_LIGHT.bg }}
      data-testid="responders"
    >
      <Text fw={800} size="sm">
        <IconRun size={18} aria-hidden /> {t('responders.title')}
      </Text>
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
    </div>
  );
}
