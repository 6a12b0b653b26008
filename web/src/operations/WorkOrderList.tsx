/** Open work orders, overdue first (the hub's order), with start and done. */
import type { TaskStatusRequest, WorkOrderDto } from '@anxin/protocol';
import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { assignWorkOrder, setWorkOrderStatus } from '../api/operations';
import { Empty } from '../app/Status';
import { useI18n } from '../i18n/I18nProvider';
import { TaskDialog } from './TaskDialog';

export function WorkOrderList({
  orders,
  onChanged,
  canAssign = false,
}: {
  orders: WorkOrderDto[];
  onChanged: (order: WorkOrderDto) => void;
  /** The call centre dispatches; installers and workers only start and finish. */
  canAssign?: boolean;
}) {
  const { t, language } = useI18n();
  const [closing, setClosing] = useState<WorkOrderDto | null>(null);
  const [assigning, setAssigning] = useState<WorkOrderDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = (promise: Promise<{ workOrder: WorkOrderDto }>) => {
    setBusy(true);
    setError(null);
    promise
      .then((r) => {
        onChanged(r.workOrder);
        setClosing(null);
        setAssigning(null);
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  const change = (o: WorkOrderDto, body: TaskStatusRequest) => run(setWorkOrderStatus(o.id, body));
  if (orders.length === 0) return <Empty message="wo.empty" testId="wo-empty" />;
  return (
    <Stack gap="xs" data-testid="wo-list">
      {orders.map((o) => (
        <Paper key={o.id} withBorder p="sm" data-testid="wo-row" data-order-id={o.id}>
          <Group justify="space-between" wrap="wrap">
            <div>
              <Group gap="xs">
                <Badge variant="light">{t(`wo.kind.${o.kind}`)}</Badge>
                {o.overdue && <Badge color="red">{t('wo.overdue')}</Badge>}
                <Text size="sm">{t(`task.status.${o.status}`)}</Text>
                {o.dueAt !== null && (
                  <Text size="sm" c="dimmed">
                    {t('wo.due', { time: new Date(o.dueAt).toLocaleString(language) })}
                  </Text>
                )}
              </Group>
              <Text size="sm">{o.description}</Text>
              <Text size="xs" c="dimmed">
                {o.address ?? ''} · {o.assignee?.name ?? t('task.unassigned')}
              </Text>
            </div>
            <Group gap={4}>
              {canAssign && (
                <Button
                  size="compact-sm"
                  variant="default"
                  onClick={() => setAssigning(o)}
                  data-testid="wo-assign"
                >
                  {t('task.assign')}
                </Button>
              )}
              {o.status === 'assigned' && (
                <Button
                  size="compact-sm"
                  variant="default"
                  loading={busy}
                  onClick={() => change(o, { status: 'in_progress' })}
                >
                  {t('task.start')}
                </Button>
              )}
              {o.status !== 'open' && (
                <Button size="compact-sm" onClick={() => setClosing(o)}>
                  {t('task.done')}
                </Button>
              )}
            </Group>
          </Group>
        </Paper>
      ))}
      <TaskDialog
        key={closing?.id ?? 'none'}
        mode={closing ? 'done' : null}
        title={closing ? t(`wo.kind.${closing.kind}`) : ''}
        error={error}
        submitting={busy}
        onClose={() => setClosing(null)}
        onSubmit={(v) => closing && change(closing, { status: 'done', outcome: v.outcome })}
      />
      <TaskDialog
        key={assigning ? `assign:${assigning.id}` : 'none-assign'}
        mode={assigning ? 'assign' : null}
        title={assigning ? t(`wo.kind.${assigning.kind}`) : ''}
        error={error}
        submitting={busy}
        onClose={() => setAssigning(null)}
        onSubmit={(v) =>
          assigning &&
          run(
            assignWorkOrder(assigning.id, { name: v.name, ...(v.phone ? { phone: v.phone } : {}) }),
          )
        }
      />
    </Stack>
  );
}
