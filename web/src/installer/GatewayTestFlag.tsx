/**
 * The gateway's own test flag (command set_test_mode, issue 10), beside the other commands. It is
 * not the home's test mode (TestModeControl): while it is on, the alarms the gateway sends are
 * marked as tests ("Gateway test" in the call centre) but still dispatched. The gateway reports
 * the flag in its heartbeats and the hub pushes it on the control DTO, so the panel shows
 * "Gateway in test mode until HH:MM" while it is on and drops it when the window ends — also when
 * the gateway went quiet before saying so (the badge's own timer ends at `until`).
 */
import type { GatewayTestModeDto, SendCommandRequest } from '@anxin/protocol';
import { Button, Group, Text } from '@mantine/core';
import { useEffect, useId, useMemo, useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { WARNING_COLOURS } from '../care/palette';

const CHOICES = [
  { enabled: true, key: 'on' },
  { enabled: false, key: 'off' },
] as const;

/** The flag while it is still on by the clock (a reported window may have ended since). */
function useStillOn(testMode: GatewayTestModeDto | null): GatewayTestModeDto | null {
  const until = testMode?.until ?? null;
  const end = until === null ? null : Date.parse(until);
  const [, setTick] = useState(0);
  useEffect(() => {
    if (end === null || Number.isNaN(end)) return;
    const left = end - Date.now();
    if (left <= 0) return;
    // Re-render once the window is over (capped: timers overflow past ~24.8 days).
    const timer = setTimeout(() => setTick((n) => n + 1), Math.min(left + 50, 2 ** 31 - 1));
    return () => clearTimeout(timer);
  }, [end]);
  if (testMode === null) return null;
  return end !== null && !(end > Date.now()) ? null : testMode;
}

export function GatewayTestFlag({
  testMode,
  sending,
  send,
}: {
  /** The flag as the gateway last reported it (null: off, or not reported). */
  testMode: GatewayTestModeDto | null;
  /** Which control's command is being sent (set_test_mode.on / .off), for its spinner. */
  sending: string | null;
  send: (request: SendCommandRequest, control: string) => void;
}) {
  const { t, language } = useI18n();
  const labelId = useId();
  const hintId = useId();
  const on = useStillOn(testMode);
  const clock = useMemo(
    () =>
      new Intl.DateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
    [language],
  );
  return (
    <div>
      <Group
        gap="xs"
        mt="xs"
        role="group"
        aria-labelledby={labelId}
        aria-describedby={hintId}
        data-testid="cmd-test-flag"
      >
        <Text size="sm" id={labelId}>
          {t('installer.cmd.set_test_mode')}
        </Text>
        {CHOICES.map(({ enabled, key }) => {
          const control = `set_test_mode.${key}`;
          return (
            <Button
              key={key}
              size="xs"
              variant="default"
              loading={sending === control}
              disabled={sending !== null && sending.startsWith('set_test_mode')}
              onClick={() => send({ name: 'set_test_mode', args: { enabled } }, control)}
              data-testid={`cmd-set_test_mode-${key}`}
            >
              {t(`installer.cmd.set_test_mode.${key}`)}
            </Button>
          );
        })}
        <span role="status" aria-live="polite">
          {on !== null && (
            <span
              className="chip"
              style={{ color: WARNING_COLOURS.fg, background: WARNING_COLOURS.bg }}
              data-testid="gateway-test-mode"
              data-source={on.source}
            >
              {on.until !== null
                ? t('installer.gatewayTestMode.until', { time: clock.format(new Date(on.until)) })
                : t('installer.gatewayTestMode.home')}
            </span>
          )}
        </span>
      </Group>
      <Text size="xs" c="dimmed" id={hintId} data-testid="cmd-test-flag-hint">
        {t('installer.cmd.set_test_mode.hint')}
      </Text>
    </div>
  );
}
