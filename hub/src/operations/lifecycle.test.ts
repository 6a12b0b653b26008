import { describe, expect, it } from 'vitest';
import type { TaskStatus, TaskStatusChange } from '@anxin/protocol';
import { assignTransition, statusTransition } from './lifecycle.js';

describe('task lifecycle', () => {
  it.each<[TaskStatus, TaskStatusChange, TaskStatus | 'NOT_ASSIGNED' | 'TASK_CLOSED']>([
    ['open', 'in_progress', 'NOT_ASSIGNED'],
    ['open', 'done', 'NOT_ASSIGNED'],
    ['open', 'cancelled', 'cancelled'],
    ['assigned', 'in_progress', 'in_progress'],
    ['assigned', 'done', 'done'],
    ['assigned', 'cancelled', 'cancelled'],
    ['in_progress', 'in_progress', 'in_progress'],
    ['in_progress', 'done', 'done'],
    ['in_progress', 'cancelled', 'cancelled'],
    ['done', 'cancelled', 'TASK_CLOSED'],
    ['done', 'in_progress', 'TASK_CLOSED'],
    ['cancelled', 'done', 'TASK_CLOSED'],
  ])('%s → %s: %s', (from, to, expected) => {
    const t = statusTransition(from, to);
    expect(t.ok ? t.to : t.code).toBe(expected);
  });

  it.each<[TaskStatus, string]>([
    ['open', 'assigned'],
    ['assigned', 'assigned'],
    ['in_progress', 'in_progress'],
    ['done', 'TASK_CLOSED'],
    ['cancelled', 'TASK_CLOSED'],
  ])('assign from %s: %s', (from, expected) => {
    const t = assignTransition(from);
    expect(t.ok ? t.to : t.code).toBe(expected);
  });
});
