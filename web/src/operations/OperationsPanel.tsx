/**
 * The console's care-operations area, BELOW the alarm queue (an SOS never waits behind a
 * service request: they are separate lists and alarms always come first on the page): service
 * requests with the "new service call" form (key s), today's welfare checks due, work orders.
 */
import { Alert, Button, Group, Tabs, Title } from '@mantine/core';
import { IconPhonePlus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { describeError } from '../api/describeError';
import { listServiceRequests, listWelfareChecks, listWorkOrders } from '../api/operations';
import { useI18n } from '../i18n/I18nProvider';
import { isTypingTarget } from '../console/keymap';
import { ServiceCallForm } from './ServiceCallForm';
import { ServiceRequestTable } from './ServiceRequestTable';
import { useOpsList } from './useOpsList';
import { WelfareList } from './WelfareList';
import { WorkOrderList } from './WorkOrderList';

const SR = ['service_request'] as const;
/** A plan's change moves its pending check. */
const WELFARE = ['welfare_check', 'welfare_plan'] as const;
const WO = ['work_order'] as const;

/** Polling only while the hub's socket is down (useOpsList). */
const REFRESH_MS = 15_000;

export function OperationsPanel({ onNotice }: { onNotice: (text: string) => void }) {
  const { t } = useI18n();
  const [formOpen, setFormOpen] = useState(false);
  const [tab, setTab] = useState<string | null>('requests');
  const requests = useOpsList((s) => listServiceRequests({}, s), SR, REFRESH_MS);
  const welfare = useOpsList((s) => listWelfareChecks({ view: 'today' }, s), WELFARE, REFRESH_MS);
  const orders = useOpsList((s) => listWorkOrders({}, s), WO, REFRESH_MS);

  // `s` opens the service-call form unless the user is typing or a dialog is open.
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
      if (isTypingTarget(event.target) || document.querySelector('[role="dialog"]')) return;
      if (event.key.toLowerCase() === 's') {
        event.preventDefault();
        setFormOpen(true);
      }
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, []);

  const failure = requests.error ?? welfare.error ?? orders.error;
  return (
    <section className="operations-section" aria-labelledby="ops-title" data-testid="operations">
      <Group justify="space-between" mb="xs">
        <Title order={2} size="h4" id="ops-title">
          {t('ops.title')}
        </Title>
        <Button
          size="xs"
          leftSection={<IconPhonePlus size={16} aria-hidden />}
          onClick={() => setFormOpen(true)}
          data-testid="new-service-call"
        >
          {t('sr.new')}
        </Button>
      </Group>
      {failure !== null && (
        <Alert color="orange" mb="xs">
          {t('ops.loadFailed', { message: describeError(failure, t) })}
        </Alert>
      )}
      <Tabs
        value={tab}
        onChange={(next) => {
          // Opening a tab shows it fresh (e.g. the work order a resolved alarm just made).
          setTab(next);
          if (next === 'requests') requests.reload();
          if (next === 'welfare') welfare.reload();
          if (next === 'orders') orders.reload();
        }}
        keepMounted={false}
      >
        <Tabs.List>
          <Tabs.Tab value="requests" data-testid="tab-requests">
            {t('ops.tab.requests', { count: requests.data?.serviceRequests.length ?? 0 })}
          </Tabs.Tab>
          <Tabs.Tab value="welfare" data-testid="tab-welfare">
            {t('ops.tab.welfare', { count: welfare.data?.checks.length ?? 0 })}
          </Tabs.Tab>
          <Tabs.Tab value="orders" data-testid="tab-orders">
            {t('ops.tab.workOrders', { count: orders.data?.workOrders.length ?? 0 })}
          </Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="requests" pt="xs">
          <ServiceRequestTable
            requests={requests.data?.serviceRequests ?? []}
            canAssign
            onChanged={() => {
              onNotice(t('sr.updated'));
              requests.reload();
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="welfare" pt="xs">
          <WelfareList
            checks={welfare.data?.checks ?? []}
            onRecorded={(check) => {
              onNotice(check.followUpRequestId ? t('welfare.followUp') : t('welfare.recorded'));
              welfare.reload();
              if (check.followUpRequestId) requests.reload();
            }}
          />
        </Tabs.Panel>
        <Tabs.Panel value="orders" pt="xs">
          <WorkOrderList
            orders={orders.data?.workOrders ?? []}
            canAssign
            onChanged={() => orders.reload()}
          />
        </Tabs.Panel>
      </Tabs>
      <ServiceCallForm
        opened={formOpen}
        onClose={() => setFormOpen(false)}
        onCreated={() => {
          setFormOpen(false);
          setTab('requests');
          onNotice(t('sr.created'));
          requests.reload();
        }}
      />
    </section>
  );
}
