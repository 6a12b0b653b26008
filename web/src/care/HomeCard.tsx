/**
 * The resident's card for the operator (GET /api/v1/homes/:id/card): who lives there and who raised
 * the alarm, how to get in, contacts in call order (tel: links), the response plan for this kind of
 * alarm, and the home's devices. Everything an operator needs on one screen while on the phone.
 */
import type {
  AlarmDto,
  ContactDto,
  DeviceDto,
  HomeCardResponse,
  ResidentDto,
} from '@anxin/protocol';
import {
  Alert,
  Anchor,
  Avatar,
  Badge,
  Group,
  Loader,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { IconKey, IconPhone } from '@tabler/icons-react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { getHomeCard } from '../api/hub';
import { useLoad } from '../app/useLoad';
import { ColumnHeads } from '../app/ColumnHeads';
import { useI18n } from '../i18n/I18nProvider';
import { deviceKindKey, languageName, mobilityKey, planFor, relationKey } from './labels';
import { ageFromBirthYear, batteryLevel, sortDevices, telHref } from './format';
import { BATTERY_COLOURS } from './palette';

export function HomeCardSection({ alarm }: { alarm: AlarmDto }) {
  const { t } = useI18n();
  const homeId = alarm.homeId;
  const { load } = useLoad<HomeCardResponse>(
    homeId === null ? null : (signal) => getHomeCard(homeId, signal),
    [homeId],
  );
  if (homeId === null) {
    return (
      <Text size="sm" c="dimmed" data-testid="resident-card-none">
        {t('card.noHome')}
      </Text>
    );
  }
  if (load.kind === 'loading') {
    return (
      <Group gap="xs" role="status">
        <Loader size="sm" aria-hidden />
        <Text size="sm">{t('card.loading')}</Text>
      </Group>
    );
  }
  if (load.kind === 'failed') {
    // A home the hub does not know (or not in this user's area) is not an error of the console.
    if (load.error instanceof ApiRequestError && load.error.status === 404) {
      return (
        <Text size="sm" data-testid="resident-card-none">
          {t('card.notOnFile', { home: homeId })}
        </Text>
      );
    }
    return (
      <Alert color="red" variant="light" role="alert" data-testid="resident-card-error">
        {t('card.loadFailed', { message: describeError(load.error, t) })}
      </Alert>
    );
  }
  return <HomeCardView card={load.data} alarm={alarm} />;
}

export function HomeCardView({ card, alarm }: { card: HomeCardResponse; alarm: AlarmDto }) {
  const { t } = useI18n();
  const { home } = card;
  const plan = planFor(card.plans, alarm.kind);
  const location = [
    home.floor !== null && home.floor !== '' ? t('card.floor', { floor: home.floor }) : null,
    home.room !== null && home.room !== '' ? t('card.room', { room: home.room }) : null,
  ]
    .filter((x): x is string => x !== null)
    .join(' · ');
  return (
    <Stack gap="sm" data-testid="resident-card" data-home-id={home.id}>
      <section aria-labelledby="card-residents-title">
        <Title order={3} size="h5" id="card-residents-title">
          {card.residents.length > 1 ? t('card.residentsShared') : t('card.resident')}
        </Title>
        <Stack gap="xs" mt={4}>
          {card.residents.map((resident) => (
            <ResidentBlock
              key={resident.id}
              resident={resident}
              raised={alarm.residentId === resident.id}
            />
          ))}
          {card.residents.length === 0 && (
            <Text size="sm" c="dimmed">
              {t('card.noResidents')}
            </Text>
          )}
        </Stack>
      </section>

      <section aria-labelledby="card-home-title">
        <Title order={3} size="h5" id="card-home-title">
          {t('card.home')}
        </Title>
        <Text size="md" fw={700} data-testid="home-address">
          {home.address}
        </Text>
        {location !== '' && (
          <Text size="sm" data-testid="home-floor">
            {location}
          </Text>
        )}
        {home.accessNotes !== null && home.accessNotes !== '' && (
          <Text size="sm" data-testid="access-notes">
            <strong>{t('card.access')}</strong> {home.accessNotes}
          </Text>
        )}
        {home.keySafeCode != null && home.keySafeCode !== '' ? (
          <Group gap={6} mt={4}>
            <IconKey size={18} aria-hidden />
            <Text size="sm">{t('card.keySafe')}</Text>
            <Text size="lg" fw={800} className="mono" data-testid="key-safe-code">
              {home.keySafeCode}
            </Text>
          </Group>
        ) : (
          home.hasKeySafeCode && (
            <Text size="sm" c="dimmed">
              {t('card.keySafeHidden')}
            </Text>
          )
        )}
      </section>

      <section aria-labelledby="card-contacts-title">
        <Title order={3} size="h5" id="card-contacts-title">
          {t('card.contacts')}
        </Title>
        <ContactList contacts={card.contacts} />
      </section>

      <section aria-labelledby="card-plan-title" data-testid="response-plan">
        <Title order={3} size="h5" id="card-plan-title">
          {t('card.plan')}
        </Title>
        {plan === undefined || plan.steps.length === 0 ? (
          <Text size="sm" c="dimmed">
            {t('card.noPlan')}
          </Text>
        ) : (
          <ol className="plan-steps">
            {plan.steps.map((step, index) => (
              <li key={index} data-testid="plan-step">
                {step}
              </li>
            ))}
          </ol>
        )}
      </section>

      <section aria-labelledby="card-devices-title">
        <Title order={3} size="h5" id="card-devices-title">
          {t('card.devices')}
        </Title>
        <DeviceTable devices={card.devices} />
      </section>
    </Stack>
  );
}

function ResidentBlock({ resident, raised }: { resident: ResidentDto; raised: boolean }) {
  const { t, language } = useI18n();
  const age = ageFromBirthYear(resident.birthYear, new Date());
  return (
    <Group
      gap="sm"
      align="flex-start"
      wrap="nowrap"
      className={raised ? 'resident resident-raised' : 'resident'}
      data-testid="resident"
      data-resident-id={resident.id}
      data-raised={raised ? 'true' : 'false'}
    >
      <Avatar
        src={resident.photoUrl}
        alt={t('card.photoOf', { name: resident.name })}
        size={64}
        radius="sm"
        color="blue"
      >
        {resident.name.slice(0, 1)}
      </Avatar>
      <div>
        <Group gap="xs">
          <Text size="lg" fw={800} data-testid="resident-name">
            {resident.name}
          </Text>
          {age !== null && (
            <Text size="md" data-testid="resident-age">
              {t('card.age', { age })}
            </Text>
          )}
          {raised && (
            <Badge color="red.9" variant="filled" data-testid="resident-raised">
              {t('card.raisedBy')}
            </Badge>
          )}
        </Group>
        {resident.languages.length > 0 && (
          <Text size="sm" data-testid="resident-languages">
            {t('card.languages', {
              languages: resident.languages.map((tag) => languageName(tag, language)).join(', '),
            })}
          </Text>
        )}
        <Text size="sm">
          {[
            resident.mobility !== null ? t(mobilityKey(resident.mobility)) : null,
            resident.livesAlone ? t('card.livesAlone') : null,
          ]
            .filter((x): x is string => x !== null)
            .join(' · ')}
        </Text>
        {resident.medicalNotes !== null && resident.medicalNotes !== '' && (
          <Text size="sm" className="medical-notes" data-testid="medical-notes">
            <strong>{t('card.medical')}</strong> {resident.medicalNotes}
          </Text>
        )}
      </div>
    </Group>
  );
}

export function ContactList({ contacts }: { contacts: readonly ContactDto[] }) {
  const { t } = useI18n();
  if (contacts.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('card.noContacts')}
      </Text>
    );
  }
  return (
    <ol className="contact-list" data-testid="contacts">
      {[...contacts]
        .sort((a, b) => a.callOrder - b.callOrder)
        .map((contact) => (
          <li key={contact.id} data-testid="contact" data-call-order={contact.callOrder}>
            <Group gap="xs" wrap="wrap">
              <Text fw={700} size="sm">
                {contact.name}
              </Text>
              <Text size="sm">({t(relationKey(contact.relation))})</Text>
              <Anchor
                href={telHref(contact.phone)}
                fw={700}
                size="sm"
                className="mono"
                data-testid="contact-phone"
              >
                <IconPhone size={14} aria-hidden /> {contact.phone}
              </Anchor>
            </Group>
            {contact.availability !== null && contact.availability !== '' && (
              <Text size="xs" c="dimmed">
                {contact.availability}
              </Text>
            )}
          </li>
        ))}
    </ol>
  );
}

