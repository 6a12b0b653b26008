/**
 * Claim a gateway with the code printed on its box; the broker credentials are shown once, clearly,
 * and scrolled into view (on a phone the result is below the fold).
 */
import { type ClaimGatewayResponse, type GatewayDto, type HomeDto } from '@anxin/protocol';
import { Alert, Button, Card, Code, Group, Stack, Text, TextInput, Title } from '@mantine/core';
import { IconCircleCheck } from '@tabler/icons-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { describeError } from '../api/describeError';
import { ApiRequestError } from '../api/http';
import { claimGateway } from '../api/hub';
import { useI18n } from '../i18n/I18nProvider';
import { ONLINE_COLOURS, WARNING_COLOURS } from '../care/palette';

export function GatewaySection({
  home,
  gateways,
  onClaimed,
}: {
  home: HomeDto;
  gateways: readonly GatewayDto[];
  onClaimed: () => void;
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
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setSaving(true);
    setError(null);
    claimGateway({ gatewayId: gatewayId.trim(), claimCode: code.trim(), homeId: home.id })
      .then((response) => setResult(response))
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
      {gateways.map((g) => {
        const state = g.online ? 'online' : 'offline';
        return (
          <Group key={g.id} gap="xs" my={4} data-testid="claimed-gateway" data-gateway-id={g.id}>
            <Text className="mono" fw={700}>
              {g.id}
            </Text>
            <span
              className="chip"
              style={{ color: ONLINE_COLOURS[state].fg, background: ONLINE_COLOURS[state].bg }}
            >
              {g.online ? t('installer.online') : t('installer.offline')}
            </span>
            <Text size="xs">
              {g.lastSeenAt !== null
                ? t('installer.lastSeen', { time: formatDateTime(g.lastSeenAt) })
                : t('device.never')}
            </Text>
          </Group>
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
          <div
            className="banner"
            style={{ color: WARNING_COLOURS.fg, background: WARNING_COLOURS.bg }}
            data-testid="claim-once-warning"
          >
            {t('installer.claimOnce')}
          </div>
          <dl className="claim-credentials">
            <dt>{t('installer.mqttUrl')}</dt>
            <dd>
              <Code data-testid="claim-mqtt-url">{result.credentials.mqttUrl}</Code>
            </dd>
            <dt>{t('installer.mqttUser')}</dt>
            <dd>
              <Code data-testid="claim-username">{result.credentials.username}</Code>
            </dd>
            <dt>{t('installer.mqttPassword')}</dt>
            <dd>
              <Code className="secret" data-testid="claim-password">
                {result.credentials.password}
              </Code>
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
              onClaimed();
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
