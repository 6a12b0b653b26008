/**
 * One home for the installer: residents, gateway claim (the one-time credentials shown clearly),
 * devices by serial address or Zigbee name with live readings, test mode and the guided test.
 */
import {
  DEVICE_KINDS,
  type ClaimGatewayResponse,
  type DeviceDto,
  type DeviceKind,
  type GatewayDto,
  type HomeDto,
  type ResidentDto,
  type SessionResponse,
  type TelemetryQueryResponse,
} from '@anxin/protocol';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Group,
  NumberInput,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconCircleCheck, IconClockHour4, IconPrinter } from '@tabler/icons-react';
import { useCallback, useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import {
  claimGateway,
  createDevice,
  createResident,
  getHome,
  listGateways,
  listHomeDevices,
  listResidents,
  queryTelemetry,
  setTestMode,
} from '../api/hub';
import { NotFound } from '../app/NotFound';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { deviceKindKey } from '../care/labels';
import { ONLINE_COLOURS, STEP_COLOURS, TEST_MODE_COLOURS, WARNING_COLOURS } from '../care/palette';
import { sortDevices } from '../care/format';
import { useLiveAlarms } from '../care/useLiveAlarms';
import { Failed, Loading } from '../family/FamilyPage';
import {
  advanceRun,
  deviceKey,
  loadRun,
  saveRun,
  STEP_INSTRUCTIONS,
  type TestRun,
} from './guidedTest';
import { link } from './InstallerPage';
import { latestReadings, LIVE_FIELDS } from './readings';

const LIVE_POLL_MS = 2_000;

const isDeviceKind = (value: string | null): value is DeviceKind =>
  value !== null && (DEVICE_KINDS as readonly string[]).includes(value);

interface HomeData {
  home: HomeDto;
  residents: ResidentDto[];
  gateways: GatewayDto[];
  devices: DeviceDto[];
}

async function loadHome(homeId: string, signal: AbortSignal): Promise<HomeData> {
  const [home, residents, gateways, devices] = await Promise.all([
    getHome(homeId, signal),
    listResidents(homeId, signal),
    listGateways({ homeId }, signal),
    listHomeDevices(homeId, signal),
  ]);
  return {
    home: home.home,
    residents: residents.residents,
    gateways: gateways.gateways.filter((g) => g.claimState === 'claimed'),
    devices: devices.devices,
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
      <TestModeControl home={home} onChanged={(h) => set({ ...data, home: h })} />
      {running && guided}
      <ResidentsSection
        homeId={home.id}
        residents={data.residents}
        onAdded={(r) => set({ ...data, residents: [...data.residents, r] })}
      />
      <GatewaySection home={home} gateways={data.gateways} onClaimed={reload} />
      {data.gateways.length > 0 && (
        <DevicesSection
          gateways={data.gateways}
          devices={devices}
          telemetry={telemetry}
          onAdded={reload}
        />
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

function TestModeControl({
  home,
  onChanged,
}: {
  home: HomeDto;
  onChanged: (home: HomeDto) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const toggle = (enabled: boolean) => {
    setBusy(true);
    setError(null);
    setTestMode(home.id, { enabled, reason: 'commissioning' })
      .then((response) => onChanged(response.home))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  return (
    <Card withBorder padding="sm">
      <Switch
        size="lg"
        checked={home.testMode}
        disabled={busy}
        onChange={(e) => toggle(e.currentTarget.checked)}
        label={t('installer.testMode')}
        description={t('installer.testModeHint')}
        data-testid="test-mode-switch"
      />
      {home.testMode && (
        <div
          className="banner"
          style={{ color: TEST_MODE_COLOURS.fg, background: TEST_MODE_COLOURS.bg }}
          data-testid="test-mode-banner"
          role="status"
        >
          {t('installer.testModeOn', {
            time: home.testModeSince ? formatDateTime(home.testModeSince) : '—',
          })}
        </div>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs">
          {error}
        </Alert>
      )}
    </Card>
  );
}

function ResidentsSection({
  homeId,
  residents,
  onAdded,
}: {
  homeId: string;
  residents: readonly ResidentDto[];
  onAdded: (resident: ResidentDto) => void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [birthYear, setBirthYear] = useState<string | number>('');
  const [languages, setLanguages] = useState('zh-CN');
  const [medicalNotes, setMedicalNotes] = useState('');
  const [livesAlone, setLivesAlone] = useState(residents.length === 0);
  const [open, setOpen] = useState(residents.length === 0);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    createResident(homeId, {
      name: name.trim(),
      birthYear: typeof birthYear === 'number' ? birthYear : null,
      languages: languages.split(/[,，\s]+/).filter((x) => x !== ''),
      medicalNotes: medicalNotes.trim() === '' ? null : medicalNotes.trim(),
      livesAlone,
    })
      .then((response) => {
        onAdded(response.resident);
        setOpen(false);
        setName('');
        setBirthYear('');
        setMedicalNotes('');
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSaving(false));
  };
  return (
    <section aria-labelledby="setup-residents-title">
      <Title order={3} size="h4" id="setup-residents-title">
        {t('installer.residents')}
      </Title>
      <Stack gap={4} my="xs">
        {residents.map((r) => (
          <Text key={r.id} data-testid="installer-resident">
            {r.name}
            {r.birthYear !== null ? ` (${r.birthYear})` : ''}
          </Text>
        ))}
      </Stack>
      {!open ? (
        <Button variant="default" onClick={() => setOpen(true)} data-testid="resident-add-open">
          {t('installer.addResident')}
        </Button>
      ) : (
        <Card
          withBorder
          padding="sm"
          component="form"
          onSubmit={submit}
          data-testid="resident-form"
        >
          <Stack gap="xs">
            <TextInput
              label={t('installer.residentName')}
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              required
              data-testid="resident-name-input"
            />
            <NumberInput
              label={t('installer.birthYear')}
              value={birthYear}
              onChange={setBirthYear}
              min={1900}
              max={2100}
              data-testid="resident-birth-input"
            />
            <TextInput
              label={t('installer.languages')}
              description={t('installer.languagesHint')}
              value={languages}
              onChange={(e) => setLanguages(e.currentTarget.value)}
              data-testid="resident-languages-input"
            />
            <Textarea
              label={t('installer.medicalNotes')}
              value={medicalNotes}
              onChange={(e) => setMedicalNotes(e.currentTarget.value)}
              autosize
              minRows={2}
              data-testid="resident-medical-input"
            />
            <Switch
              label={t('installer.livesAlone')}
              checked={livesAlone}
              onChange={(e) => setLivesAlone(e.currentTarget.checked)}
            />
            {error !== null && (
              <Alert color="red" variant="light" role="alert">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={saving} data-testid="resident-submit">
              {t('installer.addResident')}
            </Button>
          </Stack>
        </Card>
      )}
    </section>
  );
}

function GatewaySection({
  home,
  gateways,
  onClaimed,
}: {
  home: HomeDto;
  gateways: readonly GatewayDto[];
  onClaimed: () => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [gatewayId, setGatewayId] = useState('');
  const [code, setCode] = useState('');
  const [result, setResult] = useState<ClaimGatewayResponse | null>(null);
  const [open, setOpen] = useState(gateways.length === 0);
  const resultRef = useRef<HTMLDivElement>(null);
  // On a phone the result is below the fold: bring it into view and to the screen reader.
  useEffect(() => {
    if (result !== null) resultRef.current?.scrollIntoView({ block: 'start' });
  }, [result]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    claimGateway({ gatewayId: gatewayId.trim(), claimCode: code.trim(), homeId: home.id })
      .then((response) => setResult(response))
      .catch((e: unknown) =>
        setError(
          e instanceof ApiRequestError &&
            (e.status === 404 || e.status === 409 || e.status === 401 || e.status === 403)
            ? t('installer.claimRefused', { message: describeError(e, t) })
            : describeError(e, t),
        ),
      )
      .finally(() => setSaving(false));
  };
  return (
    <section aria-labelledby="setup-gateway-title">
      <Title order={3} size="h4" id="setup-gateway-title">
        {t('installer.gateway')}
      </Title>
      {gateways.map((g) => {
        const state = g.online ? 'online' : 'offline';
        return (
          <Group key={g.id} gap="xs" my={4} data-testid="claimed-gateway" data-gateway-id={g.id}>
            <Text className="mono" fw={700}>
              {g.id}
            </Text>
            <span
              className="chip"
              style={{ color: ONLINE_COLOURS[state].fg, background: ONLINE_COLOURS[state].bg }}
            >
              {g.online ? t('installer.online') : t('installer.offline')}
            </span>
            <Text size="xs">
              {g.lastSeenAt !== null
                ? t('installer.lastSeen', { time: formatDateTime(g.lastSeenAt) })
                : t('device.never')}
            </Text>
          </Group>
        );
      })}
      {result !== null ? (
        <Card
          withBorder
          padding="md"
          className="claim-result"
          data-testid="claim-result"
          role="status"
        >
          <Group gap="xs">
            <IconCircleCheck size={24} aria-hidden />
            <Title order={4} size="h4">
              {t('installer.claimed', { id: result.gateway.id })}
            </Title>
          </Group>
          <div
            className="banner"
            style={{ color: WARNING_COLOURS.fg, background: WARNING_COLOURS.bg }}
            data-testid="claim-once-warning"
          >
            {t('installer.claimOnce')}
          </div>
          <dl className="claim-credentials">
            <dt>{t('installer.mqttUrl')}</dt>
            <dd>
              <Code data-testid="claim-mqtt-url">{result.credentials.mqttUrl}</Code>
            </dd>
            <dt>{t('installer.mqttUser')}</dt>
            <dd>
              <Code data-testid="claim-username">{result.credentials.username}</Code>
            </dd>
            <dt>{t('installer.mqttPassword')}</dt>
            <dd>
              <Code className="secret" data-testid="claim-password">
                {result.credentials.password}
              </Code>
            </dd>
            <dt>{t('installer.configVersion')}</dt>
            <dd>{result.config.configVersion}</dd>
          </dl>
          <Button
            mt="sm"
            onClick={() => {
              setResult(null);
              setOpen(false);
              setGatewayId('');
              setCode('');
              onClaimed();
            }}
            data-testid="claim-done"
          >
            {t('installer.claimDone')}
          </Button>
        </Card>
      ) : !open ? (
        <Button variant="default" onClick={() => setOpen(true)} data-testid="claim-open">
          {t('installer.claimAnotherButton')}
        </Button>
      ) : (
        <Card withBorder padding="sm" component="form" onSubmit={submit} data-testid="claim-form">
          <Text size="sm" mb="xs">
            {gateways.length === 0 ? t('installer.claimHint') : t('installer.claimAnother')}
          </Text>
          <Stack gap="xs">
            <TextInput
              label={t('installer.gatewayId')}
              value={gatewayId}
              onChange={(e) => setGatewayId(e.currentTarget.value)}
              required
              autoCapitalize="off"
              autoComplete="off"
              spellCheck={false}
              data-testid="claim-gateway-id"
            />
            <TextInput
              label={t('installer.claimCode')}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              required
              autoCapitalize="characters"
              autoComplete="off"
              spellCheck={false}
              data-testid="claim-code"
            />
            {error !== null && (
              <Alert color="red" variant="light" role="alert" data-testid="claim-error">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={saving} size="md" data-testid="claim-submit">
              {t('installer.claim')}
            </Button>
          </Stack>
        </Card>
      )}
    </section>
  );
}

/** Drivers an installer picks from (devices/src/registry.ts) and how each one names a device. */
const DRIVER_CHOICES: readonly {
  driver: string;
  via: 'zigbee' | 'serial';
  kinds: readonly DeviceKind[];
}[] = [
  {
    driver: 'zigbee2mqtt',
    via: 'zigbee',
    kinds: ['sos_button', 'smoke', 'gas', 'water_leak', 'door', 'motion', 'bed', 'other'],
  },
  { driver: 'dlt645', via: 'serial', kinds: ['electricity_meter'] },
  { driver: 'modbus-sdm', via: 'serial', kinds: ['electricity_meter'] },
  { driver: 'cjt188', via: 'serial', kinds: ['water_meter'] },
  { driver: 'mr60fda1', via: 'serial', kinds: ['fall_radar'] },
  { driver: 'mr60fda2', via: 'serial', kinds: ['fall_radar'] },
];

function DevicesSection({
  gateways,
  devices,
  telemetry,
  onAdded,
}: {
  gateways: readonly GatewayDto[];
  devices: readonly DeviceDto[];
  telemetry: TelemetryQueryResponse | null;
  onAdded: () => void;
}) {
  const { t, formatTime } = useI18n();
  const readings = useMemo(() => latestReadings(telemetry?.series ?? []), [telemetry]);
  const [via, setVia] = useState<'zigbee' | 'serial'>('zigbee');
  const [gatewayId, setGatewayId] = useState<string | null>(gateways[0]?.id ?? null);
  const [kind, setKind] = useState<DeviceKind | null>(null);
  const [driver, setDriver] = useState<string | null>('zigbee2mqtt');
  const [deviceId, setDeviceId] = useState('');
  const [address, setAddress] = useState('');
  const [port, setPort] = useState('');
  const [room, setRoom] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const drivers = DRIVER_CHOICES.filter(
    (d) => d.via === via && (kind === null || d.kinds.includes(kind)),
  );
  const chooseVia = useCallback((value: string) => {
    const next = value === 'serial' ? 'serial' : 'zigbee';
    setVia(next);
    setDriver(next === 'zigbee' ? 'zigbee2mqtt' : null);
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (gatewayId === null || kind === null || driver === null) {
      setError(t('installer.deviceMissing'));
      return;
    }
    setSaving(true);
    setError(null);
    const name = deviceId.trim();
    createDevice(gatewayId, {
      id: name,
      driver,
      kind,
      room: room.trim() === '' ? null : room.trim(),
      ...(via === 'serial' && port.trim() !== '' ? { port: port.trim() } : {}),
      options:
        via === 'zigbee'
          ? { friendlyName: name }
          : address.trim() !== ''
            ? { address: address.trim() }
            : {},
    })
      .then(() => {
        setDeviceId('');
        setAddress('');
        onAdded();
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSaving(false));
  };

  return (
    <section aria-labelledby="setup-devices-title">
      <Title order={3} size="h4" id="setup-devices-title">
        {t('installer.devices')}
      </Title>
      <Stack gap="xs" my="xs" data-testid="installer-devices">
        {devices.length === 0 && <Text>{t('card.noDevices')}</Text>}
        {devices.map((device) => {
          const values = readings.get(deviceKey(device)) ?? [];
          return (
            <Card
              key={deviceKey(device)}
              withBorder
              padding="xs"
              data-testid="installer-device"
              data-device-id={device.id}
            >
              <Group justify="space-between" gap="xs">
                <Text fw={700} className="mono">
                  {device.id}
                </Text>
                <Text size="sm">
                  {device.kind !== null ? t(deviceKindKey(device.kind)) : t('device.kindUnknown')}
                  {device.room !== null ? ` · ${device.room}` : ''}
                </Text>
              </Group>
              <Text size="sm" data-testid="device-readings" aria-live="polite">
                {values.length === 0
                  ? t('installer.noReadings')
                  : values
                      .map(
                        (r) =>
                          `${r.field} ${r.value}${r.unit !== null && r.unit !== 'bool' ? ` ${r.unit}` : ''}`,
                      )
                      .join(' · ')}
              </Text>
              {values[0] !== undefined && (
                <Text size="xs" c="dimmed">
                  {t('installer.readingAt', { time: formatTime(new Date(values[0].at)) })}
                </Text>
              )}
            </Card>
          );
        })}
      </Stack>
      <Card withBorder padding="sm" component="form" onSubmit={submit} data-testid="device-form">
        <Title order={4} size="h5" mb="xs">
          {t('installer.addDevice')}
        </Title>
        <Stack gap="xs">
          <SegmentedControl
            value={via}
            onChange={chooseVia}
            data={[
              { value: 'zigbee', label: t('installer.viaZigbee') },
              { value: 'serial', label: t('installer.viaSerial') },
            ]}
            aria-label={t('installer.via')}
            data-testid="device-via"
          />
          {gateways.length > 1 && (
            <Select
              label={t('installer.gateway')}
              data={gateways.map((g) => g.id)}
              value={gatewayId}
              onChange={setGatewayId}
            />
          )}
          <Select
            label={t('installer.deviceKind')}
            data={DEVICE_KINDS.map((k) => ({ value: k, label: t(deviceKindKey(k)) }))}
            value={kind}
            onChange={(value) => setKind(isDeviceKind(value) ? value : null)}
            required
            data-testid="device-kind"
          />
          {via === 'serial' && (
            <Select
              label={t('installer.driver')}
              data={drivers.map((d) => d.driver)}
              value={driver}
              onChange={setDriver}
              required
              data-testid="device-driver"
            />
          )}
          <TextInput
            label={via === 'zigbee' ? t('installer.zigbeeName') : t('installer.deviceId')}
            description={
              via === 'zigbee' ? t('installer.zigbeeNameHint') : t('installer.deviceIdHint')
            }
            value={deviceId}
            onChange={(e) => setDeviceId(e.currentTarget.value)}
            required
            autoCapitalize="off"
            spellCheck={false}
            data-testid="device-id-input"
          />
          {via === 'serial' && (
            <>
              <TextInput
                label={t('installer.serialAddress')}
                description={t('installer.serialAddressHint')}
                value={address}
                onChange={(e) => setAddress(e.currentTarget.value)}
                inputMode="numeric"
                data-testid="device-address"
              />
              <TextInput
                label={t('installer.port')}
                description={t('installer.portHint')}
                value={port}
                onChange={(e) => setPort(e.currentTarget.value)}
                data-testid="device-port"
              />
            </>
          )}
          <TextInput
            label={t('installer.deviceRoom')}
            value={room}
            onChange={(e) => setRoom(e.currentTarget.value)}
            data-testid="device-room"
          />
          {error !== null && (
            <Alert color="red" variant="light" role="alert" data-testid="device-error">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={saving} data-testid="device-submit">
            {t('installer.addDevice')}
          </Button>
        </Stack>
      </Card>
    </section>
  );
}

function GuidedTest({
  home,
  devices,
  run,
  session,
  onRun,
  onHome,
}: {
  home: HomeDto;
  devices: readonly DeviceDto[];
  run: TestRun | null;
  session: SessionResponse;
  onRun: (run: TestRun | null) => void;
  onHome: (home: HomeDto) => void;
}) {
  const { t, formatTime } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const passedCount =
    run === null ? 0 : devices.filter((d) => run.passed[deviceKey(d)] !== undefined).length;
  const allPassed = run !== null && passedCount === devices.length;

  const start = () => {
    setError(null);
    const begin = () =>
      onRun({
        startedAt: Date.now(),
        startedBy: session.user.displayName,
        passed: {},
        finishedAt: null,
        finishedBy: null,
      });
    if (home.testMode) begin();
    else
      setTestMode(home.id, { enabled: true, reason: 'commissioning test' })
        .then((response) => {
          onHome(response.home);
          begin();
        })
        .catch((e: unknown) => setError(describeError(e, t)));
  };
  const finish = () => {
    if (run === null) return;
    setError(null);
    setTestMode(home.id, { enabled: false, reason: 'commissioning finished' })
      .then((response) => {
        onHome(response.home);
        onRun({ ...run, finishedAt: Date.now(), finishedBy: session.user.displayName });
      })
      .catch((e: unknown) => setError(describeError(e, t)));
  };

  return (
    <section aria-labelledby="setup-test-title" data-testid="guided-test">
      <Title order={3} size="h4" id="setup-test-title">
        {t('test.title')}
      </Title>
      {run === null || run.finishedAt !== null ? (
        <Stack gap="xs" mt="xs">
          <Text size="sm">{t('test.intro')}</Text>
          <Group>
            <Button size="md" onClick={start} data-testid="start-test">
              {run === null ? t('test.start') : t('test.again')}
            </Button>
            {run !== null && (
              <Anchor
                {...link(`/installer/homes/${encodeURIComponent(home.id)}/record`)}
                data-testid="record-link"
              >
                <IconPrinter size={16} aria-hidden /> {t('test.record')}
              </Anchor>
            )}
          </Group>
        </Stack>
      ) : (
        <Stack gap="xs" mt="xs">
          <Text size="sm" role="status" data-testid="test-progress">
            {t('test.progress', { passed: passedCount, total: devices.length })}
          </Text>
          <ol className="test-steps">
            {devices.map((device) => {
              const passed = run.passed[deviceKey(device)];
              const colours = STEP_COLOURS[passed ? 'passed' : 'waiting'];
              return (
                <li
                  key={deviceKey(device)}
                  data-testid="test-step"
                  data-device-id={device.id}
                  data-state={passed ? 'passed' : 'waiting'}
                  className="test-step"
                >
                  <Group gap="xs" wrap="nowrap" align="flex-start">
                    <span className="chip" style={{ color: colours.fg, background: colours.bg }}>
                      {passed ? (
                        <IconCircleCheck size={18} aria-hidden />
                      ) : (
                        <IconClockHour4 size={18} aria-hidden />
                      )}
                      {passed ? t('test.passed') : t('test.waiting')}
                    </span>
                    <div>
                      <Text fw={700}>
                        {t(STEP_INSTRUCTIONS[device.kind ?? 'other'], {
                          device: device.id,
                          room: device.room ?? '—',
                        })}
                      </Text>
                      {passed && (
                        <Text size="xs" data-testid="test-step-evidence">
                          {t('test.passedAt', {
                            time: formatTime(new Date(passed.at)),
                            evidence: passed.evidence,
                          })}
                        </Text>
                      )}
                    </div>
                  </Group>
                </li>
              );
            })}
          </ol>
          <Group>
            <Button
              size="md"
              className="wrap-button"
              color={allPassed ? 'green.9' : 'blue'}
              onClick={finish}
              data-testid="finish-test"
            >
              {allPassed ? t('test.finish') : t('test.finishIncomplete')}
            </Button>
            <Button variant="default" onClick={() => onRun(null)} data-testid="cancel-test">
              {t('test.cancel')}
            </Button>
          </Group>
        </Stack>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs">
          {error}
        </Alert>
      )}
    </section>
  );
}
