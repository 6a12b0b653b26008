/** Mute toggle (always visible) and the "click to enable sound" prompt when the browser blocks it. */
import { ActionIcon, Button, Group, Text, Tooltip } from '@mantine/core';
import { IconVolume, IconVolumeOff } from '@tabler/icons-react';
import { useI18n } from '../i18n/I18nProvider';
import type { AlarmSound } from './useAlarmSound';

export function SoundControl({ sound, waitingCount }: { sound: AlarmSound; waitingCount: number }) {
  const { t } = useI18n();
  const label = sound.muted ? t('sound.unmute') : t('sound.mute');
  return (
    <Group
      gap="xs"
      wrap="nowrap"
      data-testid="sound-status"
      data-sound-state={sound.state}
      data-ringing={sound.pattern ?? 'none'}
      data-muted={sound.muted ? 'true' : 'false'}
    >
      <Tooltip label={label}>
        <ActionIcon
          size="lg"
          variant={sound.muted ? 'filled' : 'default'}
          color={sound.muted ? 'red.9' : undefined}
          aria-label={label}
          aria-pressed={sound.muted}
          onClick={sound.toggleMute}
          data-testid="sound-toggle"
        >
          {sound.muted ? (
            <IconVolumeOff size={20} aria-hidden />
          ) : (
            <IconVolume size={20} aria-hidden />
          )}
        </ActionIcon>
      </Tooltip>
      <Text
        size="sm"
        fw={700}
        span
        className={sound.pattern !== null && !sound.muted ? 'ringing' : undefined}
      >
        {sound.muted
          ? t('sound.muted')
          : sound.pattern !== null
            ? t('sound.ringing')
            : t('sound.on')}
      </Text>
      {sound.muted && waitingCount > 0 && (
        <Text size="sm" fw={700} c="red.9" className="muted-warning">
          {t('sound.mutedWhileOpen', { count: waitingCount })}
        </Text>
      )}
    </Group>
  );
}

/** A banner-sized prompt: a blocked alarm sound is as dangerous as a lost connection. */
export function SoundBlockedPrompt({ sound }: { sound: AlarmSound }) {
  const { t } = useI18n();
  if (sound.state === 'ready') return null;
  if (sound.state === 'unsupported') {
    return (
      <div className="sound-prompt" role="alert" data-testid="sound-unsupported">
        {t('sound.unsupported')}
      </div>
    );
  }
  return (
    <Button
      fullWidth
      radius={0}
      size="md"
      color="yellow.4"
      c="dark.9"
      onClick={sound.enable}
      data-testid="sound-enable"
      className="sound-prompt"
    >
      {t('sound.blocked')}
    </Button>
  );
}
