/**
 * The welfare plans as a table: whom for and where, the schedule in words, who makes the checks,
 * the next check due, active or paused, and per row edit, pause/resume and delete (buttons, so
 * Tab reaches every one).
 */
import type { WelfarePlanDto } from '@anxin/protocol';
import { Button, Group, Table, Text } from '@mantine/core';
import { Empty } from '../app/Status';
import { ColumnHeads } from '../app/ColumnHeads';
import { useI18n } from '../i18n/I18nProvider';
import { nextDueText, scheduleText } from './planText';

const COLUMNS = [
  'plans.col.resident',
  'plans.col.schedule',
  'plans.col.assignee',
  'plans.col.nextDue',
  'plans.col.status',
  'plans.col.actions',
] as const;

export interface PlanTableProps {
  plans: readonly WelfarePlanDto[];
  busyId: string | null;
  onEdit: (plan: WelfarePlanDto) => void;
  onToggle: (plan: WelfarePlanDto) => void;
  onDelete: (plan: WelfarePlanDto) => void;
}

export function PlanTable({ plans, busyId, onEdit, onToggle, onDelete }: PlanTableProps) {
  const { t } = useI18n();
  if (plans.length === 0) return <Empty message="plans.empty" testId="plans-empty" />;
  return (
    <div className="table-scroll">
      <Table striped highlightOnHover data-testid="plan-table">
        <ColumnHeads keys={COLUMNS} />
        <Table.Tbody>
          {plans.map((p) => (
            <Table.Tr
              key={p.id}
              data-testid="plan-row"
              data-plan-id={p.id}
              data-resident-id={p.residentId}
            >
              <Table.Td>
                <Text fw={700} data-testid="plan-resident">
                  {p.residentName}
                </Text>
                <Text size="sm" c="dimmed" data-testid="plan-address">
                  {p.address}
                </Text>
              </Table.Td>
              <Table.Td data-testid="plan-schedule">{scheduleText(p, t)}</Table.Td>
              <Table.Td data-testid="plan-assignee">
                {p.assigneeName ?? t('plans.callCentre')}
              </Table.Td>
              <Table.Td data-testid="plan-next-due" data-day={p.nextDueDay ?? ''}>
                {nextDueText(p, t)}
              </Table.Td>
              <Table.Td>
                <Text
                  size="sm"
                  fw={600}
                  c={p.active ? 'green.8' : 'dimmed'}
                  data-testid="plan-status"
                  data-active={p.active ? 'true' : 'false'}
                >
                  {p.active ? t('plans.status.active') : t('plans.status.paused')}
                </Text>
              </Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Button
                    size="compact-sm"
                    variant="default"
                    onClick={() => onEdit(p)}
                    aria-label={t('plans.editOf', { name: p.residentName })}
                    data-testid="plan-edit"
                  >
                    {t('plans.edit')}
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="default"
                    loading={busyId === p.id}
                    onClick={() => onToggle(p)}
                    data-testid="plan-toggle"
                  >
                    {p.active ? t('plans.pause') : t('plans.resume')}
                  </Button>
                  <Button
                    size="compact-sm"
                    variant="subtle"
                    color="red"
                    onClick={() => onDelete(p)}
                    aria-label={t('plans.deleteOf', { name: p.residentName })}
                    data-testid="plan-delete"
                  >
                    {t('plans.delete')}
                  </Button>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