export function DeviceTable({ devices }: { devices: readonly DeviceDto[] }) {
  const { t, formatDateTime } = useI18n();
  if (devices.length === 0) {
    return (
      <Text size="sm" c="dimmed">
        {t('card.noDevices')}
      </Text>
    );
  }
  return (
    <div className="table-scroll">
      <Table striped withTableBorder data-testid="home-devices" className="device-table">
        <ColumnHeads
          keys={[
            'device.col.device',
            'device.col.room',
            'device.col.lastSeen',
            'device.col.battery',
          ]}
        />
        <Table.Tbody>
          {sortDevices(devices).map((device) => {
            const level = batteryLevel(device.batteryPct);
            return (
              <Table.Tr
                key={`${device.gatewayId}/${device.id}`}
                data-testid="device-row"
                data-device-id={device.id}
                data-online={device.online === null ? 'unknown' : String(device.online)}
              >
                <Table.Td>
                  <Text size="sm" className="mono">
                    {device.id}
                  </Text>
                  <Text size="xs" c="dimmed">
                    {device.kind !== null ? t(deviceKindKey(device.kind)) : t('device.kindUnknown')}
                  </Text>
                </Table.Td>
                <Table.Td>{device.room ?? '—'}</Table.Td>
                <Table.Td>
                  <Text size="sm">
                    {device.lastSeenAt !== null
                      ? formatDateTime(device.lastSeenAt)
                      : t('device.never')}
                  </Text>
                  {device.online === false && (
                    <Badge color="red.9" variant="filled" size="sm">
                      {t('device.offline')}
                    </Badge>
                  )}
                </Table.Td>
                <Table.Td>
                  {device.batteryPct === null ? (
                    '—'
                  ) : (
                    <span
                      className="chip"
                      style={{
                        color: BATTERY_COLOURS[level].fg,
                        background: BATTERY_COLOURS[level].bg,
                      }}
                      data-testid="device-battery"
                      data-level={level}
                    >
                      {device.batteryPct} %
                    </span>
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </div>
  );
}
