import {
  ANSWER_TARGETS as CONTRACT_TARGETS,
  DEVICE_KINDS,
  planFor as contractPlanFor,
} from '@anxin/protocol';
import { describe, expect, it } from 'vitest';
import { ANSWER_TARGETS, DEVICE_KIND_LIST, isDeviceKind, planFor } from './labels';

describe('local copies of contract values (kept out of the bundle with TypeBox)', () => {
  it('match the protocol', () => {
    expect([...DEVICE_KIND_LIST].sort()).toEqual([...DEVICE_KINDS].sort());
    expect(ANSWER_TARGETS).toEqual(CONTRACT_TARGETS);
    expect(isDeviceKind('motion')).toBe(true);
    expect(isDeviceKind('toString')).toBe(false);
    expect(isDeviceKind(null)).toBe(false);
    const plans = [
      { homeId: 'h', kind: 'default' as const, steps: ['a'], updatedAt: '', updatedBy: null },
      { homeId: 'h', kind: 'fall' as const, steps: ['b'], updatedAt: '', updatedBy: null },
    ];
    for (const kind of ['fall', 'sos'] as const)
      expect(planFor(plans, kind)).toBe(contractPlanFor(plans, kind));
  });
});
