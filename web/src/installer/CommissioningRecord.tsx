/**
 * The commissioning record: what was installed in a home, which device was tested by whom and
 * when, with the event that proved it. A printable page (print CSS hides the app's chrome).
 */
import type {
  CommissioningRecordDto,
  DeviceDto,
  GatewayDto,
  HomeDto,
  ResidentDto,
  SessionResponse,
} from '@anxin/protocol';
import { Anchor, Button, Group, Stack, Table, Text, Title } from '@mantine/core';
import { IconPrinter } from '@tabler/icons-react';
import {
  getHome,
  listCommissioningRecords,
  listGateways,
  listHomeDevices,
  listResidents,
} from '../api/hub';
import { NotFound } from '../app/NotFound';
import { useLoad } from '../app/useLoad';
import { ApiRequestError } from '../api/http';
import { ColumnHeads } from '../app/ColumnHeads';
import { useI18n } from '../i18n/I18nProvider';
import { deviceKindKey } from '../care/labels';
import { sortDevices } from '../care/format';
import { Failed, Loading } from '../app/Status';
import { deviceKey, loadRun, recordToRun, STEP_INSTRUCTIONS, type TestRun } from './guidedTest';
import { homePath, link } from './paths';

interface RecordData {
  home: HomeDto;
  residents: ResidentDto[];
  gateways: GatewayDto[];
  devices: DeviceDto[];
  /** The newest record stored on the hub, if any. */
  stored: CommissioningRecordDto | null;
}

/**
 * The run to print: the hub's newest record, unless this browser holds a newer run (one still
 * going, or finished a moment ago while its record is on its way to the hub).
 */
function runToShow(stored: CommissioningRecordDto | null, local: TestRun | null): TestRun | null {
  const fromHub = stored === null ? null : recordToRun(stored);
  if (local === null) return fromHub;
  if (fromHub === null || local.startedAt > fromHub.startedAt) return local;
  return fromHub;
}

export function CommissioningRecord({
  homeId,
  session,
}: {
  homeId: string;
  session: SessionResponse;
}) {
  const { t, language } = useI18n();
  // A record is kept for years: full date with the year.
  const full = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'medium' });
  const formatDateTime = (value: string) => full.format(new Date(value));
  const { load } = useLoad<RecordData>(
    async (signal) => {
      const [home, residents, gateways, devices, records] = await Promise.all([
        getHome(homeId, signal),
        listResidents(homeId, signal),
        listGateways({ homeId }, signal),
        listHomeDevices(homeId, signal),
        listCommissioningRecords(homeId, signal),
      ]);
      return {
        home: home.home,
        residents: residents.residents,
        gateways: gateways.gateways.filter((g) => g.claimState === 'claimed'),
        devices: sortDevices(devices.devices.filter((d) => d.registered)),
        stored: records.records[0] ?? null,
      };
    },
    [homeId],
  );
  if (load.kind === 'loading') return <Loading />;
  if (load.kind === 'failed') {
    const e = load.error;
    return e instanceof ApiRequestError && e.status === 404 ? <NotFound /> : <Failed error={e} />;
  }
  const { home, residents, gateways, devices, stored } = load.data;
  const run = runToShow(stored, loadRun(homeId));
  const at = (ms: number | null | undefined) =>
    ms == null ? '—' : formatDateTime(new Date(ms).toISOString());
  const passed =
    run === null ? 0 : devices.filter((d) => run.passed[deviceKey(d)] !== undefined).length;
  return (
    <Stack className="record-page" data-testid="commissioning-record">
      <Group justify="space-between" className="no-print">
        <Anchor {...link(homePath(homeId))}>{t('record.back')}</Anchor>
        <Button
          leftSection={<IconPrinter size={18} aria-hidden />}
          onClick={() => window.print()}
          data-testid="print-button"
        >
          {t('record.print')}
        </Button>
      </Group>
      <Title order={2} size="h2">
        {t('record.title')}
      </Title>
      <dl className="record-facts">
        <dt>{t('record.address')}</dt>
        <dd data-testid="record-address">
          {home.address}
          {home.floor ? ` · ${t('card.floor', { floor: home.floor })}` : ''}
          {home.room ? ` · ${t('card.room', { room: home.room })}` : ''}
        </dd>
        <dt>{t('record.homeId')}</dt>
        <dd className="mono">{home.id}</dd>
        <dt>{t('record.residents')}</dt>
        <dd>{residents.map((r) => r.name).join(t('list.separator')) || '—'}</dd>
        <dt>{t('record.gateways')}</dt>
        <dd className="mono">
          {gateways
            .map((g) => `${g.id}${g.softwareVersion ? ` (${g.softwareVersion})` : ''}`)
            .join(', ') || '—'}
        </dd>
        <dt>{t('record.testStarted')}</dt>
        <dd data-testid="record-started">
          {run === null ? t('record.notTested') : `${at(run.startedAt)} · ${run.startedBy}`}
        </dd>
        <dt>{t('record.testFinished')}</dt>
        <dd data-testid="record-finished">
          {run?.finishedAt != null
            ? `${at(run.finishedAt)} · ${run.finishedBy ?? '—'}`
            : t('record.notFinished')}
        </dd>
        <dt>{t('record.result')}</dt>
        <dd data-testid="record-result" data-passed={passed} data-total={devices.length}>
          {t('test.progress', { passed, total: devices.length })}
        </dd>
        <dt>{t('record.printedBy')}</dt>
        <dd>
          {session.user.displayName} · {formatDateTime(new Date().toISOString())}
        </dd>
      </dl>
      <Table withTableBorder withColumnBorders data-testid="record-table" className="record-table">
        <ColumnHeads
          keys={[
            'device.col.device',
            'device.col.room',
            'record.step',
            'record.outcome',
            'record.when',
            'record.by',
          ]}
        />
        <Table.Tbody>
          {devices.map((device) => {
            const result = run?.passed[deviceKey(device)];
            return (
              <Table.Tr
                key={deviceKey(device)}
                data-testid="record-row"
                data-device-id={device.id}
                data-state={result ? 'passed' : 'untested'}
              >
                <Table.Td>
                  <Text size="sm" className="mono">
                    {device.id}
                  </Text>
                  <Text size="xs">
                    {device.kind !== null ? t(deviceKindKey(device.kind)) : '—'}
                  </Text>
                </Table.Td>
                <Table.Td>{device.room ?? '—'}</Table.Td>
                <Table.Td>
                  {t(STEP_INSTRUCTIONS[device.kind ?? 'other'], {
                    device: device.id,
                    room: device.room ?? '—',
                  })}
                </Table.Td>
                <Table.Td>
                  <strong>{result ? t('test.passed') : t('record.untested')}</strong>
                  {result ? <div className="mono">{result.evidence}</div> : null}
                </Table.Td>
                <Table.Td>{result ? at(result.at) : '—'}</Table.Td>
                <Table.Td>{result?.by ?? '—'}</Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      <div className="signatures">
        <div>{t('record.installerSignature')}</div>
        <div>{t('record.residentSignature')}</div>
      </div>
    </Stack>
  );
}
