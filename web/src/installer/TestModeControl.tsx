/** Test mode on/off for a home (alarms recorded as tests, never dispatched). */
import { type HomeDto } from '@anxin/protocol';
import { Alert, Card, Switch } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { setTestMode } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { TEST_MODE_COLOURS } from '../care/palette';

export function TestModeControl({
  home,
  onChanged,
}: {
  home: HomeDto;
  onChanged: (home: HomeDto) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (enabled: boolean) => {
    setBusy(true);
    setError(null);
    setTestMode(home.id, { enabled, reason: 'commissioning' })
      .then((response) => onChanged(response.home))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <Card withBorder padding="sm">
      <Switch
        size="lg"
        checked={home.testMode}
        disabled={busy}
        onChange={(e) => toggle(e.currentTarget.checked)}
        label={t('installer.testMode')}
        description={t('installer.testModeHint')}
        data-testid="test-mode-switch"
      />
      {home.testMode && (
        <div
          className="banner"
          style={{ color: TEST_MODE_COLOURS.fg, background: TEST_MODE_COLOURS.bg }}
          data-testid="test-mode-banner"
          role="status"
        >
          {t('installer.testModeOn', {
            time: home.testModeSince ? formatDateTime(home.testModeSince) : '—',
          })}
        </div>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs">
          {error}
        </Alert>
      )}
    </Card>
  );
}
