/** Devices by Zigbee name or serial address into rooms, with their live readings. */
import type {
  DeviceDto,
  DeviceKind,
  GatewayDto,
  ResidentDto,
  TelemetryQueryResponse,
} from '@anxin/protocol';
import {
  Alert,
  Button,
  Card,
  Group,
  SegmentedControl,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { createDevice } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { LabelledSegments } from '../app/LabelledSegments';
import { DEVICE_KIND_LIST, deviceKindKey, isDeviceKind } from '../care/labels';
import { DeviceResidentSelect } from './DeviceResidentSelect';
import { deviceOptions } from './deviceOptions';
import { deviceKey } from './guidedTest';
import { latestReadings, type Reading } from './readings';

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

export function DevicesSection({
  gateways,
  devices,
  telemetry,
  pushed,
  onAdded,
  residents,
  deviceResidents,
  onResidentChanged,
}: {
  gateways: readonly GatewayDto[];
  devices: readonly DeviceDto[];
  telemetry: TelemetryQueryResponse | null;
  /** Readings pushed as read_device answers, keyed like `deviceKey`; shown when newer. */
  pushed: ReadonlyMap<string, Reading[]>;
  onAdded: () => void;
  residents: readonly ResidentDto[];
  /** `deviceKey` → the resident the device belongs to (shared homes). */
  deviceResidents: ReadonlyMap<string, string | null>;
  onResidentChanged: (key: string, residentId: string | null) => void;
}) {
  const { t, formatTime } = useI18n();
  const readings = useMemo(() => latestReadings(telemetry?.series ?? []), [telemetry]);
  const [via, setVia] = useState<'zigbee' | 'serial'>('zigbee');
  const [gatewayId, setGatewayId] = useState<string | null>(gateways[0]?.id ?? null);
  const [kind, setKind] = useState<DeviceKind | null>(null);
  const [driver, setDriver] = useState<string | null>('zigbee2mqtt');
  const [deviceId, setDeviceId] = useState('');
  const [address, setAddress] = useState('');
  /** DL/T 645 meters: what the district bought (three-phase meters are read by block). */
  const [phases, setPhases] = useState<'1' | '3'>('1');
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
      options: deviceOptions({ via, driver, name, address, phases }),
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
          const polled = readings.get(deviceKey(device)) ?? [];
          const live = pushed.get(deviceKey(device));
          const values =
            live !== undefined && (live[0]?.at ?? 0) > (polled[0]?.at ?? -1) ? live : polled;
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
              {residents.length > 1 && (
                <DeviceResidentSelect
                  gatewayId={device.gatewayId}
                  deviceId={device.id}
                  residents={residents}
                  residentId={deviceResidents.get(deviceKey(device)) ?? null}
                  onChanged={(r) => onResidentChanged(deviceKey(device), r)}
                />
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
            data={DEVICE_KIND_LIST.map((k) => ({ value: k, label: t(deviceKindKey(k)) }))}
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
              {driver === 'dlt645' && (
                <LabelledSegments
                  id="meter-phases-label"
                  label={t('installer.meterPhases')}
                  value={phases}
                  choices={[
                    { value: '1', label: t('installer.singlePhase') },
                    { value: '3', label: t('installer.threePhase') },
                  ]}
                  onChange={setPhases}
                  testId="meter-phases"
                />
              )}
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
