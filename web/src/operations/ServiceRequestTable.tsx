/**
 * The service-request queue (most urgent, then oldest first, as the hub orders it) with the
 * actions the lifecycle allows: assign, start, done, cancel.
 */
import type { ServiceRequestDto, TaskStatusRequest } from '@anxin/protocol';
import { Badge, Button, Group, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { assignServiceRequest, setServiceRequestStatus } from '../api/operations';
import { Empty } from '../app/Status';
import { ColumnHeads } from '../app/ColumnHeads';
import { useI18n } from '../i18n/I18nProvider';
import { TaskDialog, type TaskDialogMode } from './TaskDialog';

const URGENCY_COLOUR = { high: 'red', normal: 'blue', low: 'gray' } as const;

export interface ServiceRequestTableProps {
  requests: ServiceRequestDto[];
  /** Console: assign/cancel; a worker only starts and completes what is theirs. */
  canAssign: boolean;
  onChanged: (request: ServiceRequestDto) => void;
}

export function ServiceRequestTable({ requests, canAssign, onChanged }: ServiceRequestTableProps) {
  const { t } = useI18n();
  const [dialog, setDialog] = useState<{ mode: TaskDialogMode; request: ServiceRequestDto } | null>(
    null,
  );
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const run = (promise: Promise<{ serviceRequest: ServiceRequestDto }>) => {
    setSubmitting(true);
    setError(null);
    promise
      .then((r) => {
        onChanged(r.serviceRequest);
        setDialog(null);
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSubmitting(false));
  };
  const status = (r: ServiceRequestDto, body: TaskStatusRequest) =>
    run(setServiceRequestStatus(r.id, body));

  if (requests.length === 0) return <Empty message="sr.empty" testId="sr-empty" />;
  return (
    <>
      <Table striped highlightOnHover data-testid="sr-table">
        <ColumnHeads
          keys={[
            'sr.col.urgency',
            'sr.col.resident',
            'sr.col.request',
            'sr.col.status',
            'sr.col.assignee',
            'sr.col.actions',
          ]}
        />
        <Table.Tbody>
          {requests.map((r) => (
            <Table.Tr key={r.id} data-testid="sr-row" data-request-id={r.id}>
              <Table.Td>
                <Badge color={URGENCY_COLOUR[r.urgency]}>{t(`sr.urgency.${r.urgency}`)}</Badge>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={600}>
                  {r.residentName ?? '—'}
                </Text>
                <Text size="xs" c="dimmed">
                  {r.address}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="sm" fw={600} data-testid="sr-category">
                  {t(`sr.category.${r.category}`)} · {t(`sr.source.${r.source}`)}
                </Text>
                <Text size="sm" data-testid="sr-description">
                  {r.description}
                </Text>
              </Table.Td>
              <Table.Td data-testid="sr-status">{t(`task.status.${r.status}`)}</Table.Td>
              <Table.Td>{r.assignee?.name ?? t('task.unassigned')}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  {canAssign && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => setDialog({ mode: 'assign', request: r })}
                      data-testid="sr-assign"
                    >
                      {t('task.assign')}
                    </Button>
                  )}
                  {r.status === 'assigned' && (
                    <Button
                      size="compact-sm"
                      variant="default"
                      onClick={() => status(r, { status: 'in_progress' })}
                      data-testid="sr-start"
                    >
                      {t('task.start')}
                    </Button>
                  )}
                  {r.status !== 'open' && (
                    <Button
                      size="compact-sm"
                      onClick={() => setDialog({ mode: 'done', request: r })}
                      data-testid="sr-done"
                    >
                      {t('task.done')}
                    </Button>
                  )}
                  {canAssign && (
                    <Button
                      size="compact-sm"
                      variant="subtle"
                      color="gray"
                      onClick={() => setDialog({ mode: 'cancelled', request: r })}
                      data-testid="sr-cancel"
                    >
                      {t('task.cancel')}
                    </Button>
                  )}
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <TaskDialog
        key={dialog ? `${dialog.mode}:${dialog.request.id}` : 'none'}
        mode={dialog?.mode ?? null}
        title={dialog ? t(`sr.category.${dialog.request.category}`) : ''}
        error={error}
        submitting={submitting}
        onClose={() => setDialog(null)}
        onSubmit={(v) => {
          if (!dialog) return;
          if (dialog.mode === 'assign')
            run(
              assignServiceRequest(dialog.request.id, {
                name: v.name,
                ...(v.phone ? { phone: v.phone } : {}),
              }),
            );
          else status(dialog.request, { status: dialog.mode, outcome: v.outcome });
        }}
      />
    </>
  );
}
