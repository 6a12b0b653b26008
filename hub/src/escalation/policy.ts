/**
 * The escalation chain's rules, pure (issue 14): given a chain's current step, what is known of its
 * alarm and the time now, what happens next. No SQL, no timers, no clock of its own — the caller
 * passes `now` — so every branch is table-tested in-process (policy.test.ts).
 *
 *   pending ──(ackTimeoutS, still open)──▶ supervisors ──(supervisorTimeoutS)──▶ contact #1
 *   ──(contactStepTimeoutS)──▶ contact #2 … ──▶ exhausted
 */
import type { AlarmDto, EscalationStage } from '@anxin/protocol';
import type { EscalationConfig } from './config.js';

export type EscalationTimes = Pick<
  EscalationConfig,
  'ackTimeoutS' | 'supervisorTimeoutS' | 'contactStepTimeoutS'
>;

/** Whether a stored alarm starts a chain (open, real, of an escalating priority). */
export function escalates(
  alarm: Pick<AlarmDto, 'status' | 'test' | 'priority'>,
  config: Pick<EscalationConfig, 'enabled' | 'priorities'>,
): boolean {
  return (
    config.enabled &&
    alarm.status === 'open' &&
    !alarm.test &&
    config.priorities.includes(alarm.priority)
  );
}

/** When an untaken alarm first escalates: counted from when the hub received it. */
export function firstDueAt(
  receivedAt: string,
  config: Pick<EscalationConfig, 'ackTimeoutS'>,
): number {
  return Date.parse(receivedAt) + config.ackTimeoutS * 1000;
}

export type StepDecision =
  /** Nobody needs chasing; `tellSupervisors` when they had already been told. */
  | { kind: 'stop'; reason: string; tellSupervisors: boolean }
  | { kind: 'supervisors'; dueAt: number }
  | { kind: 'contact'; contactIndex: number; dueAt: number }
  | { kind: 'exhausted' };

/** What is known about the chain's alarm when its step falls due. */
export interface StepFacts {
  stage: EscalationStage;
  contactIndex: number;
  /** Undefined when the alarm row is gone. */
  alarmStatus: string | undefined;
  /** A test alarm, or its home is in test mode. */
  test: boolean;
  /** The home's contacts in call order (only needed past the supervisors' step). */
  contactCount: number;
}

export function decideStep(facts: StepFacts, config: EscalationTimes, now: number): StepDecision {
  if (facts.alarmStatus !== 'open')
    return {
      kind: 'stop',
      // Taken or resolved (an accepted chain is never due).
      reason: facts.alarmStatus ?? 'alarm_missing',
      // Taken before it ever escalated (the usual case): nothing to tell supervisors.
      tellSupervisors: facts.stage !== 'pending',
    };
  if (facts.test) return { kind: 'stop', reason: 'test_mode', tellSupervisors: false };
  if (facts.stage === 'pending')
    return { kind: 'supervisors', dueAt: now + config.supervisorTimeoutS * 1000 };
  const contactIndex = facts.stage === 'supervisors' ? 0 : facts.contactIndex + 1;
  if (contactIndex >= facts.contactCount) return { kind: 'exhausted' };
  return { kind: 'contact', contactIndex, dueAt: now + config.contactStepTimeoutS * 1000 };
}
