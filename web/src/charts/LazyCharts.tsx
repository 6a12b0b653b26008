/**
 * Loads the 24-hour telemetry around an alarm (GET /homes/:id/telemetry) and shows it with the
 * chart chunk, which is fetched only when the first chart is needed.
 */
import type { AlarmDto, TelemetryQueryResponse } from '@anxin/protocol';
import { Alert, Group, Loader, Text } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { queryTelemetry } from '../api/hub';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { ALL_CHART_FIELDS, chartWindow } from './series';

const TelemetryCharts = lazy(() => import('./TelemetryCharts'));

export function AlarmCharts({ alarm }: { alarm: AlarmDto }) {
  const { t } = useI18n();
  const homeId = alarm.homeId;
  const { load } = useLoad<TelemetryQueryResponse>(
    homeId === null
      ? null
      : (signal) =>
          queryTelemetry(
            homeId,
            {
              ...chartWindow(alarm.raisedAt, new Date()),
              fields: ALL_CHART_FIELDS.join(','),
              maxPoints: 288,
            },
            signal,
          ),
    [homeId, alarm.raisedAt],
  );
  if (homeId === null) return null;
  const waiting = (
    <Group gap="xs" role="status">
      <Loader size="sm" aria-hidden />
      <Text size="sm">{t('chart.loading')}</Text>
    </Group>
  );
  if (load.kind === 'loading') return waiting;
  if (load.kind === 'failed') {
    if (load.error instanceof ApiRequestError && load.error.status === 404) {
      return <Text size="sm">{t('chart.noHistory')}</Text>;
    }
    return (
      <Alert color="red" variant="light" role="alert" data-testid="charts-error">
        {t('chart.loadFailed', { message: describeError(load.error, t) })}
      </Alert>
    );
  }
  return (
    <Suspense fallback={waiting}>
      <TelemetryCharts data={load.data} alarmAt={Date.parse(alarm.raisedAt)} />
    </Suspense>
  );
}
