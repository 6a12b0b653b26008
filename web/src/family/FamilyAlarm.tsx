/** One alarm on the family page: who took it, how it ended, and "I am going there" (issue 6). */
import type { AlarmDto, SessionResponse } from '@anxin/protocol';
import { Alert, Button, Card, Group, NumberInput, Text, Title } from '@mantine/core';
import { IconRun } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { markResponding } from '../api/hub';
import { kindKey, outcomeKey, statusKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import { RespondersList } from '../care/Responders';
import { STATUS_COLOURS, TEST_COLOURS } from '../console/palette';

export function FamilyAlarm({
  alarm,
  session,
  onChanged,
}: {
  alarm: AlarmDto;
  session: SessionResponse;
  onChanged: (alarm: AlarmDto) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [eta, setEta] = useState<string | number>('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const going = (alarm.responders ?? []).some((r) => r.userId === session.user.id);
  const status = STATUS_COLOURS[alarm.status];
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const minutes = typeof eta === 'number' ? eta : Number.parseInt(eta, 10);
    markResponding(alarm.id, Number.isFinite(minutes) ? { etaMinutes: minutes } : {})
      .then((response) => onChanged(response.alarm))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <Card
      withBorder
      padding="sm"
      data-testid="family-alarm"
      data-alarm-id={alarm.id}
      data-status={alarm.status}
    >
      <Group justify="space-between" wrap="wrap" gap="xs">
        <Title order={3} size="h4">
          {t(kindKey(alarm.kind))}
        </Title>
        <Group gap="xs">
          {alarm.test && (
            <span className="chip" style={{ color: TEST_COLOURS.fg, background: TEST_COLOURS.bg }}>
              {t('queue.test')}
            </span>
          )}
          <span
            className="chip"
            style={{ color: status.fg, background: status.bg }}
            data-testid="family-alarm-status"
          >
            {t(statusKey(alarm.status))}
          </span>
        </Group>
      </Group>
      <Text size="sm">{t('family.raisedAt', { time: formatDateTime(alarm.raisedAt) })}</Text>
      {alarm.acknowledgedBy !== null && alarm.acknowledgedAt !== null && (
        <Text size="sm" data-testid="family-alarm-taken-by">
          {t('family.takenBy', {
            user: alarm.acknowledgedBy,
            time: formatDateTime(alarm.acknowledgedAt),
          })}
        </Text>
      )}
      {alarm.status === 'open' && <Text size="sm">{t('family.waitingForOperator')}</Text>}
      {alarm.outcome !== null && (
        <Text size="sm" fw={700} data-testid="family-alarm-outcome">
          {t('family.outcome', { outcome: t(outcomeKey(alarm.outcome)) })}
        </Text>
      )}
      <RespondersList alarm={alarm} />
      {alarm.status !== 'resolved' && !going && (
        <form onSubmit={submit}>
          <Group align="flex-end" gap="sm" mt="xs" wrap="wrap">
            <NumberInput
              label={t('family.eta')}
              min={0}
              max={1440}
              value={eta}
              onChange={setEta}
              w={160}
              data-testid="eta-input"
            />
            <Button
              type="submit"
              color="green.9"
              loading={busy}
              leftSection={<IconRun size={18} aria-hidden />}
              data-testid="going-button"
            >
              {t('family.going')}
            </Button>
          </Group>
        </form>
      )}
      {going && alarm.status !== 'resolved' && (
        <Text size="sm" fw={700} mt="xs" data-testid="family-going-confirmed">
          {t('family.goingConfirmed')}
        </Text>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs" data-testid="going-error">
          {error}
        </Alert>
      )}
    </Card>
  );
}
