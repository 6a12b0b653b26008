/** The residents of a home, and the form to add one (collapsed once there is one). */
import { type ResidentDto } from '@anxin/protocol';
import {
  Alert,
  Button,
  Card,
  NumberInput,
  Stack,
  Switch,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { createResident } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';

export function ResidentsSection({
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
