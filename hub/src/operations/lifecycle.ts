/**
 * The task lifecycle shared by service requests and work orders (protocol operations-common.ts):
 *   open → assigned → in_progress → done;  open | assigned | in_progress → cancelled.
 * Pure: the stores apply the answer in one conditional UPDATE (… WHERE status = <the one read>),
 * so two operators changing the same task at once cannot both win.
 */
import type { TaskStatus, TaskStatusChange } from '@anxin/protocol';

export type Transition =
  | { ok: true; to: TaskStatus }
  | { ok: false; code: 'TASK_CLOSED' | 'NOT_ASSIGNED' | 'NOT_STARTED'; message: string };

export function isClosed(status: TaskStatus): boolean {
  return status === 'done' || status === 'cancelled';
}

/** Assigning (or re-assigning): allowed until the task is closed; starts it as `assigned`. */
export function assignTransition(from: TaskStatus): Transition {
  if (isClosed(from)) return { ok: false, code: 'TASK_CLOSED', message: `task is ${from}` };
  return { ok: true, to: from === 'in_progress' ? 'in_progress' : 'assigned' };
}

export function statusTransition(from: TaskStatus, to: TaskStatusChange): Transition {
  if (isClosed(from)) return { ok: false, code: 'TASK_CLOSED', message: `task is ${from}` };
  if (to === 'cancelled') return { ok: true, to };
  if (to === 'in_progress') {
    if (from === 'open')
      return { ok: false, code: 'NOT_ASSIGNED', message: 'assign the task before starting it' };
    return { ok: true, to };
  }
  // done: from assigned (work done in one go) or in_progress; never straight from open.
  if (from === 'open')
    return {
      ok: false,
      code: 'NOT_ASSIGNED',
      message: 'assign the task before closing it as done',
    };
  return { ok: true, to };
}
