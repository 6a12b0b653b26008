/**
 * Installer pages (issue 6), phone-sized first:
 *   /installer                    homes assigned to me, and "new home"
 *   /installer/homes/new          register a home in my area
 *   /installer/homes/:id          residents, claim the gateway, devices with live readings,
 *                                 test mode and the guided test of every device
 *   /installer/homes/:id/record   the commissioning record (printable)
 */
import type { AreaListResponse, HomeListResponse } from '@anxin/protocol';
import {
  Alert,
  Anchor,
  Button,
  Card,
  Group,
  Select,
  Stack,
  Text,
  TextInput,
  Textarea,
  Title,
} from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useEffect, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { createHome, listAreas, listHomes } from '../api/hub';
import { PageHeader } from '../app/PageHeader';
import { matchPath, navigate, usePath } from '../app/router';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { Failed, Loading } from '../app/Status';
import { CommissioningRecord } from './CommissioningRecord';
import { HomeSetup } from './HomeSetup';
import { homePath, link } from './paths';
import type { SignedInProps } from '../app/SignedInUser';

export function InstallerPage({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  const path = usePath();
  useEffect(() => {
    document.title = `${t('installer.title')} · ${t('app.name')}`;
  }, [t]);
  const record = matchPath('/installer/homes/:id/record', path);
  const home = matchPath('/installer/homes/:id', path);
  let page;
  if (record?.id !== undefined) page = <CommissioningRecord homeId={record.id} session={session} />;
  else if (path === '/installer/homes/new' || path === '/installer/homes/new/')
    page = <NewHomeForm />;
  else if (home?.id !== undefined)
    page = <HomeSetup key={home.id} homeId={home.id} session={session} />;
  else page = <HomeList />;
  return (
    <div className="console-layout">
      <div className="no-print">
        <PageHeader title={t('installer.title')} session={session} onSignOut={onSignOut}>
          <Anchor {...link('/installer')} data-testid="nav-installer-homes">
            {t('installer.homes')}
          </Anchor>
        </PageHeader>
      </div>
      <main className="page-main" id="main">
        {page}
      </main>
    </div>
  );
}

function HomeList() {
  const { t } = useI18n();
  const { load } = useLoad<HomeListResponse>((signal) => listHomes({ limit: 200 }, signal), []);
  return (
    <Stack className="narrow-page">
      <Group justify="space-between">
        <Title order={2} size="h3">
          {t('installer.homes')}
        </Title>
        <Button
          component="a"
          {...link('/installer/homes/new')}
          leftSection={<IconPlus size={18} aria-hidden />}
          data-testid="new-home-button"
        >
          {t('installer.newHome')}
        </Button>
      </Group>
      {load.kind === 'loading' && <Loading />}
      {load.kind === 'failed' && <Failed error={load.error} />}
      {load.kind === 'loaded' &&
        (load.data.homes.length === 0 ? (
          <Text>{t('installer.noHomes')}</Text>
        ) : (
          <Stack gap="xs" data-testid="home-list">
            {load.data.homes.map((home) => (
              <Card key={home.id} withBorder padding="sm">
                <Anchor
                  {...link(homePath(home.id))}
                  fw={700}
                  data-testid="home-link"
                  data-home-id={home.id}
                >
                  {home.address}
                </Anchor>
                <Text size="sm">
                  {home.residentNames.join(t('list.separator')) || t('installer.noResidentsYet')}
                  {home.testMode ? ` · ${t('installer.inTestMode')}` : ''}
                </Text>
              </Card>
            ))}
          </Stack>
        ))}
    </Stack>
  );
}

function NewHomeForm() {
  const { t } = useI18n();
  const areas = useLoad<AreaListResponse>((signal) => listAreas(signal), []);
  const [areaId, setAreaId] = useState<string | null>(null);
  const [address, setAddress] = useState('');
  const [floor, setFloor] = useState('');
  const [room, setRoom] = useState('');
  const [accessNotes, setAccessNotes] = useState('');
  const [keySafeCode, setKeySafeCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const areaList = areas.load.kind === 'loaded' ? areas.load.data.areas : [];
  // Homes belong to a community where there is one; the district/street names help pick it.
  const names = new Map(areaList.map((a) => [a.id, a.name]));
  const options = areaList
    .filter((a) => a.kind === 'community' || !areaList.some((b) => b.parentId === a.id))
    .map((a) => ({
      value: a.id,
      label:
        a.parentId !== null && names.has(a.parentId)
          ? `${names.get(a.parentId) ?? ''} · ${a.name}`
          : a.name,
    }));
  useEffect(() => {
    if (areaId === null && options.length === 1 && options[0]) setAreaId(options[0].value);
  }, [areaId, options]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (areaId === null) {
      setError(t('installer.chooseArea'));
      return;
    }
    setSaving(true);
    setError(null);
    const optional = (v: string) => (v.trim() === '' ? null : v.trim());
    createHome({
      areaId,
      address: address.trim(),
      floor: optional(floor),
      room: optional(room),
      accessNotes: optional(accessNotes),
      keySafeCode: optional(keySafeCode),
    })
      .then((response) => navigate(homePath(response.home.id)))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSaving(false));
  };

  return (
    <Stack className="narrow-page">
      <Title order={2} size="h3">
        {t('installer.newHome')}
      </Title>
      <form onSubmit={submit} data-testid="home-form">
        <Stack gap="sm">
          {areas.load.kind === 'failed' && <Failed error={areas.load.error} />}
          <Select
            label={t('installer.area')}
            data={options}
            value={areaId}
            onChange={setAreaId}
            required
            searchable
            data-testid="home-area"
          />
          <TextInput
            label={t('installer.address')}
            value={address}
            onChange={(e) => setAddress(e.currentTarget.value)}
            required
            data-testid="home-address-input"
          />
          <Group grow>
            <TextInput
              label={t('installer.floor')}
              value={floor}
              onChange={(e) => setFloor(e.currentTarget.value)}
              data-testid="home-floor-input"
            />
            <TextInput
              label={t('installer.room')}
              value={room}
              onChange={(e) => setRoom(e.currentTarget.value)}
              data-testid="home-room-input"
            />
          </Group>
          <Textarea
            label={t('installer.accessNotes')}
            description={t('installer.accessNotesHint')}
            value={accessNotes}
            onChange={(e) => setAccessNotes(e.currentTarget.value)}
            autosize
            minRows={2}
            data-testid="home-access-input"
          />
          <TextInput
            label={t('installer.keySafe')}
            value={keySafeCode}
            onChange={(e) => setKeySafeCode(e.currentTarget.value)}
            autoComplete="off"
            data-testid="home-keysafe-input"
          />
          {error !== null && (
            <Alert color="red" variant="light" role="alert" data-testid="home-form-error">
              {error}
            </Alert>
          )}
          <Button type="submit" loading={saving} size="md" data-testid="home-submit">
            {t('installer.createHome')}
          </Button>
        </Stack>
      </form>
    </Stack>
  );
}
