/**
 * Taking a service call, keyboard first: the home field has the focus (type part of the address
 * or a name, arrows, Enter), the resident is chosen at once when the home has one, Tab through
 * category, urgency, what is needed and when; Ctrl+Enter records it from anywhere in the form.
 */
import {
  SERVICE_CATEGORIES,
  SERVICE_URGENCIES,
  type HomeSummaryDto,
  type ResidentDto,
  type ServiceCategory,
  type ServiceRequestDto,
  type ServiceUrgency,
} from '@anxin/protocol';
import { Alert, Button, Group, Modal, Select, Stack, Textarea, TextInput } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { describeError } from '../api/describeError';
import { listHomes, listResidents } from '../api/hub';
import { createServiceRequest } from '../api/operations';
import { useI18n } from '../i18n/I18nProvider';

export interface ServiceCallFormProps {
  opened: boolean;
  onClose: () => void;
  onCreated: (request: ServiceRequestDto) => void;
}

const homeLabel = (h: HomeSummaryDto): string => `${h.address} · ${h.residentNames.join(', ')}`;

export function ServiceCallForm({ opened, onClose, onCreated }: ServiceCallFormProps) {
  const { t } = useI18n();
  const [homes, setHomes] = useState<HomeSummaryDto[]>([]);
  const [search, setSearch] = useState('');
  const [homeId, setHomeId] = useState<string | null>(null);
  const [residents, setResidents] = useState<ResidentDto[]>([]);
  const [residentId, setResidentId] = useState<string | null>(null);
  const [category, setCategory] = useState<ServiceCategory>('meal_delivery');
  const [urgency, setUrgency] = useState<ServiceUrgency>('normal');
  const [description, setDescription] = useState('');
  const [requestedFor, setRequestedFor] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  // Homes matching what was typed (the hub filters by address and resident name).
  // The chosen home stays in the list (its label is shown), and choosing it (which puts its
  // label in the search box) does not search again.
  const homesRef = useRef(homes);
  homesRef.current = homes;
  useEffect(() => {
    if (!opened) return;
    if (homesRef.current.some((h) => homeLabel(h) === search)) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      listHomes({ q: search.trim() || undefined, limit: 50 }, controller.signal)
        .then((r) => setHomes(r.homes))
        .catch(() => undefined);
    }, 150);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [opened, search]);

  useEffect(() => {
    setResidents([]);
    setResidentId(null);
    if (homeId === null) return;
    const controller = new AbortController();
    listResidents(homeId, controller.signal)
      .then((r) => {
        setResidents(r.residents);
        if (r.residents.length === 1) setResidentId(r.residents[0]?.id ?? null);
      })
      .catch((e: unknown) => setError(describeError(e, t)));
    return () => controller.abort();
  }, [homeId, t]);

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
        setHomeId(null);
        setSearch('');
      })
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSubmitting(false));
  };

  return (
    <Modal opened={opened} onClose={onClose} title={t('sr.form.title')} size="lg">
      <form
        data-testid="service-call-form"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
        onKeyDown={(event) => {
          if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
            event.preventDefault();
            submit();
          }
        }}
      >
        <Stack gap="sm">
          <Select
            label={t('sr.form.home')}
            data-autofocus
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            filter={({ options, search: typed }) => {
              // Filtered here at once as well as by the hub, so Enter never picks a stale match.
              const needle = typed.trim().toLowerCase();
              return options.filter(
                (o) => needle === '' || ('label' in o && o.label.toLowerCase().includes(needle)),
              );
            }}
            data={homes.map((h) => ({ value: h.id, label: homeLabel(h) }))}
            value={homeId}
            onChange={setHomeId}
            data-testid="sr-home"
          />
          <Select
            label={t('sr.form.resident')}
            data={residents.map((r) => ({ value: r.id, label: r.name }))}
            value={residentId}
            onChange={setResidentId}
            data-testid="sr-resident"
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
