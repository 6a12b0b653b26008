/**
 * Care-operation figures of the last 30 days in the supervisor's areas (GET /care-figures), with
 * CSV downloads of the figures and of the records behind them, and the way to the bulk import.
 */
import {
  SERVICE_CATEGORIES,
  WELFARE_CHECK_KINDS,
  WORK_ORDER_KINDS,
  type CareFiguresResponse,
  type ExportDataset,
} from '@anxin/protocol';
import { Anchor, Card, Group, SimpleGrid, Table, Text, Title } from '@mantine/core';
import { useMemo, useState } from 'react';
import { exportUrl, getCareFigures } from '../api/careData';
import { link, navigate } from '../app/router';
import { useLoad } from '../app/useLoad';
import { Failed, Loading } from '../app/Status';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';

const DAY = 86_400_000;
const EXPORTS: readonly [ExportDataset, MessageKey][] = [
  ['figures', 'careFigures.export.figures'],
  ['alarms', 'careFigures.export.alarms'],
  ['service_requests', 'careFigures.export.requests'],
  ['welfare_checks', 'careFigures.export.checks'],
  ['work_orders', 'careFigures.export.orders'],
];

/** A code the figures carry as a plain string, as its label; an unknown code stays as it is. */
function labelOf<C extends string>(list: readonly C[], code: string, label: (c: C) => string) {
  const known = list.find((c) => c === code);
  return known === undefined ? code : label(known);
}

export function CareFiguresCard({ now }: { now: number }) {
  const { t, language } = useI18n();
  // The period is fixed when the card mounts (a minute later the figures are the same).
  const [mountedAt] = useState(now);
  const period = useMemo(
    () => ({
      from: new Date(mountedAt - 30 * DAY).toISOString(),
      to: new Date(mountedAt).toISOString(),
    }),
    [mountedAt],
  );
  const { load } = useLoad<CareFiguresResponse>(
    (signal) => getCareFigures(period, signal),
    [period],
  );
  return (
    <Card withBorder data-testid="sup-care-figures">
      <Group justify="space-between">
        <Title order={2} size="h4">
          {t('careFigures.title')}
        </Title>
        <Group gap="md">
          <Anchor {...link('/plans')} data-testid="nav-plans">
            {t('plans.open')}
          </Anchor>
          <Anchor
            href="/supervisor/import"
            onClick={(e) => {
              e.preventDefault();
              navigate('/supervisor/import');
            }}
            data-testid="nav-import"
          >
            {t('import.open')}
          </Anchor>
        </Group>
      </Group>
      <Group gap="md" mt="xs">
        <Text size="sm">{t('careFigures.download')}</Text>
        {EXPORTS.map(([dataset, key]) => (
          <Anchor
            key={dataset}
            href={exportUrl(dataset, { ...period, lang: language })}
            download
            data-testid={`export-${dataset}`}
          >
            {t(key)}
          </Anchor>
        ))}
      </Group>
      {load.kind === 'loading' && <Loading />}
      {load.kind === 'failed' && <Failed error={load.error} />}
      {load.kind === 'loaded' && <Figures f={load.data} />}
    </Card>
  );
}

function Figures({ f }: { f: CareFiguresResponse }) {
  const { t } = useI18n();
  const num = (v: number | null) => (v === null ? '—' : String(v));
  const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)} %`);
  return (
    <SimpleGrid cols={{ base: 1, lg: 3 }} spacing="md" mt="sm">
      <section>
        <Title order={3} size="h5">
          {t('careFigures.requests')}
        </Title>
        <Table data-testid="care-figures-requests">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('careFigures.category')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.total')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.done')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.medianHours')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.serviceRequests.map((r) => (
              <Table.Tr key={r.category}>
                <Table.Td>
                  {labelOf(SERVICE_CATEGORIES, r.category, (c) => t(`sr.category.${c}`))}
                </Table.Td>
                <Table.Td ta="right">{r.total}</Table.Td>
                <Table.Td ta="right">{r.done}</Table.Td>
                <Table.Td ta="right">{num(r.medianHoursToComplete)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {f.serviceRequests.length === 0 && <Text size="sm">{t('careFigures.none')}</Text>}
      </section>
      <section>
        <Title order={3} size="h5">
          {t('careFigures.welfare')}
        </Title>
        <Table data-testid="care-figures-welfare">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('careFigures.kind')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.doneOfPlanned')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.perElderPerMonth')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.welfare.map((w) => (
              <Table.Tr key={w.kind}>
                <Table.Td>
                  {labelOf(WELFARE_CHECK_KINDS, w.kind, (k) => t(`welfare.kind.${k}`))}
                </Table.Td>
                <Table.Td ta="right">{`${w.done} / ${w.planned} (${pct(w.share)})`}</Table.Td>
                <Table.Td ta="right">{num(w.perElderPerMonth)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {f.welfare.length === 0 && <Text size="sm">{t('careFigures.none')}</Text>}
      </section>
      <section>
        <Title order={3} size="h5">
          {t('careFigures.orders')}
        </Title>
        <Table data-testid="care-figures-orders">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>{t('careFigures.kind')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.openNow')}</Table.Th>
              <Table.Th ta="right">{t('careFigures.overdueNow')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {f.workOrders.map((o) => (
              <Table.Tr key={o.kind}>
                <Table.Td>{labelOf(WORK_ORDER_KINDS, o.kind, (k) => t(`wo.kind.${k}`))}</Table.Td>
                <Table.Td ta="right">{o.openNow}</Table.Td>
                <Table.Td ta="right" c={o.overdueNow > 0 ? 'red' : undefined}>
                  {o.overdueNow}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {f.workOrders.length === 0 && <Text size="sm">{t('careFigures.none')}</Text>}
      </section>
    </SimpleGrid>
  );
}
