/**
 * "Delete this plan?": deleting cannot be undone (pausing can), so it is confirmed. The hub
 * cancels the plan's pending check and keeps the checks already made.
 */
import type { WelfarePlanDto } from '@anxin/protocol';
import { Alert, Button, Group, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { deleteWelfarePlan } from '../api/welfarePlans';
import { useI18n } from '../i18n/I18nProvider';

export function DeletePlanDialog({
  plan,
  onClose,
  onDeleted,
}: {
  plan: WelfarePlanDto;
  onClose: () => void;
  onDeleted: (plan: WelfarePlanDto) => void;
}) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const confirm = () => {
    setBusy(true);
    setError(null);
    deleteWelfarePlan(plan.id)
      .then(() => onDeleted(plan))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <Modal opened onClose={onClose} title={t('plans.delete.title', { name: plan.residentName })}>
      <Stack gap="sm" data-testid="plan-delete-dialog">
        <Text size="sm">{t('plans.delete.warning')}</Text>
        {error !== null && (
          <Alert color="red" role="alert" data-testid="plan-delete-error">
            {error}
          </Alert>
        )}
        <Group justify="flex-end">
          {/* Focus starts on the harmless choice: Enter right away does not delete. */}
          <Button variant="default" onClick={onClose} data-autofocus>
            {t('plans.cancel')}
          </Button>
          <Button color="red" loading={busy} onClick={confirm} data-testid="plan-delete-confirm">
            {t('plans.delete.confirm')}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
