/**
 * Decommission or re-arm one gateway (administrators): a confirmation naming what happens, an
 * optional reason for the audit log, and — after a re-arm — the new claim code, shown this once
 * (the hub keeps only a verifier of it). A Mantine modal: focus moves into it, Tab stays inside,
 * Escape closes it, and the first field has focus, so the whole flow works from the keyboard.
 */
import type { GatewayDto, RearmGatewayResponse } from '@anxin/protocol';
import { Alert, Button, Code, Group, Modal, Stack, Text, TextInput } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { decommissionGateway, rearmGateway } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';

export type LifecycleAction = 'decommission' | 'rearm';

export function GatewayLifecycleDialog({
  action,
  gateway,
  onClose,
  onChanged,
}: {
  action: LifecycleAction;
  gateway: GatewayDto;
  onClose: () => void;
  /** The gateway changed state on the hub (the list should be read again). */
  onChanged: () => void;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rearmed, setRearmed] = useState<RearmGatewayResponse | null>(null);
  const rearm = action === 'rearm';
  // The modal focuses its first field when it opens, not when its content changes: without this
  // the focus is lost (on the body) once the code replaces the form.
  const doneRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    if (rearmed !== null) doneRef.current?.focus();
  }, [rearmed]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = reason.trim() ? { reason: reason.trim() } : {};
    const done = rearm
      ? rearmGateway(gateway.id, body).then((r) => {
          // Kept open: the code is on screen only until the administrator closes this.
          setRearmed(r);
          onChanged();
        })
      : decommissionGateway(gateway.id, body).then(() => {
          onChanged();
          onClose();
        });
    done
      .catch((e: unknown) => {
        setError(describeError(e, t));
        // 409/404: the list was out of date (someone else changed the gateway); read it again so
        // it stops offering this action.
        if (e instanceof ApiRequestError && (e.status === 409 || e.status === 404)) onChanged();
      })
      .finally(() => setBusy(false));
  };

  const title = rearmed
    ? t('fleet.rearmed', { id: gateway.id })
    : t(rearm ? 'fleet.rearmTitle' : 'fleet.decommissionTitle', { id: gateway.id });
  return (
    <Modal opened onClose={onClose} title={title} data-testid="fleet-dialog">
      {rearmed ? (
        <Stack gap="sm" role="status" data-testid="rearm-result">
          <Text size="sm" fw={700}>
            {t('fleet.newCode')}
          </Text>
          <Code block fz="lg" data-testid="rearm-code">
            {rearmed.claimCode}
          </Code>
          <Text size="sm">{t('fleet.newCodeOnce')}</Text>
          {rearmed.devicesRemoved.length > 0 && (
            <Text size="sm" data-testid="rearm-devices">
              {t('fleet.devicesRemoved', { list: rearmed.devicesRemoved.join(', ') })}
            </Text>
          )}
          <Group justify="flex-end">
            <Button ref={doneRef} onClick={onClose} data-testid="rearm-done" data-autofocus>
              {t('fleet.done')}
            </Button>
          </Group>
        </Stack>
      ) : (
        <form onSubmit={submit}>
          <Stack gap="sm">
            <Text size="sm">{t(rearm ? 'fleet.rearmWarning' : 'fleet.decommissionWarning')}</Text>
            <TextInput
              label={t('fleet.reason')}
              value={reason}
              maxLength={200}
              onChange={(e) => setReason(e.currentTarget.value)}
              data-testid="fleet-reason"
              data-autofocus
            />
            {error !== null && (
              <Alert color="red" variant="light" role="alert" data-testid="fleet-error">
                {error}
              </Alert>
            )}
            <Group justify="flex-end">
              <Button variant="default" onClick={onClose}>
                {t('fleet.cancel')}
              </Button>
              <Button
                type="submit"
                color={rearm ? undefined : 'red'}
                loading={busy}
                data-testid="fleet-confirm"
              >
                {t(rearm ? 'fleet.rearmConfirm' : 'fleet.decommissionConfirm')}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
