/**
 * One home for the installer: residents, gateway claim (the one-time credentials shown clearly),
 * devices by serial address or Zigbee name with live readings, help buttons' service actions, test
 * mode and the guided test.
 */
import {
  type DeviceDto,
  type GatewayDto,
  type HomeDto,
  type ResidentDto,
  type SessionResponse,
  type TelemetryQueryResponse,
} from '@anxin/protocol';
import { Alert, Button, Group, Stack, Text, Title } from '@mantine/core';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiRequestError } from '../api/http';
import { describeError } from '../api/describeError';
import {
  createCommissioningRecord,
  getHome,
  listGateways,
  listHomeDevices,
  listResidents,
  queryTelemetry,
} from '../api/hub';
import { NotFound } from '../app/NotFound';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { sortDevices } from '../care/format';
import { useLiveAlarms } from '../care/useLiveAlarms';
import { Failed, Loading } from '../app/Status';
import { advanceRun, deviceKey, loadRun, runToRecord, saveRun, type TestRun } from './guidedTest';
import { LIVE_FIELDS, type Reading } from './readings';
import { listDeviceResidents } from '../api/careData';
import { DevicesSection } from './DevicesSection';
import { GatewaySection } from './GatewaySection';
import { GuidedTest } from './GuidedTest';
import { ResidentsSection } from './ResidentsSection';
import { isActionButton, ServiceButtonsSection } from './ServiceButtonsSection';
import { TestModeControl } from './TestModeControl';

const LIVE_POLL_MS = 2_000;

interface HomeData {
  home: HomeDto;
  residents: ResidentDto[];
  gateways: GatewayDto[];
  devices: DeviceDto[];
  /** `gateway/device` → resident (shared homes). */
  deviceResidents: Map<string, string | null>;
}

async function loadHome(homeId: string, signal: AbortSignal): Promise<HomeData> {
  const [home, residents, gateways, devices, owners] = await Promise.all([
    getHome(homeId, signal),
    listResidents(homeId, signal),
    listGateways({ homeId }, signal),
    listHomeDevices(homeId, signal),
    listDeviceResidents(homeId, signal),
  ]);
  return {
    home: home.home,
    residents: residents.residents,
    gateways: gateways.gateways.filter((g) => g.claimState === 'claimed'),
    devices: devices.devices,
    deviceResidents: new Map(
      owners.devices.map((d) => [
        deviceKey({ gatewayId: d.gatewayId, id: d.deviceId }),
        d.residentId,
      ]),
    ),
  };
}

export function HomeSetup({ homeId, session }: { homeId: string; session: SessionResponse }) {
  const { load, reload, set } = useLoad<HomeData>((signal) => loadHome(homeId, signal), [homeId]);
  if (load.kind === 'loading') return <Loading />;
  if (load.kind === 'failed') {
    const e = load.error;
    return e instanceof ApiRequestError && e.status === 404 ? <NotFound /> : <Failed error={e} />;
  }
  return <HomeSetupView data={load.data} reload={reload} set={set} session={session} />;
}

