/**
 * One gateway's control plane for the installer (issue 10): which configuration version it runs
 * (or waits to apply, or refused and why), and commands with their live results — ping, restart
 * drivers, read a device now, self-test start/stop, the gateway's test flag, sync time, diagnostics.
 */
import type { DeviceDto, GatewayCommandDto, SendCommandRequest } from '@anxin/protocol';
import { Alert, Button, Card, Group, NativeSelect, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { describeError } from '../api/describeError';
import { sendGatewayCommand } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import type { MessageKey } from '../i18n';
import { ONLINE_COLOURS, WARNING_COLOURS } from '../care/palette';
import { controlText } from './controlText';
import { GatewayTestFlag } from './GatewayTestFlag';
import { readingFromCommand, resultRows } from './commandResult';
import type { Reading } from './readings';
import { useGatewayControl } from './useGatewayControl';

type GatewayWide = 'ping' | 'restart_drivers' | 'sync_time' | 'diagnostics';
type PerDevice = 'read_device' | 'self_test_start' | 'self_test_stop';
const GATEWAY_WIDE: readonly GatewayWide[] = [
  'ping',
  'restart_drivers',
  'sync_time',
  'diagnostics',
];
const PER_DEVICE: readonly PerDevice[] = ['read_device', 'self_test_start', 'self_test_stop'];

const STATUS_COLOURS = {
  pending: WARNING_COLOURS,
  succeeded: ONLINE_COLOURS.online,
  failed: ONLINE_COLOURS.offline,
  timed_out: ONLINE_COLOURS.offline,
} as const;

function commandLabel(name: string): MessageKey | null {
  const known: readonly string[] = [...GATEWAY_WIDE, ...PER_DEVICE, 'set_test_mode'];
  return known.includes(name) ? (`installer.cmd.${name}` as MessageKey) : null;
}

export function GatewayControlPanel({
  gatewayId,
  devices,
  onReading,
}: {
  gatewayId: string;
  devices: readonly DeviceDto[];
  /** A read_device answer, pushed: the device list shows it as the device's live reading. */
  onReading: (key: string, readings: Reading[]) => void;
}) {
  const { t, formatTime } = useI18n();
  const { control, commands, addCommand } = useGatewayControl(gatewayId);
  const [deviceId, setDeviceId] = useState<string>('');
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState<string | null>(null);
  const own = devices.filter((d) => d.gatewayId === gatewayId);
  const selected = own.some((d) => d.id === deviceId) ? deviceId : (own[0]?.id ?? '');
  useEffect(() => {
    for (const c of commands) {
      const read = readingFromCommand(c);
      if (read !== null) onReading(read.key, read.readings);
    }
  }, [commands, onReading]);
  /** `control` tells apart the controls sending the same command (the test flag's on and off). */
  const send = (request: SendCommandRequest, control: string = request.name) => {
    setSending(control);
    setError(null);
    sendGatewayCommand(gatewayId, request)
      .then((r) => addCommand(r.command))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSending(null));
  };
  const text = control !== null ? controlText(control) : null;
  return (
    <Card withBorder padding="sm" my="xs" data-testid="gateway-control" data-gateway-id={gatewayId}>
      <Text
        size="sm"
        fw={700}
        role="status"
        data-testid="config-state"
        data-state={control?.state ?? 'unknown'}
        data-applied={control?.appliedVersion ?? ''}
      >
        {text !== null ? t(text.key, text.params) : t('installer.control.unknown')}
      </Text>
      <Text size="sm" fw={700} mt="xs">
        {t('installer.commands')}
      </Text>
      <Group gap="xs" mt={4}>
        {GATEWAY_WIDE.map((name) => (
          <Button
            key={name}
            size="xs"
            variant="default"
            loading={sending === name}
            onClick={() => send({ name })}
            data-testid={`cmd-${name}`}
          >
            {t(`installer.cmd.${name}`)}
          </Button>
        ))}
      </Group>
      <GatewayTestFlag testMode={control?.gatewayTestMode ?? null} sending={sending} send={send} />
      {own.length > 0 && (
        <Group gap="xs" mt="xs" align="flex-end">
          <NativeSelect
            size="xs"
            label={t('installer.cmd.device')}
            value={selected}
            onChange={(e) => setDeviceId(e.currentTarget.value)}
            data={own.map((d) => d.id)}
            data-testid="cmd-device"
          />
          {PER_DEVICE.map((name) => (
            <Button
              key={name}
              size="xs"
              variant="default"
              loading={sending === name}
              disabled={selected === ''}
              onClick={() => send({ name, args: { device_id: selected } })}
              data-testid={`cmd-${name}`}
            >
              {t(`installer.cmd.${name}`)}
            </Button>
          ))}
        </Group>
      )}
      {error !== null && (
        <Alert color="red" variant="light" role="alert" mt="xs" data-testid="cmd-error">
          {error}
        </Alert>
      )}
      <Stack gap={4} mt="xs" aria-live="polite" data-testid="cmd-list">
        {commands.map((c) => (
          <CommandRow key={c.id} command={c} formatTime={formatTime} />
        ))}
      </Stack>
    </Card>
  );
}

function CommandRow({
  command: c,
  formatTime,
}: {
  command: GatewayCommandDto;
  formatTime: (value: string | Date) => string;
}) {
  const { t } = useI18n();
  const label = commandLabel(c.name);
  const colours = STATUS_COLOURS[c.status];
  const rows = resultRows(c.data);
  return (
    <div data-testid="cmd-row" data-command-id={c.id} data-name={c.name} data-status={c.status}>
      <Group gap="xs">
        <Text size="sm" fw={700}>
          {label !== null ? t(label) : c.name}
          {typeof c.args.device_id === 'string' ? ` · ${c.args.device_id}` : ''}
          {typeof c.args.enabled === 'boolean'
            ? ` · ${t(c.args.enabled ? 'installer.cmd.set_test_mode.on' : 'installer.cmd.set_test_mode.off')}`
            : ''}
        </Text>
        <span className="chip" style={{ color: colours.fg, background: colours.bg }}>
          {t(`installer.cmd.status.${c.status}`)}
        </span>
        <Text size="xs" className="mono" c="dimmed">
          {c.id} · {formatTime(c.requestedAt)}
        </Text>
      </Group>
      {c.message !== null && (
        <Text size="xs" data-testid="cmd-message">
          {c.code !== null ? `${c.code}: ` : ''}
          {c.message}
        </Text>
      )}
      {rows.length > 0 && (
        <Table withTableBorder striped fz="xs" data-testid="cmd-result">
          <Table.Tbody>
            {rows.map(([key, value]) => (
              <Table.Tr key={key}>
                <Table.Th scope="row">{key}</Table.Th>
                <Table.Td className="mono">{value}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </div>
  );
}
