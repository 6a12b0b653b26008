/**
 * The small forms a task needs: assign (provider or worker name, phone) and close (an outcome).
 * Enter in a field saves; Esc closes.
 */
import { Alert, Button, Group, Modal, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';

export type TaskDialogMode = 'assign' | 'done' | 'cancelled';

export interface TaskDialogProps {
  mode: TaskDialogMode | null;
  title: string;
  error: string | null;
  submitting: boolean;
  onSubmit: (values: { name: string; phone: string; outcome: string }) => void;
  onClose: () => void;
}

export function TaskDialog({ mode, title, error, submitting, onSubmit, onClose }: TaskDialogProps) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [phone, setPhone] = useState('');
  const [outcome, setOutcome] = useState('');
  const ready = mode === 'assign' ? name.trim() !== '' : outcome.trim() !== '';
  return (
    <Modal opened={mode !== null} onClose={onClose} title={title}>
      <form
        data-testid="task-dialog"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !submitting)
            onSubmit({ name: name.trim(), phone: phone.trim(), outcome: outcome.trim() });
        }}
      >
        <Stack gap="sm">
          {mode === 'assign' ? (
            <>
              <TextInput
                data-autofocus
                label={t('task.assignName')}
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                maxLength={200}
                data-testid="task-assign-name"
              />
              <TextInput
                label={t('task.assignPhone')}
                value={phone}
                onChange={(e) => setPhone(e.currentTarget.value)}
                maxLength={40}
                data-testid="task-assign-phone"
              />
            </>
          ) : (
            <TextInput
              data-autofocus
              label={t('task.outcome')}
              value={outcome}
              onChange={(e) => setOutcome(e.currentTarget.value)}
              maxLength={2000}
              data-testid="task-outcome"
            />
          )}
          {error !== null && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" disabled={!ready} loading={submitting} data-testid="task-save">
              {t('task.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
