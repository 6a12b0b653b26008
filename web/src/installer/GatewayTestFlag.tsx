/**
 * The gateway's own test flag (command set_test_mode, issue 10), beside the other commands. It is
 * not the home's test mode (TestModeControl): the gateway only keeps the flag and reports it in
 * its diagnostics, and the next configuration it applies sets it back to the home's setting. So
 * this offers two actions rather than a switch showing a state the page cannot know for sure.
 */
import type { SendCommandRequest } from '@anxin/protocol';
import { Button, Group, Text } from '@mantine/core';
import { useId } from 'react';
import { useI18n } from '../i18n/I18nProvider';

const CHOICES = [
  { enabled: true, key: 'on' },
  { enabled: false, key: 'off' },
] as const;

export function GatewayTestFlag({
  sending,
  send,
}: {
  /** Which control's command is being sent (set_test_mode.on / .off), for its spinner. */
  sending: string | null;
  send: (request: SendCommandRequest, control: string) => void;
}) {
  const { t } = useI18n();
  const labelId = useId();
  const hintId = useId();
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
      </Group>
      <Text size="xs" c="dimmed" id={hintId} data-testid="cmd-test-flag-hint">
        {t('installer.cmd.set_test_mode.hint')}
      </Text>
    </div>
  );
}