function HomeSetupView({
  data,
  reload,
  set,
  session,
}: {
  data: HomeData;
  reload: () => void;
  set: (data: HomeData) => void;
  session: SessionResponse;
}) {
  const { t } = useI18n();
  const { home } = data;
  const live = useLiveAlarms();
  const telemetry = useLiveTelemetry(home.id, data.devices.length > 0);
  const [run, setRun] = useState<TestRun | null>(() => loadRun(home.id));
  // Readings pushed as read_device answers (issue 10), shown over the polled ones when newer.
  const [pushed, setPushed] = useState<ReadonlyMap<string, Reading[]>>(new Map());
  const onReading = useCallback(
    (key: string, readings: Reading[]) =>
      setPushed((current) => {
        const at = readings[0]?.at ?? 0;
        if ((current.get(key)?.[0]?.at ?? -1) >= at) return current;
        return new Map(current).set(key, readings);
      }),
    [],
  );
  // A record the hub did not take is shown, with a retry: the installer must know it is not kept.
  const [unsavedRecord, setUnsavedRecord] = useState<{ run: TestRun; reason: string } | null>(null);
  const saveRecord = (finished: TestRun) => {
    setUnsavedRecord(null);
    createCommissioningRecord(home.id, runToRecord(finished, devices)).catch((e: unknown) =>
      setUnsavedRecord({ run: finished, reason: describeError(e, t) }),
    );
  };
  const devices = useMemo(
    () => sortDevices(data.devices.filter((d) => d.registered)),
    [data.devices],
  );

  // Tick steps as events arrive.
  useEffect(() => {
    if (run === null) return;
    const next = advanceRun(
      run,
      devices,
      live.alarms,
      telemetry?.series ?? [],
      session.user.displayName,
    );
    if (next !== run) {
      setRun(next);
      saveRun(home.id, next);
    }
  }, [run, devices, live.alarms, telemetry, home.id, session.user.displayName]);

  const updateRun = (next: TestRun | null) => {
    // A finished test is kept on the hub (the record outlives this browser).
    if (next !== null && next.finishedAt !== null && run?.finishedAt === null) saveRecord(next);
    setRun(next);
    saveRun(home.id, next);
  };
  // While a test runs it is what the installer looks at: it moves up, under test mode.
  const running = run !== null && run.finishedAt === null;
  const guided =
    devices.length > 0 ? (
      <GuidedTest
        home={home}
        devices={devices}
        run={run}
        session={session}
        onRun={updateRun}
        onHome={(h) => set({ ...data, home: h })}
      />
    ) : null;

  return (
    <Stack gap="lg" className="narrow-page" data-testid="home-setup" data-home-id={home.id}>
      <div>
        <Title order={2} size="h3" data-testid="setup-address">
          {home.address}
        </Title>
        <Text size="sm">
          {[
            home.floor && t('card.floor', { floor: home.floor }),
            home.room && t('card.room', { room: home.room }),
          ]
            .filter(Boolean)
            .join(' · ')}
        </Text>
      </div>
      {unsavedRecord && (
        <Alert color="red" variant="light" role="alert" data-testid="record-save-error">
          <Group justify="space-between" gap="xs">
            <Text size="sm">
              {t('installer.recordNotSaved')} {unsavedRecord.reason}
            </Text>
            <Button size="xs" onClick={() => saveRecord(unsavedRecord.run)}>
              {t('installer.recordRetry')}
            </Button>
          </Group>
        </Alert>
      )}
      <TestModeControl home={home} onChanged={(h) => set({ ...data, home: h })} />
      {running && guided}
      <ResidentsSection
        homeId={home.id}
        residents={data.residents}
        onAdded={(r) => set({ ...data, residents: [...data.residents, r] })}
      />
      <GatewaySection
        home={home}
        gateways={data.gateways}
        onClaimed={reload}
        devices={devices}
        onReading={onReading}
      />
      {data.gateways.length > 0 && (
        <DevicesSection
          gateways={data.gateways}
          devices={devices}
          telemetry={telemetry}
          pushed={pushed}
          onAdded={reload}
          residents={data.residents}
          deviceResidents={data.deviceResidents}
          onResidentChanged={(key, residentId) =>
            set({ ...data, deviceResidents: new Map(data.deviceResidents).set(key, residentId) })
          }
        />
      )}
      {devices.some(isActionButton) && (
        <ServiceButtonsSection gateways={data.gateways} devices={devices} />
      )}
      {!running && guided}
    </Stack>
  );
}

function useLiveTelemetry(homeId: string, enabled: boolean): TelemetryQueryResponse | null {
  const [data, setData] = useState<TelemetryQueryResponse | null>(null);
  useEffect(() => {
    if (!enabled) return;
    let disposed = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const poll = () => {
      queryTelemetry(
        homeId,
        {
          from: new Date(Date.now() - 15 * 60_000).toISOString(),
          fields: LIVE_FIELDS.join(','),
          maxPoints: 1000,
        },
        controller.signal,
      )
        .then((response) => {
          if (!disposed) setData(response);
        })
        .catch(() => undefined)
        .finally(() => {
          if (!disposed) timer = setTimeout(poll, LIVE_POLL_MS);
        });
    };
    poll();
    return () => {
      disposed = true;
      controller.abort();
      if (timer !== undefined) clearTimeout(timer);
    };
  }, [homeId, enabled]);
  return data;
}
