/** A family member's own phone and availability, as a contact of their relative's home (issue 6). */
import type { ContactDto } from '@anxin/protocol';
import { Alert, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { updateContact } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';

export function OwnContactForm({
  homeId,
  contact,
  onSaved,
}: {
  homeId: string;
  contact: ContactDto;
  onSaved: (contact: ContactDto) => void;
}) {
  const { t } = useI18n();
  const [phone, setPhone] = useState(contact.phone);
  const [availability, setAvailability] = useState(contact.availability ?? '');
  const [state, setState] = useState<
    { kind: 'idle' | 'saving' | 'saved' } | { kind: 'error'; message: string }
  >({
    kind: 'idle',
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setState({ kind: 'saving' });
    updateContact(homeId, contact.id, {
      phone: phone.trim(),
      availability: availability.trim() === '' ? null : availability.trim(),
    })
      .then((response) => {
        onSaved(response.contact);
        setState({ kind: 'saved' });
      })
      .catch((e: unknown) => setState({ kind: 'error', message: describeError(e, t) }));
  };
  return (
    <Card
      withBorder
      padding="sm"
      mt="sm"
      component="form"
      onSubmit={submit}
      data-testid="own-contact-form"
    >
      <Title order={3} size="h5">
        {t('family.ownDetails')}
      </Title>
      <Stack gap="xs" mt="xs">
        <TextInput
          label={t('family.phone')}
          value={phone}
          onChange={(e) => setPhone(e.currentTarget.value)}
          required
          type="tel"
          autoComplete="tel"
          data-testid="own-phone"
        />
        <TextInput
          label={t('family.availability')}
          description={t('family.availabilityHint')}
          value={availability}
          onChange={(e) => setAvailability(e.currentTarget.value)}
          data-testid="own-availability"
        />
        <Group>
          <Button type="submit" loading={state.kind === 'saving'} data-testid="own-contact-save">
            {t('family.save')}
          </Button>
          {state.kind === 'saved' && (
            <Text role="status" size="sm" fw={700} data-testid="own-contact-saved">
              {t('family.saved')}
            </Text>
          )}
        </Group>
        {state.kind === 'error' && (
          <Alert color="red" variant="light" role="alert">
            {state.message}
          </Alert>
        )}
      </Stack>
    </Card>
  );
}
