/**
 * The selected alarm in full (GET /api/v1/alarms/:id): what, where, when, who took it, and its
 * timeline of device triggers. Reloaded whenever the live queue shows the alarm changed.
 * Below the actions: family/responders on their way, the resident's card (care/HomeCard.tsx), the
 * alarm's facts, 24 hours of telemetry around it (lazy chart chunk) and the timeline.
 */
import type { AlarmDetailResponse, AlarmDto, AlarmTriggerDto } from '@anxin/protocol';
import {
  Alert,
  Button,
  CloseButton,
  Group,
  Loader,
  Paper,
  Stack,
  Text,
  Timeline,
  Title,
} from '@mantine/core';
import { IconBellRinging, IconCircleCheck, IconHandStop } from '@tabler/icons-react';
import { useEffect, useState, type ReactNode } from 'react';
import { describeError } from '../api/describeError';
import { getAlarmDetail } from '../api/hub';
import { kindKey, outcomeKey, priorityKey, statusKey, type MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import { AlarmCharts } from '../charts/LazyCharts';
import { HomeCardSection } from '../care/HomeCard';
import { RespondersList } from '../care/Responders';
import { GatewayTestBadge } from './GatewayTestBadge';
import { TEST_COLOURS } from './palette';

export interface AlarmDetailPanelProps {
  /** The alarm as the live queue has it, or null once it left the queue. */
  alarm: AlarmDto | null;
  alarmId: string;
  busy: boolean;
  onTake: (alarm: AlarmDto) => void;
  onResolve: (alarm: AlarmDto) => void;
  onClose: () => void;
}

type Load =
  | { kind: 'loading' }
  | { kind: 'loaded'; detail: AlarmDetailResponse }
  | { kind: 'failed'; message: string };

const TRIGGER_KEYS: Readonly<Record<AlarmTriggerDto['action'], MessageKey>> = {
  raise: 'detail.trigger.raise',
  clear: 'detail.trigger.clear',
  cancel: 'detail.trigger.cancel',
};

export function AlarmDetailPanel({
  alarm,
  alarmId,
  busy,
  onTake,
  onResolve,
  onClose,
}: AlarmDetailPanelProps) {
  const { t, formatDateTime } = useI18n();
  const [load, setLoad] = useState<Load>({ kind: 'loading' });
  // Refetch when the live copy changes in a way the timeline would show.
  const version = alarm
    ? `${alarm.status}/${alarm.triggerCount}/${alarm.cancelledByResidentAt ?? ''}`
    : 'gone';

  useEffect(() => {
    const controller = new AbortController();
    setLoad((previous) =>
      previous.kind === 'loaded' && previous.detail.alarm.id === alarmId
        ? previous
        : { kind: 'loading' },
    );
    getAlarmDetail(alarmId, controller.signal)
      .then((detail) => setLoad({ kind: 'loaded', detail }))
      .catch((error: unknown) => {
        if (!controller.signal.aborted)
          setLoad({ kind: 'failed', message: describeError(error, t) });
      });
    return () => controller.abort();
    // `t` is left out on purpose: switching language must not refetch.
  }, [alarmId, version]);

  const shown: AlarmDto | null = alarm ?? (load.kind === 'loaded' ? load.detail.alarm : null);

  const field = (label: MessageKey, value: ReactNode, testId?: string) => (
    <div className="detail-field">
      <Text size="xs" c="dimmed" fw={600} component="dt">
        {t(label)}
      </Text>
      <Text size="sm" component="dd" data-testid={testId}>
        {value}
      </Text>
    </div>
  );

  return (
    <Paper
      component="aside"
      withBorder
      p="md"
      className="detail-panel"
      data-testid="alarm-detail"
      data-alarm-id={alarmId}
      aria-labelledby="alarm-detail-title"
    >
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Title order={2} size="h3" id="alarm-detail-title">
          {shown ? t(kindKey(shown.kind)) : t('detail.title')}
        </Title>
        <CloseButton
          onClick={onClose}
          aria-label={t('detail.close')}
          title={t('detail.close')}
          size="lg"
        />
      </Group>
      <div className="detail-scroll">
        <Stack gap="sm" mt="sm">
          {alarm === null && (
            <Alert color="gray" variant="light" data-testid="detail-gone">
              {t('detail.gone')}
            </Alert>
          )}
          {shown?.test && (
            <Alert
              variant="filled"
              styles={{ root: { background: TEST_COLOURS.bg, color: TEST_COLOURS.fg } }}
            >
              {t('detail.test')}
            </Alert>
          )}
          {shown?.gatewayTest && <GatewayTestBadge explained />}
          {alarm !== null && (
            <Group gap="sm">
              {alarm.status === 'open' && (
                <Button
                  onClick={() => onTake(alarm)}
                  loading={busy}
                  data-testid="detail-ack-button"
                >
                  {t('queue.take')} <span className="key-hint">(a)</span>
                </Button>
              )}
              <Button
                variant="default"
                onClick={() => onResolve(alarm)}
                disabled={busy}
                data-testid="detail-resolve-button"
              >
                {t('queue.resolve')} <span className="key-hint">(r)</span>
              </Button>
            </Group>
          )}
          {shown !== null && <RespondersList alarm={shown} />}
          {shown !== null && <HomeCardSection alarm={shown} />}
          {shown !== null && (
            <dl className="detail-grid">
              {field('detail.priority', t(priorityKey(shown.priority)))}
              {field(
                'detail.status',
                shown.status === 'resolved' && shown.outcome !== null
                  ? `${t(statusKey(shown.status))} · ${t(outcomeKey(shown.outcome))}`
                  : t(statusKey(shown.status)),
                'detail-status',
              )}
              {field('detail.home', shown.homeId ?? t('queue.unknownHome'))}
              {field('detail.gateway', <span className="mono">{shown.gatewayId}</span>)}
              {field(
                'detail.device',
                <span className="mono">{shown.deviceId ?? t('queue.noDevice')}</span>,
              )}
              {field('detail.triggerCount', shown.triggerCount)}
              {field('detail.raisedAt', formatDateTime(shown.raisedAt))}
              {field('detail.receivedAt', formatDateTime(shown.receivedAt))}
              {field('detail.lastTriggerAt', formatDateTime(shown.lastTriggerAt))}
              {shown.acknowledgedAt !== null &&
                field(
                  'detail.acknowledged',
                  t('detail.acknowledgedValue', {
                    time: formatDateTime(shown.acknowledgedAt),
                    user: shown.acknowledgedBy ?? '—',
                  }),
                )}
            </dl>
          )}
          {shown?.cancelledByResidentAt != null && (
            <Alert color="yellow" variant="light">
              {t('detail.cancelledByResident', {
                time: formatDateTime(shown.cancelledByResidentAt),
              })}
            </Alert>
          )}
          {shown?.notes != null && shown.notes !== '' && field('detail.notes', shown.notes)}
          {shown !== null && shown.homeId !== null && (
            <section aria-labelledby="detail-charts-title">
              <Title order={3} size="h5" mt="xs" id="detail-charts-title">
                {t('chart.title')}
              </Title>
              <AlarmCharts alarm={shown} />
            </section>
          )}
          <Title order={3} size="h5" mt="xs">
            {t('detail.timeline')}
          </Title>
          {load.kind === 'loading' && (
            <Group gap="xs" role="status">
              <Loader size="sm" aria-hidden />
              <Text size="sm">{t('detail.loading')}</Text>
            </Group>
          )}
          {load.kind === 'failed' && (
            <Alert color="red" variant="light" role="alert" data-testid="detail-error">
              {t('detail.loadFailed', { message: load.message })}
            </Alert>
          )}
          {load.kind === 'loaded' &&
            (load.detail.timeline.length === 0 ? (
              <Text size="sm" c="dimmed">
                {t('detail.timelineEmpty')}
              </Text>
            ) : (
              <Timeline bulletSize={22} lineWidth={2} data-testid="alarm-timeline">
                {load.detail.timeline.map((trigger) => (
                  <Timeline.Item
                    key={trigger.eventId}
                    bullet={
                      trigger.action === 'raise' ? (
                        <IconBellRinging size={14} aria-hidden />
                      ) : trigger.action === 'clear' ? (
                        <IconCircleCheck size={14} aria-hidden />
                      ) : (
                        <IconHandStop size={14} aria-hidden />
                      )
                    }
                    title={t(TRIGGER_KEYS[trigger.action], { device: trigger.deviceId })}
                  >
                    <Text size="xs" c="dimmed">
                      {t('detail.trigger.received', {
                        observed: formatDateTime(trigger.observedAt),
                        received: formatDateTime(trigger.receivedAt),
                      })}
                    </Text>
                    {trigger.detail !== null && Object.keys(trigger.detail).length > 0 && (
                      <Text size="xs" className="mono">
                        {Object.entries(trigger.detail)
                          .map(([key, value]) => `${key}=${String(value)}`)
                          .join(' · ')}
                      </Text>
                    )}
                  </Timeline.Item>
                ))}
              </Timeline>
            ))}
        </Stack>
      </div>
    </Paper>
  );
}
