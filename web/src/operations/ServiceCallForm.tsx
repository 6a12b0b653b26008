/**
 * Taking a service call, keyboard first: the home field has the focus (ResidentPicker: type part
 * of the address or a name, arrows, Enter; a home's only resident is chosen at once), Tab through
 * category, urgency, what is needed and when; Ctrl+Enter records it from anywhere in the form.
 */
import {
  SERVICE_CATEGORIES,
  SERVICE_URGENCIES,
  type ServiceCategory,
  type ServiceRequestDto,
  type ServiceUrgency,
} from '@anxin/protocol';
import { Alert, Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { submitKeys } from '../app/formKeys';
import { createServiceRequest } from '../api/operations';
import { useI18n } from '../i18n/I18nProvider';
import { ResidentPicker } from './ResidentPicker';

export interface ServiceCallFormProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (request: ServiceRequestDto) => void;
}

export function ServiceCallForm({ opened, onClose, onCreated }: ServiceCallFormProps) {
  const { t } = useI18n();
  const [residentId, setResidentId] = useState<string | null>(null);
  const [category, setCategory] = useState<ServiceCategory>('meal_delivery');
  const [urgency, setUrgency] = useState<ServiceUrgency>('normal');
  const [description, setDescription] = useState('');
  const [requestedFor, setRequestedFor] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const submit = () => {
    if (submitting) return;
    if (residentId === null || description.trim() === '') {
      setError(t('sr.form.missing'));
      return;
    }
    setSubmitting(true);
    setError(null);
    createServiceRequest({
      residentId,
      category,
      urgency,
      description: description.trim(),
      ...(requestedFor ? { requestedFor: new Date(requestedFor).toISOString() } : {}),
    })
      .then((r) => {
        onCreated(r.serviceRequest);
        setDescription('');
        setRequestedFor('');
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSubmitting(false));
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('sr.form.title')} size="lg">
      <form data-testid="service-call-form" {...submitKeys(submit)}>
        <Stack gap="sm">
          <ResidentPicker
            homeLabel={t('sr.form.home')}
            residentLabel={t('sr.form.resident')}
            residentId={residentId}
            onResident={setResidentId}
            onError={(e) => setError(describeError(e, t))}
            testIdPrefix="sr"
          />
          <Group grow>
            <Select
              label={t('sr.form.category')}
              data={SERVICE_CATEGORIES.map((c) => ({ value: c, label: t(`sr.category.${c}`) }))}
              value={category}
              onChange={(v) => v && setCategory(v)}
              allowDeselect={false}
              data-testid="sr-category"
            />
            <Select
              label={t('sr.form.urgency')}
              data={SERVICE_URGENCIES.map((u) => ({ value: u, label: t(`sr.urgency.${u}`) }))}
              value={urgency}
              onChange={(v) => v && setUrgency(v)}
              allowDeselect={false}
              data-testid="sr-urgency"
            />
          </Group>
          <Textarea
            label={t('sr.form.description')}
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={4000}
            data-testid="sr-description"
          />
          <TextInput
            type="datetime-local"
            label={t('sr.form.requestedFor')}
            value={requestedFor}
            onChange={(e) => setRequestedFor(e.currentTarget.value)}
            data-testid="sr-requested-for"
          />
          {error !== null && (
            <Alert color="red" role="alert" data-testid="sr-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button type="submit" loading={submitting} data-testid="sr-submit">
              {t('sr.form.submit')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
