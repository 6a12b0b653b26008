/**
 * What the operation stores announce after a change has committed (issue 13): the record's kind
 * and id, and the home and resident that decide who may see it. The hub puts it on its bus as
 * `operations:changed`; the realtime part tells the consoles in scope (`ops:changed`), whose
 * lists refetch instead of polling. Announced only after the commit, so a refetch sees it.
 */
import type { OpsChangeKind } from '@anxin/protocol';
import type { TaskResult } from './tasks.js';

export interface OpsChange {
  kind: OpsChangeKind;
  id: string;
  homeId: string | null;
  residentId: string | null;
}

export type OpsAnnounce = (change: OpsChange) => void;

/** The change of a record as its DTO describes it (every operation DTO has these ids). */
export const changeOf = (
  kind: OpsChangeKind,
  dto: { id: string; homeId: string | null; residentId: string | null },
): OpsChange => ({ kind, id: dto.id, homeId: dto.homeId, residentId: dto.residentId });

/** A task change (tasks.ts changeTask), announced once it committed and changed something. */
export async function announced<
  T extends { id: string; homeId: string | null; residentId: string | null },
>(
  announce: OpsAnnounce,
  kind: OpsChangeKind,
  change: Promise<TaskResult<T>>,
): Promise<TaskResult<T>> {
  const result = await change;
  if (result.ok && result.changed) announce(changeOf(kind, result.value));
  return result;
}
