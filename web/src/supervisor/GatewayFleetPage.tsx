/**
 * The gateway fleet (/supervisor/gateways): every gateway by claim state, for supervisors and
 * administrators. Administrators also decommission a gateway (its credentials revoked) and re-arm
 * a decommissioned one with a new claim code (GatewayLifecycleDialog), the two ends of a
 * gateway's life that the installer's claim does not cover.
 */
import {
  GATEWAY_CLAIM_STATES,
  type GatewayClaimState,
  type GatewayDto,
  type GatewayListResponse,
} from '@anxin/protocol';
import { Anchor, Button, Card, SegmentedControl, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { listGateways } from '../api/hub';
import { PageHeader } from '../app/PageHeader';
import { navigate } from '../app/router';
import { Failed, Loading } from '../app/Status';
import { useLoad } from '../app/useLoad';
import type { MessageKey } from '../i18n';
import { useI18n } from '../i18n/I18nProvider';
import { GatewayLifecycleDialog, type LifecycleAction } from './GatewayLifecycleDialog';
import type { SignedInProps } from '../app/SignedInUser';

const STATE_KEY: Record<GatewayClaimState, MessageKey> = {
  unclaimed: 'fleet.state.unclaimed',
  claimed: 'fleet.state.claimed',
  decommissioned: 'fleet.state.decommissioned',
};

export function GatewayFleetPage({ session, onSignOut }: SignedInProps) {
  const { t, formatDateTime } = useI18n();
  const [state, setState] = useState<GatewayClaimState>('claimed');
  const [open, setOpen] = useState<{ action: LifecycleAction; gateway: GatewayDto } | null>(null);
  const gateways = useLoad<GatewayListResponse>(
    (signal) => listGateways({ state, limit: 1000 }, signal),
    [state],
  );
  const admin = session.user.role === 'admin';

  useEffect(() => {
    document.title = `${t('fleet.title')} · ${t('app.name')}`;
  }, [t]);

  const action = (g: GatewayDto) => {
    if (!admin) return null;
    const which: LifecycleAction = g.claimState === 'decommissioned' ? 'rearm' : 'decommission';
    return (
      <Button
        size="xs"
        variant={which === 'rearm' ? 'filled' : 'default'}
        color={which === 'rearm' ? undefined : 'red'}
        onClick={() => setOpen({ action: which, gateway: g })}
        data-testid={`fleet-${which}`}
        aria-label={`${t(which === 'rearm' ? 'fleet.rearm' : 'fleet.decommission')} ${g.id}`}
      >
        {t(which === 'rearm' ? 'fleet.rearm' : 'fleet.decommission')}
      </Button>
    );
  };

  return (
    <div className="console-layout">
      <PageHeader title={t('fleet.title')} session={session} onSignOut={onSignOut}>
        <Anchor
          href="/supervisor"
          onClick={(e) => {
            e.preventDefault();
            navigate('/supervisor');
          }}
        >
          {t('fleet.back')}
        </Anchor>
      </PageHeader>
      <main className="page-main" id="main">
        <Stack gap="md" maw={1100}>
          <Text>{t('fleet.intro')}</Text>
          <SegmentedControl
            value={state}
            onChange={(v) => setState(GATEWAY_CLAIM_STATES.find((s) => s === v) ?? 'claimed')}
            data={GATEWAY_CLAIM_STATES.map((s) => ({ value: s, label: t(STATE_KEY[s]) }))}
            aria-label={t('fleet.state')}
            data-testid="fleet-state"
          />
          <Card withBorder>
            {gateways.load.kind === 'loading' && <Loading />}
            {gateways.load.kind === 'failed' && <Failed error={gateways.load.error} />}
            {gateways.load.kind === 'loaded' &&
              (gateways.load.data.gateways.length === 0 ? (
                <Text data-testid="fleet-none">{t('fleet.none')}</Text>
              ) : (
                <Table data-testid="fleet-table">
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('fleet.id')}</Table.Th>
                      <Table.Th>{t('fleet.home')}</Table.Th>
                      <Table.Th>
                        {t(
                          state === 'decommissioned' ? 'fleet.decommissionedAt' : 'fleet.lastSeen',
                        )}
                      </Table.Th>
                      {admin && <Table.Th>{t('fleet.actions')}</Table.Th>}
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {gateways.load.data.gateways.map((g) => {
                      const when = state === 'decommissioned' ? g.decommissionedAt : g.lastSeenAt;
                      return (
                        <Table.Tr key={g.id} data-testid="fleet-gateway" data-gateway-id={g.id}>
                          <Table.Td className="mono">{g.id}</Table.Td>
                          <Table.Td>{g.homeId ?? '—'}</Table.Td>
                          <Table.Td>{when !== null ? formatDateTime(when) : '—'}</Table.Td>
                          {admin && <Table.Td>{action(g)}</Table.Td>}
                        </Table.Tr>
                      );
                    })}
                  </Table.Tbody>
                </Table>
              ))}
          </Card>
        </Stack>
      </main>
      {open !== null && (
        <GatewayLifecycleDialog
          action={open.action}
          gateway={open.gateway}
          onClose={() => setOpen(null)}
          onChanged={gateways.reload}
        />
      )}
    </div>
  );
}
