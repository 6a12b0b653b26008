/**
 * Creating a welfare plan for a resident, or editing one: what kind of check (call or visit; not
 * changeable afterwards, a different kind is a different plan), how often (every N days, or N
 * times a month), from which day, and who makes the checks (a community worker from
 * /welfare-assignees, or the call centre). Keyboard first: the home field has the focus, Tab
 * through the rest, Ctrl+Enter saves from anywhere in the form, Esc closes.
 */
import {
  WELFARE_CADENCES,
  WELFARE_CHECK_KINDS,
  type WelfareAssigneeDto,
  type WelfareCadence,
  type WelfareCheckKind,
  type WelfarePlanDto,
} from '@anxin/protocol';
import {
  Alert,
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { describeError } from '../api/describeError';
import { submitKeys } from '../app/formKeys';
import { LabelledSegments } from '../app/LabelledSegments';
import { createWelfarePlan, updateWelfarePlan } from '../api/welfarePlans';
import { useI18n } from '../i18n/I18nProvider';
import { ResidentPicker } from '../operations/ResidentPicker';

/** The assignee select's value for "the call centre" (no assignee). */
const CALL_CENTRE = '';

export interface PlanFormProps {
  /** The plan being edited, or null to create one. */
  plan: WelfarePlanDto | null;
  assignees: readonly WelfareAssigneeDto[];
  onClose: () => void;
  onSaved: (plan: WelfarePlanDto, created: boolean) => void;
}

/** Opened by mounting; `key` it by the plan so each opening starts from that plan's values. */
export function PlanForm({ plan, assignees, onClose, onSaved }: PlanFormProps) {
  const { t } = useI18n();
  const [residentId, setResidentId] = useState<string | null>(null);
  const [kind, setKind] = useState<WelfareCheckKind>(plan?.kind ?? 'call');
  const [cadence, setCadence] = useState<WelfareCadence>(plan?.cadence ?? 'every_days');
  const [count, setCount] = useState<number>(plan?.count ?? 2);
  const [startDay, setStartDay] = useState(plan?.startDay ?? '');
  const [assignee, setAssignee] = useState<string>(plan?.assigneeUserId ?? CALL_CENTRE);
  const [notes, setNotes] = useState(plan?.notes ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const submit = () => {
    if (saving) return;
    if (plan === null && residentId === null) {
      setError(t('plans.form.missingResident'));
      return;
    }
    if (!Number.isInteger(count) || count < 1 || count > 31) {
      setError(t('plans.form.badCount'));
      return;
    }
    setSaving(true);
    setError(null);
    const trimmed = notes.trim();
    const saved =
      plan === null
        ? createWelfarePlan({
            residentId: residentId ?? '',
            kind,
            cadence,
            count,
            ...(startDay !== '' ? { startDay } : {}),
            ...(assignee !== CALL_CENTRE ? { assigneeUserId: assignee } : {}),
            ...(trimmed !== '' ? { notes: trimmed } : {}),
          })
        : updateWelfarePlan(plan.id, {
            cadence,
            count,
            ...(startDay !== '' && startDay !== plan.startDay ? { startDay } : {}),
            assigneeUserId: assignee === CALL_CENTRE ? null : assignee,
            notes: trimmed === '' ? null : trimmed,
          });
    saved
      .then((r) => onSaved(r.plan, plan === null))
      .catch((e: unknown) => setError(describeError(e, t)))
      .finally(() => setSaving(false));
  };

  // The current assignee stays choosable even if no longer offered (e.g. moved to another area).
  const offered =
    plan?.assigneeUserId && !assignees.some((a) => a.id === plan.assigneeUserId)
      ? [...assignees, { id: plan.assigneeUserId, displayName: plan.assigneeName ?? '' }]
      : assignees;

  return (
    <Modal
      opened
      onClose={onClose}
      title={
        plan === null
          ? t('plans.form.createTitle')
          : t('plans.form.editTitle', { name: plan.residentName })
      }
      size="lg"
    >
      <form data-testid="plan-form" {...submitKeys(submit)}>
        <Stack gap="sm">
          {plan === null ? (
            <ResidentPicker
              homeLabel={t('plans.form.home')}
              residentLabel={t('plans.form.resident')}
              residentId={residentId}
              onResident={setResidentId}
              onError={(e) => setError(describeError(e, t))}
              testIdPrefix="planform"
            />
          ) : (
            <Text size="sm">
              {plan.residentName} · {plan.address}
            </Text>
          )}
          <LabelledSegments
            id="plan-kind-label"
            label={t('plans.form.kind')}
            value={kind}
            choices={WELFARE_CHECK_KINDS.map((k) => ({ value: k, label: t(`welfare.kind.${k}`) }))}
            onChange={setKind}
            disabled={plan !== null}
            testId="planform-kind"
          />
          <Group grow align="flex-start">
            <Select
              label={t('plans.form.cadence')}
              data={WELFARE_CADENCES.map((c) => ({
                value: c,
                label: t(`plans.form.cadence.${c}`),
              }))}
              value={cadence}
              onChange={(v) => setCadence(WELFARE_CADENCES.find((c) => c === v) ?? cadence)}
              allowDeselect={false}
              data-testid="planform-cadence"
            />
            <NumberInput
              label={t(`plans.form.count.${cadence}`)}
              value={count}
              onChange={(v) => setCount(typeof v === 'number' ? v : Number.NaN)}
              min={1}
              max={31}
              allowDecimal={false}
              data-testid="planform-count"
            />
          </Group>
          <Group grow align="flex-start">
            <TextInput
              type="date"
              label={t('plans.form.startDay')}
              description={plan === null ? t('plans.form.startDayHint') : undefined}
              value={startDay}
              onChange={(e) => setStartDay(e.currentTarget.value)}
              data-testid="planform-start-day"
            />
            <Select
              label={t('plans.form.assignee')}
              data={[
                { value: CALL_CENTRE, label: t('plans.callCentre') },
                ...offered.map((a) => ({ value: a.id, label: a.displayName })),
              ]}
              value={assignee}
              onChange={(v) => setAssignee(v ?? CALL_CENTRE)}
              allowDeselect={false}
              data-testid="planform-assignee"
            />
          </Group>
          <Textarea
            label={t('plans.form.notes')}
            value={notes}
            onChange={(e) => setNotes(e.currentTarget.value)}
            autosize
            minRows={2}
            maxLength={2000}
            data-testid="planform-notes"
          />
          {error !== null && (
            <Alert color="red" role="alert" data-testid="plan-form-error">
              {error}
            </Alert>
          )}
          <Group justify="flex-end">
            <Button variant="default" onClick={onClose}>
              {t('plans.cancel')}
            </Button>
            <Button type="submit" loading={saving} data-testid="plan-submit">
              {plan === null ? t('plans.form.create') : t('plans.form.save')}
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
