/**
 * The supervisor view (issue 6): escalated and long-waiting alarms, operators and their load,
 * answer-time figures against the telecare targets (97.5 % within 60 s, 99 % within 180 s),
 * offline gateways and devices, and today's wellbeing alarms. Live alarms come from the same feed
 * as the console; figures (GET /api/v1/figures) and gateways are refreshed every 30 s.
 */
import {
  type AlarmDto,
  type ClientToServerEvents,
  type EscalationDto,
  type FiguresResponse,
  type GatewayListResponse,
  type ServerToClientEvents,
  type SessionResponse,
} from '@anxin/protocol';
import { Anchor, Badge, Card, Group, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { ApiRequestError } from '../api/http';
import { getFigures, getSession, listAlarms, listGateways } from '../api/hub';
import { PageHeader } from '../app/PageHeader';
import { navigate } from '../app/router';
import { useLoad } from '../app/useLoad';
import { kindKey, statusKey, type MessageKey } from '../i18n';
import type { EscalationStage } from '@anxin/protocol';
const stageKey = (stage: EscalationStage): MessageKey => `escalation.${stage}`;
import { useI18n } from '../i18n/I18nProvider';
import { ConnectionBanner, ConnectionIndicator } from '../console/ConnectionStatus';
import { formatAge } from '../console/age';
import { useAlarmFeed } from '../console/useAlarmFeed';
import { ANSWER_TARGETS } from '../care/labels';
import { ONLINE_COLOURS, TARGET_COLOURS } from '../care/palette';
import { Failed, Loading } from '../app/Status';
import { CareFiguresCard } from './CareFiguresCard';
import { longWaiting, operatorLoads, percent, seconds, startOfToday } from './load';

const REFRESH_MS = 30_000;

function useTicker(ms: number): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Escalation steps pushed to supervisors (`alarm:escalation`), latest per alarm. */
function useEscalations(): ReadonlyMap<string, EscalationDto> {
  const [map, setMap] = useState<ReadonlyMap<string, EscalationDto>>(new Map());
  useEffect(() => {
    const socket: Socket<ServerToClientEvents, ClientToServerEvents> = io({
      withCredentials: true,
    });
    socket.on('alarm:escalation', (value: unknown) => {
      if (typeof value !== 'object' || value === null) return;
      const e = value as Partial<EscalationDto>;
      if (typeof e.alarmId !== 'string' || typeof e.stage !== 'string') return;
      setMap((current) => new Map(current).set(e.alarmId as string, value as EscalationDto));
    });
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);
  return map;
}

export function SupervisorPage({
  session,
  onSignOut,
  onSessionEnded,
}: {
  session: SessionResponse;
  onSignOut: () => void;
  onSessionEnded: () => void;
}) {
  const { t } = useI18n();
  const feed = useAlarmFeed({
    onUnauthenticated: onSessionEnded,
    checkSession: () =>
      getSession().then(
        () => true,
        (error: unknown) => !(error instanceof ApiRequestError && error.status === 401),
      ),
  });
  const escalations = useEscalations();
  const now = useTicker(1_000);
  const refresh = useTicker(REFRESH_MS);
  const today = startOfToday(new Date(refresh));
  const figures = useLoad<FiguresResponse>(
    (signal) => getFigures({ from: today }, signal),
    [today, refresh],
  );
  const gateways = useLoad<GatewayListResponse>(
    (signal) => listGateways({ state: 'claimed', limit: 1000 }, signal),
    [refresh],
  );
  const todays = useLoad<AlarmDto[]>(
    async (signal) => (await listAlarms(['open', 'acknowledged', 'resolved'], 1000, signal)).alarms,
    [refresh],
  );

  useEffect(() => {
    document.title = `${t('supervisor.title')} · ${t('app.name')}`;
  }, [t]);

  const waiting = useMemo(
    () => longWaiting(feed.alarms, now + feed.clockOffsetMs, 60),
    [feed.alarms, now, feed.clockOffsetMs],
  );
  const escalated = feed.alarms.filter((a) => {
    const e = escalations.get(a.id);
    return e !== undefined && ['supervisors', 'contact', 'exhausted'].includes(e.stage);
  });
  const loads = operatorLoads(
    feed.alarms,
    figures.load.kind === 'loaded' ? figures.load.data.perOperator : [],
  );
  const offlineDevices = feed.alarms.filter((a) => a.kind === 'device_offline');
  const wellbeing =
    todays.load.kind === 'loaded'
      ? todays.load.data.filter((a) => a.priority === 2 && a.raisedAt >= today && !a.test)
      : [];

  return (
    <div className="console-layout">
      <PageHeader title={t('supervisor.title')} session={session} onSignOut={onSignOut}>
        <ConnectionIndicator state={feed.connection} />
        <Anchor
          href="/"
          onClick={(e) => {
            e.preventDefault();
            navigate('/');
          }}
          data-testid="nav-console"
        >
          {t('supervisor.openConsole')}
        </Anchor>
      </PageHeader>
      <ConnectionBanner lostAt={feed.lostAt} syncError={feed.syncError} />
      <main className="page-main" id="main">
        <Stack gap="lg">
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <Card withBorder data-testid="sup-waiting">
              <Title order={2} size="h4">
                {t('supervisor.waiting', { count: waiting.length })}
              </Title>
              <AlarmLines
                alarms={waiting}
                now={now + feed.clockOffsetMs}
                escalations={escalations}
                empty={t('supervisor.noneWaiting')}
              />
            </Card>
            <Card withBorder data-testid="sup-escalated">
              <Title order={2} size="h4">
                {t('supervisor.escalated', { count: escalated.length })}
              </Title>
              <AlarmLines
                alarms={escalated}
                now={now + feed.clockOffsetMs}
                escalations={escalations}
                empty={t('supervisor.noneEscalated')}
              />
            </Card>
          </SimpleGrid>

          <Card withBorder data-testid="sup-figures">
            <Title order={2} size="h4">
              {t('supervisor.figures')}
            </Title>
            {figures.load.kind === 'loading' && <Loading />}
            {figures.load.kind === 'failed' && <Failed error={figures.load.error} />}
            {figures.load.kind === 'loaded' && <FiguresView figures={figures.load.data} />}
          </Card>

          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="lg">
            <Card withBorder data-testid="sup-operators">
              <Title order={2} size="h4">
                {t('supervisor.operators')}
              </Title>
              {loads.length === 0 ? (
                <Text size="sm">{t('supervisor.noOperators')}</Text>
              ) : (
                <div className="table-scroll">
                  <Table>
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>{t('supervisor.col.operator')}</Table.Th>
                        <Table.Th>{t('supervisor.col.holding')}</Table.Th>
                        <Table.Th>{t('supervisor.col.taken')}</Table.Th>
                        <Table.Th>{t('supervisor.col.resolved')}</Table.Th>
                        <Table.Th>{t('supervisor.col.p50')}</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {loads.map((o) => (
                        <Table.Tr
                          key={o.name}
                          data-testid="sup-operator"
                          data-operator={o.name}
                          data-holding={o.holding}
                        >
                          <Table.Td>{o.name}</Table.Td>
                          <Table.Td>{o.holding}</Table.Td>
                          <Table.Td>{o.acknowledged}</Table.Td>
                          <Table.Td>{o.resolved}</Table.Td>
                          <Table.Td>{seconds(o.p50S)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </div>
              )}
            </Card>
            <Card withBorder data-testid="sup-offline">
              <Group justify="space-between">
                <Title order={2} size="h4">
                  {t('supervisor.offline')}
                </Title>
                <Anchor
                  href="/supervisor/gateways"
                  onClick={(e) => {
                    e.preventDefault();
                    navigate('/supervisor/gateways');
                  }}
                  data-testid="nav-gateways"
                >
                  {t('fleet.open')}
                </Anchor>
              </Group>
              {gateways.load.kind === 'failed' && <Failed error={gateways.load.error} />}
              {gateways.load.kind === 'loaded' && (
                <Stack gap={4} mt="xs">
                  {gateways.load.data.gateways
                    .filter((g) => !g.online)
                    .map((g) => (
                      <Group
                        key={g.id}
                        gap="xs"
                        data-testid="sup-offline-gateway"
                        data-gateway-id={g.id}
                      >
                        <span
                          className="chip"
                          style={{
                            color: ONLINE_COLOURS.offline.fg,
                            background: ONLINE_COLOURS.offline.bg,
                          }}
                        >
                          {t('installer.offline')}
                        </span>
                        <Text className="mono" size="sm">
                          {g.id}
                        </Text>
                        <Text size="sm">{g.homeId ?? t('queue.unknownHome')}</Text>
                      </Group>
                    ))}
                  {offlineDevices.map((a) => (
                    <Group key={a.id} gap="xs" data-testid="sup-offline-device">
                      <Badge color="gray.8">{t('kind.device_offline')}</Badge>
                      <Text className="mono" size="sm">
                        {a.deviceId ?? '—'}
                      </Text>
                      <Text size="sm">{a.homeId ?? t('queue.unknownHome')}</Text>
                    </Group>
                  ))}
                  {gateways.load.data.gateways.every((g) => g.online) &&
                    offlineDevices.length === 0 && (
                      <Text size="sm">{t('supervisor.allOnline')}</Text>
                    )}
                </Stack>
              )}
            </Card>
          </SimpleGrid>

          <Card withBorder data-testid="sup-wellbeing">
            <Title order={2} size="h4">
              {t('supervisor.wellbeing', { count: wellbeing.length })}
            </Title>
            <AlarmLines
              alarms={wellbeing}
              now={now + feed.clockOffsetMs}
              escalations={escalations}
              empty={t('supervisor.noWellbeing')}
            />
          </Card>
          <CareFiguresCard now={now} />
        </Stack>
      </main>
    </div>
  );
}

function AlarmLines({
  alarms,
  now,
  escalations,
  empty,
}: {
  alarms: readonly AlarmDto[];
  now: number;
  escalations: ReadonlyMap<string, EscalationDto>;
  empty: string;
}) {
  const { t, formatTime } = useI18n();
  if (alarms.length === 0)
    return (
      <Text size="sm" mt="xs">
        {empty}
      </Text>
    );
  return (
    <Stack gap={4} mt="xs">
      {alarms.map((a) => {
        const e = escalations.get(a.id);
        return (
          <Group key={a.id} gap="xs" wrap="wrap" data-testid="sup-alarm" data-alarm-id={a.id}>
            <Text fw={700} size="sm">
              {t(kindKey(a.kind))}
            </Text>
            <Text size="sm">{a.homeId ?? t('queue.unknownHome')}</Text>
            <Text size="sm">{t(statusKey(a.status))}</Text>
            {a.status === 'open' ? (
              <Text size="sm" fw={700} className="mono">
                {formatAge(Math.max(0, Math.floor((now - Date.parse(a.receivedAt)) / 1000)))}
              </Text>
            ) : (
              <Text size="sm">{formatTime(a.raisedAt)}</Text>
            )}
            {e !== undefined && <Badge color="red.9">{t(stageKey(e.stage))}</Badge>}
          </Group>
        );
      })}
    </Stack>
  );
}

function FiguresView({ figures }: { figures: FiguresResponse }) {
  const { t } = useI18n();
  return (
    <Stack gap="sm" mt="xs">
      <Group gap="lg" wrap="wrap">
        {ANSWER_TARGETS.map((target) => {
          const share = figures.answerShares.find((s) => s.withinS === target.withinS);
          const met = share?.met ?? null;
          const colours = met === false ? TARGET_COLOURS.missed : TARGET_COLOURS.met;
          return (
            <div
              key={target.withinS}
              className="figure"
              data-testid="answer-share"
              data-within={target.withinS}
              data-met={String(met)}
            >
              <Text size="sm">
                {t('supervisor.within', {
                  seconds: target.withinS,
                  target: percent(target.target),
                })}
              </Text>
              <span
                className="chip figure-value"
                style={met === null ? undefined : { color: colours.fg, background: colours.bg }}
              >
                {percent(share?.share ?? null)}
              </span>
              <Text size="xs">
                {met === null
                  ? t('supervisor.noAlarms')
                  : met
                    ? t('supervisor.met')
                    : t('supervisor.missed')}
              </Text>
            </div>
          );
        })}
        <div className="figure">
          <Text size="sm">{t('supervisor.alarmsToday')}</Text>
          <Text size="xl" fw={800} data-testid="figures-count">
            {figures.alarms}
          </Text>
        </div>
        <div className="figure">
          <Text size="sm">{t('supervisor.ackTimes')}</Text>
          <Text size="xl" fw={800}>
            {seconds(figures.acknowledge.p50S)} / {seconds(figures.acknowledge.p90S)}
          </Text>
        </div>
      </Group>
      {figures.openByAge.length > 0 && (
        <Text size="sm">
          {t('supervisor.openByAge')}{' '}
          {figures.openByAge.map((b) => `${b.label}: ${b.count}`).join(' · ')}
        </Text>
      )}
    </Stack>
  );
}
