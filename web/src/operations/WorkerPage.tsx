/**
 * The community worker's page (/visits): the visits due in their areas (overdue first) with the
 * result buttons, and the service requests and work orders assigned to them. Made for a phone.
 */
import { Alert, Stack, Title } from '@mantine/core';
import { describeError } from '../api/describeError';
import { listServiceRequests, listWelfareChecks, listWorkOrders } from '../api/operations';
import { PageHeader } from '../app/PageHeader';
import { useI18n } from '../i18n/I18nProvider';
import { ServiceRequestTable } from './ServiceRequestTable';
import { useOpsList } from './useOpsList';
import { WelfareList } from './WelfareList';
import { WorkOrderList } from './WorkOrderList';
import type { SignedInProps } from '../app/SignedInUser';

const REFRESH_MS = 30_000;

export function WorkerPage({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  const visits = useOpsList(
    (s) => listWelfareChecks({ view: 'visits' }, s),
    ['welfare_check', 'welfare_plan'],
    REFRESH_MS,
  );
  const requests = useOpsList(
    (s) => listServiceRequests({ mine: true }, s),
    ['service_request'],
    REFRESH_MS,
  );
  const orders = useOpsList((s) => listWorkOrders({ mine: true }, s), ['work_order'], REFRESH_MS);
  const failure = visits.error ?? requests.error ?? orders.error;
  return (
    <>
      <PageHeader title={t('worker.title')} session={session} onSignOut={onSignOut} />
      <Stack gap="lg" className="narrow-page" p="md" data-testid="worker-page">
        {failure !== null && (
          <Alert color="orange">
            {t('ops.loadFailed', { message: describeError(failure, t) })}
          </Alert>
        )}
        <section aria-labelledby="worker-visits">
          <Title order={2} size="h3" id="worker-visits" mb="xs">
            {t('worker.title')}
          </Title>
          <WelfareList checks={visits.data?.checks ?? []} onRecorded={() => visits.reload()} />
        </section>
        <section aria-labelledby="worker-requests">
          <Title order={2} size="h3" id="worker-requests" mb="xs">
            {t('worker.requests')}
          </Title>
          <ServiceRequestTable
            requests={requests.data?.serviceRequests ?? []}
            canAssign={false}
            onChanged={() => requests.reload()}
          />
          <WorkOrderList orders={orders.data?.workOrders ?? []} onChanged={() => orders.reload()} />
        </section>
      </Stack>
    </>
  );
}
