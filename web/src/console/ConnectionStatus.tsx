/** The connection state, always visible in the header, and the banner when it is lost. */
import { Alert, Group, Loader, Text } from '@mantine/core';
import { IconPlugConnectedX, IconWifi } from '@tabler/icons-react';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import type { ConnectionState, SyncError } from './useAlarmFeed';

const LABELS: Readonly<Record<ConnectionState, MessageKey>> = {
  connecting: 'connection.connecting',
  syncing: 'connection.syncing',
  connected: 'connection.connected',
  disconnected: 'connection.disconnected',
};

export function ConnectionIndicator({ state }: { state: ConnectionState }) {
  const { t } = useI18n();
  return (
    <Group
      gap={6}
      wrap="nowrap"
      role="status"
      aria-live="polite"
      className={`connection-indicator connection-${state}`}
      data-testid="connection-status"
      data-state={state}
    >
      {state === 'connected' ? (
        <IconWifi size={18} aria-hidden />
      ) : state === 'disconnected' ? (
        <IconPlugConnectedX size={18} aria-hidden />
      ) : (
        <Loader size={14} aria-hidden color="currentColor" />
      )}
      <Text size="sm" fw={700} span>
        {t(LABELS[state])}
      </Text>
    </Group>
  );
}

export interface ConnectionBannerProps {
  lostAt: Date | null;
  syncError: SyncError | null;
}

const SYNC_ERRORS: Readonly<Record<SyncError, MessageKey>> = {
  timeout: 'connection.syncTimeout',
  malformed: 'connection.syncMalformed',
};

/** Shown from the moment the connection drops until the queue has been resynced. */
export function ConnectionBanner({ lostAt, syncError }: ConnectionBannerProps) {
  const { t, formatTime } = useI18n();
  if (lostAt === null && syncError === null) return null;
  return (
    <Alert
      variant="filled"
      color="red.9"
      radius={0}
      role="alert"
      icon={<IconPlugConnectedX size={24} aria-hidden />}
      className="connection-banner"
      data-testid="connection-banner"
    >
      <Text fw={700} size="lg" span>
        {lostAt !== null
          ? t('connection.lostBanner')
          : t('connection.syncFailed', { message: syncError ? t(SYNC_ERRORS[syncError]) : '' })}
      </Text>{' '}
      {lostAt !== null && (
        <Text span>{t('connection.lostSince', { time: formatTime(lostAt) })}</Text>
      )}
      {lostAt !== null && syncError !== null && (
        <Text span> {t('connection.syncFailed', { message: t(SYNC_ERRORS[syncError]) })}</Text>
      )}
    </Alert>
  );
}
