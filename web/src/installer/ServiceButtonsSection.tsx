/**
 * Service buttons of a home: for each Zigbee help button on its gateways, whether a press with a
 * given action (a second action such as a double press) opens a service request instead of an
 * SOS. Nothing is configured by default: every press is an SOS until the installer says so.
 */
import type { DeviceDto, GatewayDto, ServiceButtonDto } from '@anxin/protocol';
import { Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { listServiceButtons } from '../api/welfarePlans';
import { Failed, Loading } from '../app/Status';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { deviceKey } from './guidedTest';
import { ServiceButtonRow } from './ServiceButtonRow';

/** Help buttons whose presses carry a Zigbee2MQTT action the hub can tell apart. */
export const isActionButton = (d: DeviceDto): boolean =>
  d.kind === 'sos_button' && d.driver === 'zigbee2mqtt';

async function loadButtons(
  gatewayIds: readonly string[],
  signal: AbortSignal,
): Promise<Map<string, ServiceButtonDto>> {
  const lists = await Promise.all(gatewayIds.map((id) => listServiceButtons(id, signal)));
  return new Map(
    lists.flatMap((l) =>
      l.serviceButtons.map((b) => [deviceKey({ gatewayId: b.gatewayId, id: b.deviceId }), b]),
    ),
  );
}

export function ServiceButtonsSection({
  gateways,
  devices,
}: {
  gateways: readonly GatewayDto[];
  devices: readonly DeviceDto[];
}) {
  const { t } = useI18n();
  const buttons = devices.filter(isActionButton);
  const gatewayIds = [...new Set(buttons.map((d) => d.gatewayId))].filter((id) =>
    gateways.some((g) => g.id === id),
  );
  const { load, set } = useLoad(
    (signal) => loadButtons(gatewayIds, signal),
    [gatewayIds.join('\n')],
  );
  const [message, setMessage] = useState('');

  return (
    <section aria-labelledby="setup-buttons-title" data-testid="service-buttons">
      <Title order={3} size="h4" id="setup-buttons-title">
        {t('buttons.title')}
      </Title>
      <Text size="sm" my="xs">
        {t('buttons.intro')}
      </Text>
      {buttons.length === 0 && <Text>{t('buttons.none')}</Text>}
      {buttons.length > 0 && load.kind === 'loading' && <Loading />}
      {load.kind === 'failed' && <Failed error={load.error} />}
      {load.kind === 'loaded' && (
        <Stack gap="xs">
          {buttons.map((device) => {
            const key = deviceKey(device);
            return (
              <ServiceButtonRow
                key={key}
                device={device}
                button={load.data.get(key) ?? null}
                onChanged={(button, text) => {
                  const next = new Map(load.data);
                  if (button === null) next.delete(key);
                  else next.set(key, button);
                  set(next);
                  setMessage(text);
                }}
              />
            );
          })}
        </Stack>
      )}
      <Text size="sm" role="status" aria-live="polite" data-testid="service-buttons-message">
        {message}
      </Text>
    </section>
  );
}
