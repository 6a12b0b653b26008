/**
 * Welfare plans (/plans) for operators, supervisors and administrators: every plan of their areas
 * (filtered by area subtree and active/paused), a new plan for a resident, edit, pause or resume,
 * and delete after a confirmation. The plans make the due checks the console's welfare list
 * shows.
 */
import type {
  AreaListResponse,
  WelfareAssigneeListResponse,
  WelfarePlanDto,
  WelfarePlanListResponse,
} from '@anxin/protocol';
import { Alert, Anchor, Button, Group, Select, Stack, Text } from '@mantine/core';
import { IconPlus } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { describeError } from '../api/describeError';
import { listAreas } from '../api/hub';
import { listWelfareAssignees, listWelfarePlans, updateWelfarePlan } from '../api/welfarePlans';
import { LabelledSegments } from '../app/LabelledSegments';
import { PageHeader } from '../app/PageHeader';
import { link } from '../app/router';
import { Failed, Loading } from '../app/Status';
import { useLoad } from '../app/useLoad';
import { useI18n } from '../i18n/I18nProvider';
import { DeletePlanDialog } from './DeletePlanDialog';
import { PlanForm } from './PlanForm';
import { PlanTable } from './PlanTable';
import type { SignedInProps } from '../app/SignedInUser';

const SHOW = ['active', 'paused', 'all'] as const;
type Show = (typeof SHOW)[number];

/** What the form is doing: closed, creating, or editing a plan. */
type Editing = { kind: 'closed' } | { kind: 'create' } | { kind: 'edit'; plan: WelfarePlanDto };

export function PlansPage({ session, onSignOut }: SignedInProps) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = `${t('plans.title')} · ${t('app.name')}`;
  }, [t]);
  const [areaId, setAreaId] = useState<string | null>(null);
  const [show, setShow] = useState<Show>('active');
  const [editing, setEditing] = useState<Editing>({ kind: 'closed' });
  const [deleting, setDeleting] = useState<WelfarePlanDto | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [notice, setNotice] = useState('');
  const [error, setError] = useState<string | null>(null);

  const plans = useLoad<WelfarePlanListResponse>(
    (signal) =>
      listWelfarePlans(
        {
          ...(areaId !== null ? { areaId } : {}),
          ...(show !== 'all' ? { active: show === 'active' } : {}),
        },
        signal,
      ),
    [areaId, show],
  );
  const areas = useLoad<AreaListResponse>((signal) => listAreas(signal), []);
  const assignees = useLoad<WelfareAssigneeListResponse>(
    (signal) => listWelfareAssignees(signal),
    [],
  );

  const done = (text: string) => {
    setNotice(text);
    setError(null);
    plans.reload();
  };
  const toggle = (plan: WelfarePlanDto) => {
    setBusyId(plan.id);
    setError(null);
    updateWelfarePlan(plan.id, { active: !plan.active })
      .then((r) => done(r.plan.active ? t('plans.resumed') : t('plans.paused')))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setBusyId(null));
  };
  const staff = session.user.role === 'supervisor' || session.user.role === 'admin';

  return (
    <div className="console-layout">
      <PageHeader title={t('plans.title')} session={session} onSignOut={onSignOut}>
        <Anchor {...link('/')} data-testid="nav-console">
          {t('plans.back')}
        </Anchor>
        {staff && (
          <Anchor {...link('/supervisor')} data-testid="nav-supervisor">
            {t('supervisor.title')}
          </Anchor>
        )}
      </PageHeader>
      <main className="page-main" id="main">
        <Stack gap="md" maw={1200}>
          <Text>{t('plans.intro')}</Text>
          <Group gap="md" align="flex-end" wrap="wrap">
            <Select
              label={t('plans.filter.area')}
              placeholder={t('plans.filter.allAreas')}
              data={
                areas.load.kind === 'loaded'
                  ? areas.load.data.areas.map((a) => ({ value: a.id, label: a.name }))
                  : []
              }
              value={areaId}
              onChange={setAreaId}
              clearable
              searchable
              data-testid="plans-area"
            />
            <LabelledSegments
              id="plans-show-label"
              label={t('plans.filter.show')}
              value={show}
              choices={SHOW.map((s) => ({ value: s, label: t(`plans.filter.${s}`) }))}
              onChange={setShow}
              testId="plans-show"
            />
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              onClick={() => setEditing({ kind: 'create' })}
              data-testid="plan-new"
            >
              {t('plans.new')}
            </Button>
          </Group>
          <Text role="status" aria-live="polite" size="sm" data-testid="plans-message">
            {notice}
          </Text>
          {error !== null && (
            <Alert color="red" role="alert" data-testid="plans-error">
              {error}
            </Alert>
          )}
          {assignees.load.kind === 'failed' && <Failed error={assignees.load.error} />}
          {plans.load.kind === 'loading' && <Loading />}
          {plans.load.kind === 'failed' && <Failed error={plans.load.error} />}
          {plans.load.kind === 'loaded' && (
            <PlanTable
              plans={plans.load.data.plans}
              busyId={busyId}
              onEdit={(plan) => setEditing({ kind: 'edit', plan })}
              onToggle={toggle}
              onDelete={setDeleting}
            />
          )}
        </Stack>
      </main>
      {editing.kind !== 'closed' && (
        <PlanForm
          key={editing.kind === 'edit' ? editing.plan.id : 'new'}
          plan={editing.kind === 'edit' ? editing.plan : null}
          assignees={assignees.load.kind === 'loaded' ? assignees.load.data.assignees : []}
          onClose={() => setEditing({ kind: 'closed' })}
          onSaved={(_plan, created) => {
            setEditing({ kind: 'closed' });
            done(created ? t('plans.created') : t('plans.saved'));
          }}
        />
      )}
      {deleting !== null && (
        <DeletePlanDialog
          plan={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            done(t('plans.deleted'));
          }}
        />
      )}
    </div>
  );
}
