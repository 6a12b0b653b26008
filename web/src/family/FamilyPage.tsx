/**
 * The family page (issue 6): only their own relative's home. Current status ("activity seen
 * 08:12"), alarms as they happen with who took them and how they ended, "I am going there" (the
 * operator sees it on the alarm), and their own phone and availability to edit.
 * Routes: /family → the first relative's home; /family/homes/:id. A home outside the user's scope
 * answers 404 from the hub and shows "not found" here.
 */
import type {
  HomeCardResponse,
  HomeListResponse,
  SessionResponse,
  TelemetryQueryResponse,
} from '@anxin/protocol';
import { Alert, Anchor, Stack, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { FamilyRequests } from '../operations/FamilyRequests';
import { ApiRequestError } from '../api/http';
import { getHomeCard, listHomes, queryTelemetry } from '../api/hub';
import { PageHeader } from '../app/PageHeader';
import { matchPath, navigate, usePath } from '../app/router';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { ContactList } from '../care/HomeCard';
import { ageFromBirthYear } from '../care/format';
import { useLiveAlarms } from '../care/useLiveAlarms';
import { NotFound } from '../app/NotFound';
import { Failed, Loading } from '../app/Status';
import { ACTIVITY_FIELDS, lastActivityAt } from './activity';
import { FamilyAlarm } from './FamilyAlarm';
import { OwnContactForm } from './OwnContactForm';
import type { SignedInProps } from '../app/SignedInUser';

export function FamilyPage({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  const path = usePath();
  const live = useLiveAlarms();
  const params = matchPath('/family/homes/:id', path);

  useEffect(() => {
    document.title = `${t('family.title')} · ${t('app.name')}`;
  }, [t]);

  return (
    <div className="console-layout">
      <PageHeader title={t('family.title')} session={session} onSignOut={onSignOut} />
      <main className="page-main" id="main">
        {params?.id !== undefined ? (
          <FamilyHome key={params.id} homeId={params.id} session={session} live={live} />
        ) : (
          <FamilyHomePicker />
        )}
      </main>
    </div>
  );
}

function FamilyHomePicker() {
  const { t } = useI18n();
  const { load } = useLoad<HomeListResponse>((signal) => listHomes({}, signal), []);
  useEffect(() => {
    if (load.kind === 'loaded' && load.data.homes.length === 1 && load.data.homes[0]) {
      navigate(`/family/homes/${encodeURIComponent(load.data.homes[0].id)}`, true);
    }
  }, [load]);
  if (load.kind === 'loading') return <Loading />;
  if (load.kind === 'failed') return <Failed error={load.error} />;
  if (load.data.homes.length === 0) return <Text>{t('family.noHomes')}</Text>;
  return (
    <Stack>
      <Title order={2} size="h3">
        {t('family.chooseHome')}
      </Title>
      {load.data.homes.map((home) => (
        <Anchor
          key={home.id}
          href={`/family/homes/${encodeURIComponent(home.id)}`}
          onClick={(event) => {
            event.preventDefault();
            navigate(`/family/homes/${encodeURIComponent(home.id)}`);
          }}
          data-testid="family-home-link"
        >
          {home.residentNames.join(', ') || home.address}
        </Anchor>
      ))}
    </Stack>
  );
}

function FamilyHome({
  homeId,
  session,
  live,
}: {
  homeId: string;
  session: SessionResponse;
  live: ReturnType<typeof useLiveAlarms>;
}) {
  const { t } = useI18n();
  const card = useLoad<HomeCardResponse>((signal) => getHomeCard(homeId, signal), [homeId]);
  if (card.load.kind === 'loading') return <Loading />;
  if (card.load.kind === 'failed') {
    const error = card.load.error;
    if (error instanceof ApiRequestError && (error.status === 404 || error.status === 403))
      return <NotFound />;
    return <Failed error={error} />;
  }
  const data = card.load.data;
  const alarms = live.alarms.filter((a) => a.homeId === homeId);
  const names = data.residents.map((r) => r.name).join(t('list.separator'));
  return (
    <Stack gap="lg" className="narrow-page" data-testid="family-home" data-home-id={homeId}>
      <section aria-labelledby="family-status-title">
        <Title order={2} size="h2" id="family-status-title" data-testid="family-resident-names">
          {names}
        </Title>
        <Text size="sm" c="dimmed">
          {data.residents
            .map((r) => {
              const age = ageFromBirthYear(r.birthYear, new Date());
              return age === null ? r.name : `${r.name} · ${t('card.age', { age })}`;
            })
            .join(t('list.separator'))}
          {' · '}
          {data.home.address}
        </Text>
        <ActivityStatus homeId={homeId} />
        {data.home.testMode && (
          <Text size="sm" mt={4}>
            {t('family.testMode')}
          </Text>
        )}
      </section>

      <section aria-labelledby="family-alarms-title">
        <Title order={2} size="h3" id="family-alarms-title">
          {t('family.alarms')}
        </Title>
        {live.state === 'disconnected' && (
          <Alert color="red.9" variant="filled" role="alert" mt="xs" data-testid="family-offline">
            {t('family.offline')}
          </Alert>
        )}
        {alarms.length === 0 ? (
          <Text data-testid="family-no-alarms">{t('family.noAlarms')}</Text>
        ) : (
          <Stack gap="sm" mt="xs">
            {alarms.map((alarm) => (
              <FamilyAlarm key={alarm.id} alarm={alarm} session={session} onChanged={live.apply} />
            ))}
          </Stack>
        )}
      </section>

      <FamilyRequests homeId={homeId} />

      <section aria-labelledby="family-contacts-title">
        <Title order={2} size="h3" id="family-contacts-title">
          {t('family.contacts')}
        </Title>
        <ContactList contacts={data.contacts} />
        {data.contacts
          .filter((c) => c.userId === session.user.id)
          .map((contact) => (
            <OwnContactForm
              key={contact.id}
              homeId={homeId}
              contact={contact}
              onSaved={(saved) =>
                card.set({
                  ...data,
                  contacts: data.contacts.map((c) => (c.id === saved.id ? saved : c)),
                })
              }
            />
          ))}
      </section>
    </Stack>
  );
}

function ActivityStatus({ homeId }: { homeId: string }) {
  const { t, formatTime, formatDateTime } = useI18n();
  const { load, reload } = useLoad<TelemetryQueryResponse>(
    (signal) =>
      queryTelemetry(
        homeId,
        {
          from: new Date(Date.now() - 24 * 3600_000).toISOString(),
          fields: ACTIVITY_FIELDS.join(','),
          maxPoints: 500,
        },
        signal,
      ),
    [homeId],
  );
  useEffect(() => {
    const timer = setInterval(reload, 60_000);
    return () => clearInterval(timer);
  }, [reload]);
  if (load.kind === 'loading') return <Loading />;
  if (load.kind === 'failed')
    return (
      <Text size="lg" data-testid="activity-status" data-state="unknown">
        {t('family.activityUnknown')}
      </Text>
    );
  const at = lastActivityAt(load.data.series);
  if (at === null) {
    return (
      <Text size="lg" fw={700} data-testid="activity-status" data-state="none">
        {t('family.activityNone')}
      </Text>
    );
  }
  const today = new Date(at).toDateString() === new Date().toDateString();
  return (
    <Text size="lg" fw={700} data-testid="activity-status" data-state="seen">
      {today
        ? t('family.activitySeen', { time: formatTime(new Date(at)).slice(0, 5) })
        : t('family.activitySeenOn', { time: formatDateTime(new Date(at).toISOString()) })}
    </Text>
  );
}
