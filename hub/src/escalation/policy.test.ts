import { describe, expect, it } from 'vitest';
import { decideStep, escalates, firstDueAt, type StepFacts } from './policy.js';

const times = { ackTimeoutS: 60, supervisorTimeoutS: 120, contactStepTimeoutS: 180 };
const NOW = Date.parse('2026-12-05T03:00:00Z');
const open: StepFacts = {
  stage: 'pending',
  contactIndex: 0,
  alarmStatus: 'open',
  test: false,
  contactCount: 2,
};

describe('escalation policy (pure, injected clock)', () => {
  it.each<[string, Partial<StepFacts>, ReturnType<typeof decideStep>]>([
    ['untaken pending → supervisors', {}, { kind: 'supervisors', dueAt: NOW + 120_000 }],
    [
      'supervisors → first contact',
      { stage: 'supervisors' },
      { kind: 'contact', contactIndex: 0, dueAt: NOW + 180_000 },
    ],
    [
      'contact #1 → contact #2',
      { stage: 'contact', contactIndex: 0 },
      { kind: 'contact', contactIndex: 1, dueAt: NOW + 180_000 },
    ],
    ['last contact → exhausted', { stage: 'contact', contactIndex: 1 }, { kind: 'exhausted' }],
    [
      'supervisors, no contacts → exhausted',
      { stage: 'supervisors', contactCount: 0 },
      { kind: 'exhausted' },
    ],
    [
      'taken before escalating: stop quietly',
      { alarmStatus: 'acknowledged' },
      { kind: 'stop', reason: 'acknowledged', tellSupervisors: false },
    ],
    [
      'resolved while with the supervisors: stop and tell them',
      { stage: 'supervisors', alarmStatus: 'resolved' },
      { kind: 'stop', reason: 'resolved', tellSupervisors: true },
    ],
    [
      'alarm gone',
      { stage: 'contact', alarmStatus: undefined },
      { kind: 'stop', reason: 'alarm_missing', tellSupervisors: true },
    ],
    [
      'test mode never escalates',
      { test: true },
      { kind: 'stop', reason: 'test_mode', tellSupervisors: false },
    ],
  ])('%s', (_name, facts, expected) => {
    expect(decideStep({ ...open, ...facts }, times, NOW)).toEqual(expected);
  });

  it('the first step falls due ackTimeoutS after the hub received the alarm', () => {
    expect(firstDueAt('2026-12-05T03:00:00.000Z', times)).toBe(NOW + 60_000);
  });

  it.each<
    [
      string,
      { status: 'open' | 'acknowledged'; test: boolean; priority: 1 | 2 | 3 },
      boolean,
      boolean,
    ]
  >([
    ['open priority 1', { status: 'open', test: false, priority: 1 }, true, true],
    [
      'technical priority 3 is not in the list',
      { status: 'open', test: false, priority: 3 },
      true,
      false,
    ],
    ['test alarm', { status: 'open', test: true, priority: 1 }, true, false],
    ['already acknowledged', { status: 'acknowledged', test: false, priority: 1 }, true, false],
    ['escalation disabled', { status: 'open', test: false, priority: 1 }, false, false],
  ])('escalates: %s', (_name, alarm, enabled, expected) => {
    expect(escalates(alarm, { enabled, priorities: [1, 2] })).toBe(expected);
  });
});
