/**
 * Shared homes: which resident a device belongs to (a bed mat, a pendant), so its alarms name
 * that resident on the console. "Whole home" keeps the home-level rule.
 */
import type { ResidentDto } from '@anxin/protocol';
import { Select, Text } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { setDeviceResident } from '../api/careData';
import { useI18n } from '../i18n/I18nProvider';

const WHOLE_HOME = '';

export function DeviceResidentSelect({
  gatewayId,
  deviceId,
  residents,
  residentId,
  onChanged,
}: {
  gatewayId: string;
  deviceId: string;
  residents: readonly ResidentDto[];
  residentId: string | null;
  onChanged: (residentId: string | null) => void;
}) {
  const { t } = useI18n();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = (value: string | null) => {
    const next = value === null || value === WHOLE_HOME ? null : value;
    if (next === residentId) return;
    setSaving(true);
    setError(null);
    setDeviceResident(gatewayId, deviceId, next)
      .then((r) => onChanged(r.device.residentId))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSaving(false));
  };
  return (
    <>
      <Select
        size="xs"
        label={t('installer.deviceResident')}
        description={t('installer.deviceResidentHint')}
        data={[
          { value: WHOLE_HOME, label: t('installer.deviceWholeHome') },
          ...residents.map((r) => ({ value: r.id, label: r.name })),
        ]}
        value={residentId ?? WHOLE_HOME}
        onChange={choose}
        disabled={saving}
        allowDeselect={false}
        data-testid="device-resident"
      />
      {error !== null && (
        <Text size="xs" c="red" role="alert" data-testid="device-resident-error">
          {error}
        </Text>
      )}
    </>
  );
}
