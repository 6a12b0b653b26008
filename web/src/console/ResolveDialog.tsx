/**
 * Resolving an alarm: pick an outcome (number keys 1–7, or click), optional notes, confirm with
 * Ctrl+Enter (or Enter outside the notes field). Errors from the hub stay inside the dialog.
 */
import {
  ALARM_OUTCOMES,
  type AlarmDto,
  type AlarmOutcome,
  type WorkOrderKind,
} from '@anxin/protocol';
import {
  Alert,
  Button,
  Group,
  Kbd,
  Modal,
  Radio,
  Stack,
  Switch,
  Text,
  Textarea,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { kindKey, outcomeKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';

export interface ResolveDialogProps {
  alarm: AlarmDto | null;
  submitting: boolean;
  error: string | null;
  /** `workOrder`: the work order to make once it is resolved (issue 13), or null. */
  onSubmit: (
    alarm: AlarmDto,
    outcome: AlarmOutcome,
    notes: string,
    workOrder: WorkOrderKind | null,
  ) => void;
  onClose: () => void;
}

/** The outcome for a number key `1`…`9`, if there is one. */
export function outcomeForKey(key: string): AlarmOutcome | null {
  if (!/^[1-9]$/.test(key)) return null;
  return ALARM_OUTCOMES[Number(key) - 1] ?? null;
}

/** The work order an outcome calls for (someone was sent; a device failed), if any. */
export function workOrderFor(outcome: AlarmOutcome | null): WorkOrderKind | null {
  if (outcome === 'responder_dispatched') return 'visit';
  if (outcome === 'device_fault') return 'device_repair';
  return null;
}

export function ResolveDialog({ alarm, submitting, error, onSubmit, onClose }: ResolveDialogProps) {
  const { t } = useI18n();
  // The parent keys this component by alarm id, so each alarm gets a fresh form.
  const [outcome, setOutcome] = useState<AlarmOutcome | null>(() =>
    alarm?.cancelledByResidentAt ? 'resident_cancelled' : null,
  );
  const [notes, setNotes] = useState('');
  const [makeWorkOrder, setMakeWorkOrder] = useState(true);
  const workOrderKind = workOrderFor(outcome);
  const [missingOutcome, setMissingOutcome] = useState(false);

  const submit = () => {
    if (alarm === null || submitting) return;
    if (outcome === null) {
      setMissingOutcome(true);
      return;
    }
    onSubmit(alarm, outcome, notes, makeWorkOrder ? workOrderFor(outcome) : null);
  };

  // Listen on the document while open: Mantine puts the first focus on the dialog's close button,
  // outside the form, and number keys must work wherever the focus is (except in the notes).
  const submitRef = useRef(submit);
  useEffect(() => {
    submitRef.current = submit;
  });
  const open = alarm !== null;
  useEffect(() => {
    if (!open) return;
    const onKeyDown = (event: KeyboardEvent) => {
      const inNotes = event.target instanceof HTMLTextAreaElement;
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        submitRef.current();
        return;
      }
      if (inNotes || event.ctrlKey || event.altKey || event.metaKey) return;
      const picked = outcomeForKey(event.key);
      if (picked !== null) {
        event.preventDefault();
        setOutcome(picked);
        setMissingOutcome(false);
      } else if (event.key === 'Enter' && !(event.target instanceof HTMLButtonElement)) {
        event.preventDefault();
        submitRef.current();
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [open]);

  return (
    <Modal
      opened={alarm !== null}
      onClose={onClose}
      title={alarm ? `${t('resolve.title')} · ${t(kindKey(alarm.kind))}` : t('resolve.title')}
      size="lg"
      closeButtonProps={{ 'aria-label': t('resolve.cancel') }}
    >
      <div data-testid="resolve-dialog">
        <Stack>
          {error !== null && (
            <Alert color="red" variant="light" role="alert" data-testid="resolve-error">
              {error}
            </Alert>
          )}
          <Radio.Group
            label={t('resolve.outcome')}
            description={t('resolve.outcomeHint', { count: ALARM_OUTCOMES.length })}
            value={outcome}
            onChange={(value) => {
              setOutcome(value);
              setMissingOutcome(false);
            }}
            error={missingOutcome ? t('resolve.chooseOutcome') : undefined}
            required
          >
            <Stack gap="xs" mt="xs">
              {ALARM_OUTCOMES.map((value, index) => (
                <Radio
                  key={value}
                  value={value}
                  data-testid={`outcome-${value}`}
                  label={
                    <Group gap="xs">
                      <Kbd size="sm">{index + 1}</Kbd>
                      <Text span>{t(outcomeKey(value))}</Text>
                    </Group>
                  }
                />
              ))}
            </Stack>
          </Radio.Group>
          {workOrderKind !== null && (
            <Switch
              checked={makeWorkOrder}
              onChange={(event) => setMakeWorkOrder(event.currentTarget.checked)}
              label={t('resolve.workOrder', { kind: t(`wo.kind.${workOrderKind}`) })}
              data-testid="resolve-work-order"
            />
          )}
          <Textarea
            label={t('resolve.notes')}
            placeholder={t('resolve.notesPlaceholder')}
            autosize
            minRows={2}
            maxRows={6}
            maxLength={4000}
            value={notes}
            onChange={(event) => setNotes(event.currentTarget.value)}
            data-testid="resolve-notes"
          />
          <Group justify="space-between">
            <Text size="sm" c="dimmed">
              {t('resolve.submitHint')}
            </Text>
            <Group>
              <Button variant="default" onClick={onClose}>
                {t('resolve.cancel')}
              </Button>
              <Button onClick={submit} loading={submitting} data-testid="resolve-submit">
                {submitting ? t('resolve.submitting') : t('resolve.submit')}
              </Button>
            </Group>
          </Group>
        </Stack>
      </div>
    </Modal>
  );
}
