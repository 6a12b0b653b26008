/**
 * The queue: every unresolved alarm, in queue order, no paging. The selected row carries the
 * keyboard focus (roving tabindex), so the browser's own focus ring and screen readers follow
 * `j`/`k`. Rows are memoised and only the age cells follow the clock, so a long queue (a reconnect
 * storm) costs little per second.
 */
import type { AlarmDto } from '@anxin/protocol';
import { Button, Group, Table, Text } from '@mantine/core';
import { memo, useEffect, useRef } from 'react';
import { kindKey, priorityKey, statusKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import { useSecondClock } from './clock';
import { ageLevel, alarmAgeSeconds, formatAge } from './age';
import { Chip } from './Chip';
import { GatewayTestBadge } from './GatewayTestBadge';
import { KIND_ICONS } from './kindIcons';
import {
  AGE_COLOURS,
  PRIORITY_COLOURS,
  PRIORITY_STRIPE,
  STATUS_COLOURS,
  TEST_COLOURS,
  ON_THE_WAY_COLOURS,
} from './palette';

export interface AlarmQueueTableProps {
  alarms: readonly AlarmDto[];
  selectedId: string | null;
  clockOffsetMs: number;
  /** Ids with a request in flight (their buttons show a spinner). */
  busyIds: ReadonlySet<string>;
  onSelect: (id: string, openDetail: boolean) => void;
  onTake: (alarm: AlarmDto) => void;
  onResolve: (alarm: AlarmDto) => void;
}

export function AlarmQueueTable(props: AlarmQueueTableProps) {
  const { alarms, selectedId, clockOffsetMs, busyIds, onSelect, onTake, onResolve } = props;
  const { t } = useI18n();
  return (
    <Table
      stickyHeader
      highlightOnHover
      verticalSpacing="xs"
      className="queue-table"
      data-testid="alarm-queue"
      aria-label={t('queue.title')}
    >
      <Table.Thead>
        <Table.Tr>
          <Table.Th scope="col">{t('queue.col.kind')}</Table.Th>
          <Table.Th scope="col">{t('queue.col.home')}</Table.Th>
          <Table.Th scope="col">{t('queue.col.device')}</Table.Th>
          <Table.Th scope="col">{t('queue.col.age')}</Table.Th>
          <Table.Th scope="col">{t('queue.col.status')}</Table.Th>
          <Table.Th scope="col" ta="right">
            {t('queue.col.triggers')}
          </Table.Th>
          <Table.Th scope="col">{t('queue.col.actions')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {alarms.map((alarm) => (
          <AlarmRow
            key={alarm.id}
            alarm={alarm}
            selected={alarm.id === selectedId}
            busy={busyIds.has(alarm.id)}
            clockOffsetMs={clockOffsetMs}
            onSelect={onSelect}
            onTake={onTake}
            onResolve={onResolve}
          />
        ))}
      </Table.Tbody>
    </Table>
  );
}

interface AlarmRowProps {
  alarm: AlarmDto;
  selected: boolean;
  busy: boolean;
  clockOffsetMs: number;
  onSelect: (id: string, openDetail: boolean) => void;
  onTake: (alarm: AlarmDto) => void;
  onResolve: (alarm: AlarmDto) => void;
}

const AlarmRow = memo(function AlarmRow(props: AlarmRowProps) {
  const { alarm, selected, busy, clockOffsetMs, onSelect, onTake, onResolve } = props;
  const { t } = useI18n();
  const rowRef = useRef<HTMLTableRowElement | null>(null);

  // Keep the selected row in view and focused when the selection moves by keyboard. Focus is only
  // moved if it is already inside the table or on the page body, never stolen from a form field.
  useEffect(() => {
    const row = rowRef.current;
    if (!selected || row === null) return;
    row.scrollIntoView({ block: 'nearest' });
    const active = document.activeElement;
    if (active === null || active === document.body || row.parentElement?.contains(active)) {
      row.focus({ preventScroll: true });
    }
  }, [selected]);

  const KindIcon = KIND_ICONS[alarm.kind];
  const priority = PRIORITY_COLOURS[alarm.priority];
  const kindLabel = t(kindKey(alarm.kind));
  const statusLabel =
    alarm.status === 'acknowledged' && alarm.acknowledgedBy !== null
      ? t('status.takenBy', { user: alarm.acknowledgedBy })
      : t(statusKey(alarm.status));
  return (
    <Table.Tr
      ref={rowRef}
      tabIndex={selected ? 0 : -1}
      aria-selected={selected}
      aria-label={[
        t('queue.rowLabel', { kind: kindLabel, status: statusLabel }),
        ...(alarm.test ? [t('queue.test')] : []),
        ...(alarm.gatewayTest ? [t('queue.gatewayTest')] : []),
      ].join(t('queue.labelSeparator'))}
      className="queue-row"
      data-testid="alarm-row"
      data-alarm-id={alarm.id}
      data-kind={alarm.kind}
      data-status={alarm.status}
      data-priority={alarm.priority}
      data-test-alarm={alarm.test ? 'true' : 'false'}
      data-gateway-test={alarm.gatewayTest ? 'true' : 'false'}
      style={{ borderInlineStartColor: PRIORITY_STRIPE[alarm.priority] }}
      onClick={() => onSelect(alarm.id, true)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && event.target === event.currentTarget) onSelect(alarm.id, true);
      }}
    >
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          <span
            className="chip chip-icon"
            style={{ color: priority.fg, background: priority.bg }}
            title={t(priorityKey(alarm.priority))}
          >
            <KindIcon size={20} aria-hidden />
          </span>
          <div>
            <Text fw={700} size="md" data-testid="alarm-kind">
              {kindLabel}
            </Text>
            <Text size="xs" c="dimmed">
              {t(priorityKey(alarm.priority))}
            </Text>
          </div>
          {alarm.test && (
            <Chip colours={TEST_COLOURS} title={t('queue.testTitle')} testId="test-badge">
              {t('queue.test')}
            </Chip>
          )}
          {alarm.gatewayTest && <GatewayTestBadge />}
          {(alarm.responders?.length ?? 0) > 0 && (
            <span
              className="chip"
              style={{ color: ON_THE_WAY_COLOURS.fg, background: ON_THE_WAY_COLOURS.bg }}
              title={(alarm.responders ?? []).map((r) => r.displayName).join(', ')}
              data-testid="responder-badge"
            >
              {t('queue.onTheWay', { count: alarm.responders?.length ?? 0 })}
            </span>
          )}
        </Group>
      </Table.Td>
      <Table.Td>
        <Text size="sm" fw={600}>
          {alarm.homeId ?? t('queue.unknownHome')}
        </Text>
        <Text size="xs" c="dimmed" className="mono">
          {alarm.gatewayId}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm" className="mono">
          {alarm.deviceId ?? t('queue.noDevice')}
        </Text>
      </Table.Td>
      <Table.Td>
        <AgeCell alarm={alarm} clockOffsetMs={clockOffsetMs} />
      </Table.Td>
      <Table.Td>
        <span
          className="chip"
          style={{
            color: STATUS_COLOURS[alarm.status].fg,
            background: STATUS_COLOURS[alarm.status].bg,
          }}
          data-testid="alarm-status"
        >
          {statusLabel}
        </span>
        {alarm.cancelledByResidentAt !== null && (
          <Text size="xs" fw={600} mt={4}>
            {t('queue.cancelled')}
          </Text>
        )}
      </Table.Td>
      <Table.Td ta="right">
        <Text fw={600} data-testid="alarm-trigger-count">
          {alarm.triggerCount}
        </Text>
      </Table.Td>
      <Table.Td>
        <Group gap="xs" wrap="nowrap">
          {alarm.status === 'open' && (
            <Button
              size="xs"
              color="blue"
              loading={busy}
              data-testid="ack-button"
              aria-label={`${t('queue.take')}: ${kindLabel}`}
              onClick={(event) => {
                event.stopPropagation();
                onTake(alarm);
              }}
            >
              {t('queue.take')}
            </Button>
          )}
          <Button
            size="xs"
            variant="default"
            disabled={busy}
            data-testid="resolve-button"
            aria-label={`${t('queue.resolve')}: ${kindLabel}`}
            onClick={(event) => {
              event.stopPropagation();
              onResolve(alarm);
            }}
          >
            {t('queue.resolve')}
          </Button>
        </Group>
      </Table.Td>
    </Table.Tr>
  );
});

/** Waiting time, counting up live; amber after 60 s and red after 180 s while nobody has taken it. */
function AgeCell({ alarm, clockOffsetMs }: { alarm: AlarmDto; clockOffsetMs: number }) {
  const { t, formatDateTime } = useI18n();
  const now = useSecondClock();
  const age = alarmAgeSeconds(alarm, now, clockOffsetMs);
  // The colour warns while the alarm waits to be taken; once taken it stays neutral.
  const level = alarm.status === 'open' ? ageLevel(age) : 'fresh';
  const colours = AGE_COLOURS[level];
  return (
    <span
      className={`chip age age-${level}`}
      style={colours ? { color: colours.fg, background: colours.bg } : undefined}
      title={t('queue.ageTitle', { time: formatDateTime(alarm.receivedAt) })}
      data-testid="alarm-age"
      data-age-level={level}
    >
      {formatAge(age)}
    </span>
  );
}
