/**
 * One help button's service action: which of its Zigbee2MQTT actions (e.g. `double`) open a
 * service request of which category instead of an SOS, saved with PUT and removed with DELETE
 * .../service-button. The actions field takes typed names (Enter adds one) and suggests the
 * usual ones.
 */
import {
  SERVICE_CATEGORIES,
  type DeviceDto,
  type ServiceButtonDto,
  type ServiceCategory,
} from '@anxin/protocol';
import { Button, Card, Group, Select, Stack, TagsInput, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { removeServiceButton, setServiceButton } from '../api/welfarePlans';
import { useI18n } from '../i18n/I18nProvider';

/** Actions Zigbee2MQTT reports for common help buttons (Aqara, IKEA, Tuya). */
const SUGGESTED_ACTIONS = ['single', 'double', 'triple', 'hold', 'long', 'release'];

export function ServiceButtonRow({
  device,
  button,
  onChanged,
}: {
  device: DeviceDto;
  button: ServiceButtonDto | null;
  onChanged: (button: ServiceButtonDto | null, message: string) => void;
}) {
  const { t } = useI18n();
  const [actions, setActions] = useState<string[]>(button?.actions ?? []);
  const [category, setCategory] = useState<ServiceCategory>(button?.category ?? 'other');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    work()
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusy(false));
  };
  const save = () => {
    if (actions.length === 0) {
      setError(t('buttons.missing'));
      return;
    }
    run(async () => {
      const r = await setServiceButton(device.gatewayId, device.id, { actions, category });
      onChanged(r.serviceButton, t('buttons.saved', { device: device.id }));
    });
  };
  const remove = () =>
    run(async () => {
      await removeServiceButton(device.gatewayId, device.id);
      setActions([]);
      onChanged(null, t('buttons.removed', { device: device.id }));
    });

  return (
    <Card withBorder padding="xs" data-testid="service-button" data-device-id={device.id}>
      <Stack gap={6}>
        <Group justify="space-between" gap="xs">
          <Text fw={700} className="mono">
            {device.id}
            {device.room !== null ? ` · ${device.room}` : ''}
          </Text>
          <Text size="sm" data-testid="service-button-state" data-configured={button !== null}>
            {button === null
              ? t('buttons.alarmOnly')
              : t('buttons.current', {
                  actions: button.actions.join(', '),
                  category: t(`sr.category.${button.category}`),
                })}
          </Text>
        </Group>
        <TagsInput
          size="xs"
          label={t('buttons.actions')}
          description={t('buttons.actionsHint')}
          data={SUGGESTED_ACTIONS}
          value={actions}
          onChange={setActions}
          maxTags={8}
          splitChars={[',', ' ']}
          data-testid="service-button-actions"
        />
        <Select
          size="xs"
          label={t('buttons.category')}
          data={SERVICE_CATEGORIES.map((c) => ({ value: c, label: t(`sr.category.${c}`) }))}
          value={category}
          onChange={(v) => setCategory(SERVICE_CATEGORIES.find((c) => c === v) ?? category)}
          allowDeselect={false}
          data-testid="service-button-category"
        />
        {error !== null && (
          <Text size="sm" c="red" role="alert" data-testid="service-button-error">
            {error}
          </Text>
        )}
        <Group gap="xs">
          <Button size="xs" loading={busy} onClick={save} data-testid="service-button-save">
            {t('buttons.save')}
          </Button>
          {button !== null && (
            <Button
              size="xs"
              variant="default"
              color="red"
              loading={busy}
              onClick={remove}
              data-testid="service-button-remove"
            >
              {t('buttons.remove')}
            </Button>
          )}
        </Group>
      </Stack>
    </Card>
  );
}
