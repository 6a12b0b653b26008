/** A welfare plan in words: its schedule ("Call every 2 days") and its next check due. */
import type { WelfarePlanDto } from '@anxin/protocol';
import type { MessageKey, MessageVars } from '../i18n';

type Translate = (key: MessageKey, vars?: MessageVars) => string;

export function scheduleText(
  plan: Pick<WelfarePlanDto, 'kind' | 'cadence' | 'count'>,
  t: Translate,
): string {
  return t(`plans.schedule.${plan.kind}.${plan.cadence}`, { count: plan.count });
}

/** The pending check's day, or its window for a per-month plan; a paused plan owes none. */
export function nextDueText(
  plan: Pick<WelfarePlanDto, 'nextDueDay' | 'nextWindowStartDay'>,
  t: Translate,
): string {
  const { nextDueDay: due, nextWindowStartDay: start } = plan;
  if (due === null) return t('plans.nextDue.none');
  if (start === null || start === due) return due;
  return t('welfare.window', { start, end: due });
}
