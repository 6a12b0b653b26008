/**
 * Welfare checks due (overdue first, as the hub orders them), each with its three results as
 * buttons; the optional note is typed before. Operators see calls and visits; a community worker
 * the visits of their area.
 */
import { WELFARE_RESULTS, type WelfareCheckDto, type WelfareResult } from '@anxin/protocol';
import { Badge, Button, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { recordWelfareResult } from '../api/operations';
import { Empty } from '../app/Status';
import { useI18n } from '../i18n/I18nProvider';

const RESULT_COLOUR: Record<WelfareResult, string> = {
  reached: 'green',
  not_reached: 'orange',
  concern_raised: 'red',
};

export interface WelfareListProps {
  checks: WelfareCheckDto[];
  onRecorded: (check: WelfareCheckDto) => void;
}

export function WelfareList({ checks, onRecorded }: WelfareListProps) {
  if (checks.length === 0) return <Empty message="welfare.empty" testId="welfare-empty" />;
  return (
    <Stack gap="xs" data-testid="welfare-list">
      {checks.map((c) => (
        <WelfareRow key={c.id} check={c} onRecorded={onRecorded} />
      ))}
    </Stack>
  );
}

function WelfareRow({
  check,
  onRecorded,
}: {
  check: WelfareCheckDto;
  onRecorded: (c: WelfareCheckDto) => void;
}) {
  const { t } = useI18n();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const record = (result: WelfareResult) => {
    setBusy(true);
    setError(null);
    recordWelfareResult(check.id, { result, ...(note.trim() ? { note: note.trim() } : {}) })
      .then((r) => onRecorded(r.check))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  const when = check.overdue
    ? t('welfare.overdue', { day: check.dueDay })
    : check.windowStartDay === check.dueDay
      ? t('welfare.due', { day: check.dueDay })
      : t('welfare.window', { start: check.windowStartDay, end: check.dueDay });
  return (
    <Paper
      withBorder
      p="sm"
      data-testid="welfare-check"
      data-check-id={check.id}
      data-resident-id={check.residentId}
      data-overdue={check.overdue ? 'true' : 'false'}
    >
      <Group justify="space-between" wrap="wrap" gap="xs">
        <div>
          <Group gap="xs">
            <Badge variant="light">{t(`welfare.kind.${check.kind}`)}</Badge>
            <Text fw={700} data-testid="welfare-resident">
              {check.residentName}
            </Text>
            <Text size="sm" c={check.overdue ? 'red' : 'dimmed'} fw={check.overdue ? 700 : 400}>
              {when}
            </Text>
          </Group>
          <Text size="sm" c="dimmed">
            {check.address}
          </Text>
        </div>
        <Group gap="xs" wrap="wrap">
          <TextInput
            size="xs"
            placeholder={t('welfare.note')}
            aria-label={t('welfare.note')}
            value={note}
            onChange={(e) => setNote(e.currentTarget.value)}
            maxLength={2000}
            data-testid="welfare-note"
          />
          {WELFARE_RESULTS.map((r) => (
            <Button
              key={r}
              size="compact-sm"
              color={RESULT_COLOUR[r]}
              variant={r === 'reached' ? 'filled' : 'light'}
              loading={busy}
              onClick={() => record(r)}
              data-testid={`welfare-${r}`}
            >
              {t(`welfare.result.${r}`)}
            </Button>
          ))}
        </Group>
      </Group>
      {error !== null && (
        <Text c="red" size="sm" role="alert">
          {error}
        </Text>
      )}
    </Paper>
  );
}
