/**
 * Claim a gateway with the code printed on its box. Nothing is typed into the gateway: it picks up
 * its own credentials from the hub (zero-touch claim), and this section follows it — waiting for
 * the gateway to pick them up, picked up, connected — polling while it is on its way. The result
 * is scrolled into view (on a phone it is below the fold).
 */
import {
  type ClaimGatewayResponse,
  type DeviceDto,
  type GatewayCredentialState,
  type GatewayDto,
  type HomeDto,
} from '@anxin/protocol';
import { Alert, Button, Card, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { claimGateway, listGateways } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { ONLINE_COLOURS, WARNING_COLOURS } from '../care/palette';
import type { MessageKey } from '../i18n';
import { GatewayControlPanel } from './GatewayControlPanel';
import type { Reading } from './readings';

const PICKUP_POLL_MS = 2_000;

/** What the installer sees of a claimed gateway: its credential state, or online/offline. */
type PickupState = 'awaiting_pickup' | 'picked_up' | 'online' | 'offline';

function pickupState(g: GatewayDto): PickupState {
  const waiting: GatewayCredentialState[] = ['awaiting_pickup', 'picked_up'];
  if (waiting.includes(g.credentialState) && !g.online)
    return g.credentialState === 'awaiting_pickup' ? 'awaiting_pickup' : 'picked_up';
  return g.online ? 'online' : 'offline';
}

const PICKUP_LABEL: Record<PickupState, MessageKey> = {
  awaiting_pickup: 'installer.awaitingPickup',
  picked_up: 'installer.pickedUp',
  online: 'installer.online',
  offline: 'installer.offline',
};

export function GatewaySection({
  home,
  gateways,
  onClaimed,
  devices,
  onReading,
}: {
  home: HomeDto;
  gateways: readonly GatewayDto[];
  onClaimed: () => void;
  devices: readonly DeviceDto[];
  onReading: (key: string, readings: Reading[]) => void;
}) {
  const { t, formatDateTime } = useI18n();
  const [gatewayId, setGatewayId] = useState('');
  const [code, setCode] = useState('');
  const [result, setResult] = useState<ClaimGatewayResponse | null>(null);
  const [open, setOpen] = useState(gateways.length === 0);
  const resultRef = useRef<HTMLDivElement>(null);
  // On a phone the result is below the fold: bring it into view and to the screen reader.
  useEffect(() => {
    if (result !== null) resultRef.current?.scrollIntoView({ block: 'start' });
  }, [result]);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // Fresher rows than the page's, while a gateway is on its way to its credentials.
  const [polled, setPolled] = useState<readonly GatewayDto[] | null>(null);
  const shown = polled ?? gateways;
  const justClaimed = result !== null ? shown.find((g) => g.id === result.gateway.id) : undefined;
  const pending =
    shown.some((g) => {
      const s = pickupState(g);
      return s === 'awaiting_pickup' || s === 'picked_up';
    }) ||
    (result !== null && (justClaimed === undefined || pickupState(justClaimed) !== 'online'));
  useEffect(() => setPolled(null), [gateways]);
  useEffect(() => {
    if (!pending) return;
    const controller = new AbortController();
    const timer = setInterval(() => {
      listGateways({ homeId: home.id }, controller.signal)
        .then((r) => setPolled(r.gateways.filter((g) => g.claimState === 'claimed')))
        // A missed poll is retried on the next tick; the page keeps what it showed.
        .catch(() => undefined);
    }, PICKUP_POLL_MS);
    return () => {
      controller.abort();
      clearInterval(timer);
    };
  }, [pending, home.id]);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    claimGateway({ gatewayId: gatewayId.trim(), claimCode: code.trim(), homeId: home.id })
      .then((response) => {
        setResult(response);
        // The page's list now holds the gateway, whose pickup this section then follows.
        onClaimed();
      })
      .catch((e: unknown) =>
        setError(
          e instanceof ApiRequestError &&
            (e.status === 404 || e.status === 409 || e.status === 401 || e.status === 403)
            ? t('installer.claimRefused', { message: describeError(e, t) })
            : describeError(e, t),
        ),
      )
      .finally(() => setSaving(false));
  };
  return (
    <section aria-labelledby="setup-gateway-title">
      <Title order={3} size="h4" id="setup-gateway-title">
        {t('installer.gateway')}
      </Title>
      {shown.map((g) => {
        const state = pickupState(g);
        const colours =
          state === 'online'
            ? ONLINE_COLOURS.online
            : state === 'offline'
              ? ONLINE_COLOURS.offline
              : WARNING_COLOURS;
        return (
          <div key={g.id}>
            <Group
              gap="xs"
              my={4}
              data-testid="claimed-gateway"
              data-gateway-id={g.id}
              data-state={state}
            >
              <Text className="mono" fw={700}>
                {g.id}
              </Text>
              <span className="chip" style={{ color: colours.fg, background: colours.bg }}>
                {t(PICKUP_LABEL[state])}
              </span>
              <Text size="xs">
                {g.lastSeenAt !== null
                  ? t('installer.lastSeen', { time: formatDateTime(g.lastSeenAt) })
                  : t('device.never')}
              </Text>
            </Group>
            <GatewayControlPanel gatewayId={g.id} devices={devices} onReading={onReading} />
          </div>
        );
      })}
      {result !== null ? (
        <Card
          withBorder
          padding="md"
          className="claim-result"
          data-testid="claim-result"
          role="status"
        >
          <Group gap="xs">
            <IconCircleCheck size={24} aria-hidden />
            <Title order={4} size="h4">
              {t('installer.claimed', { id: result.gateway.id })}
            </Title>
          </Group>
          <Text size="sm" mt="xs" data-testid="claim-zero-touch">
            {t('installer.zeroTouch')}
          </Text>
          <dl className="claim-credentials">
            <dt>{t('installer.gatewayState')}</dt>
            <dd
              data-testid="claim-state"
              data-state={justClaimed ? pickupState(justClaimed) : 'awaiting_pickup'}
            >
              {t(PICKUP_LABEL[justClaimed ? pickupState(justClaimed) : 'awaiting_pickup'])}
            </dd>
            <dt>{t('installer.configVersion')}</dt>
            <dd>{result.config.configVersion}</dd>
          </dl>
          <Button
            mt="sm"
            onClick={() => {
              setResult(null);
              setOpen(false);
              setGatewayId('');
              setCode('');
            }}
            data-testid="claim-done"
          >
            {t('installer.claimDone')}
          </Button>
        </Card>
      ) : !open ? (
        <Button variant="default" onClick={() => setOpen(true)} data-testid="claim-open">
          {t('installer.claimAnotherButton')}
        </Button>
      ) : (
        <Card withBorder padding="sm" component="form" onSubmit={submit} data-testid="claim-form">
          <Text size="sm" mb="xs">
            {gateways.length === 0 ? t('installer.claimHint') : t('installer.claimAnother')}
          </Text>
          <Stack gap="xs">
            <TextInput
              label={t('installer.gatewayId')}
              value={gatewayId}
              onChange={(e) => setGatewayId(e.currentTarget.value)}
              required
              autoCapitalize="off"
              autoComplete="off"
              spellCheck={false}
              data-testid="claim-gateway-id"
            />
            <TextInput
              label={t('installer.claimCode')}
              value={code}
              onChange={(e) => setCode(e.currentTarget.value)}
              required
              autoCapitalize="characters"
              autoComplete="off"
              spellCheck={false}
              data-testid="claim-code"
            />
            {error !== null && (
              <Alert color="red" variant="light" role="alert" data-testid="claim-error">
                {error}
              </Alert>
            )}
            <Button type="submit" loading={saving} size="md" data-testid="claim-submit">
              {t('installer.claim')}
            </Button>
          </Stack>
        </Card>
      )}
    </section>
  );
}
