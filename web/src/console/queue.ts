/**
 * The live alarm queue as a pure reducer.
 *
 * Contract (protocol/realtime.ts): on every (re)connect the console calls `alarms:sync` and
 * REPLACES its list, so nothing missed while disconnected and nothing shown twice; in between it
 * applies `alarm:new` / `alarm:updated` by id. Resolved alarms leave the queue. The list is always
 * in compareAlarmsForQueue order (life-safety first, then oldest) and never paged.
 *
 * Events can arrive out of step with a sync answer (the hub may push an update while it is still
 * reading the list), so an upsert never moves an alarm backwards in its lifecycle, and ids that
 * were resolved are remembered (bounded) so a late, older event cannot bring them back.
 */
import { compareAlarmsForQueue, type AlarmDto, type AlarmStatus } from '@anxin/protocol';

export interface QueueState {
  /** Unresolved alarms in queue order. */
  readonly alarms: readonly AlarmDto[];
  /** True once the first sync of the current connection has been applied. */
  readonly synced: boolean;
  /** Recently resolved ids, oldest first (bounded by RESOLVED_MEMORY). */
  readonly resolvedIds: readonly string[];
}

export type QueueAction =
  | { type: 'sync'; alarms: readonly AlarmDto[] }
  | { type: 'upsert'; alarm: AlarmDto }
  | { type: 'unsynced' };

export const RESOLVED_MEMORY = 1000;

export const initialQueueState: QueueState = { alarms: [], synced: false, resolvedIds: [] };

const STATUS_RANK: Readonly<Record<AlarmStatus, number>> = {
  open: 0,
  acknowledged: 1,
  resolved: 2,
};

/**
 * True when `incoming` is not older than `current`: its status is at least as far along, and
 * within the same status it has at least as many triggers (a new trigger joining bumps the count).
 */
export function isSameOrNewer(incoming: AlarmDto, current: AlarmDto): boolean {
  const rankDelta = STATUS_RANK[incoming.status] - STATUS_RANK[current.status];
  if (rankDelta !== 0) return rankDelta > 0;
  if (incoming.triggerCount !== current.triggerCount)
    return incoming.triggerCount > current.triggerCount;
  return incoming.lastTriggerAt >= current.lastTriggerAt;
}

function rememberResolved(ids: readonly string[], id: string): readonly string[] {
  if (ids.includes(id)) return ids;
  const next = [...ids, id];
  return next.length > RESOLVED_MEMORY ? next.slice(next.length - RESOLVED_MEMORY) : next;
}

/** Sorted copy without resolved alarms and without duplicate ids (the newer copy wins). */
function normalise(alarms: readonly AlarmDto[]): AlarmDto[] {
  const byId = new Map<string, AlarmDto>();
  for (const alarm of alarms) {
    const existing = byId.get(alarm.id);
    if (!existing || isSameOrNewer(alarm, existing)) byId.set(alarm.id, alarm);
  }
  return [...byId.values()].filter((a) => a.status !== 'resolved').sort(compareAlarmsForQueue);
}

/**
 * `residentId` and `responders` are optional in the contract (added by issue 5): a copy without
 * them (e.g. from a route that does not add them) keeps what the previous copy knew.
 */
export function keepCareFields(incoming: AlarmDto, current: AlarmDto | undefined): AlarmDto {
  if (!current) return incoming;
  if (incoming.responders !== undefined && incoming.residentId !== undefined) return incoming;
  const merged: AlarmDto = { ...incoming };
  if (merged.responders === undefined && current.responders !== undefined)
    merged.responders = current.responders;
  if (merged.residentId === undefined && current.residentId !== undefined)
    merged.residentId = current.residentId;
  return merged;
}

export function queueReducer(state: QueueState, action: QueueAction): QueueState {
  switch (action.type) {
    case 'sync':
      // The hub's list is the truth at this moment: replace, and forget what we knew.
      return { alarms: normalise(action.alarms), synced: true, resolvedIds: [] };
    case 'unsynced':
      return state.synced ? { ...state, synced: false } : state;
    case 'upsert': {
      const index = state.alarms.findIndex((a) => a.id === action.alarm.id);
      const current = index >= 0 ? state.alarms[index] : undefined;
      const incoming = keepCareFields(action.alarm, current);
      if (current && !isSameOrNewer(incoming, current)) return state;
      if (incoming.status === 'resolved') {
        const resolvedIds = rememberResolved(state.resolvedIds, incoming.id);
        if (index < 0) return resolvedIds === state.resolvedIds ? state : { ...state, resolvedIds };
        return { ...state, alarms: state.alarms.filter((a) => a.id !== incoming.id), resolvedIds };
      }
      if (index < 0 && state.resolvedIds.includes(incoming.id)) return state;
      const rest = index < 0 ? state.alarms : state.alarms.filter((a) => a.id !== incoming.id);
      return { ...state, alarms: insertSorted(rest, incoming) };
    }
  }
}

function insertSorted(sorted: readonly AlarmDto[], alarm: AlarmDto): AlarmDto[] {
  const result = [...sorted];
  let lo = 0;
  let hi = result.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const probe = result[mid];
    if (probe !== undefined && compareAlarmsForQueue(probe, alarm) <= 0) lo = mid + 1;
    else hi = mid;
  }
  result.splice(lo, 0, alarm);
  return result;
}

/** Counts for the queue header. */
export function queueCounts(alarms: readonly AlarmDto[]): { open: number; acknowledged: number } {
  let open = 0;
  let acknowledged = 0;
  for (const alarm of alarms) {
    if (alarm.status === 'open') open += 1;
    else if (alarm.status === 'acknowledged') acknowledged += 1;
  }
  return { open, acknowledged };
}

/** The alarm `a` should take: the selected one if still waiting, else the first waiting alarm. */
export function alarmToTake(
  alarms: readonly AlarmDto[],
  selectedId: string | null,
): AlarmDto | null {
  const selected = selectedId === null ? undefined : alarms.find((a) => a.id === selectedId);
  if (selected?.status === 'open') return selected;
  return alarms.find((a) => a.status === 'open') ?? null;
}

/** Moves the selection by `step` rows, clamped to the list; selects the first row if none. */
export function moveSelection(
  alarms: readonly AlarmDto[],
  selectedId: string | null,
  step: number,
): string | null {
  if (alarms.length === 0) return null;
  const index = selectedId === null ? -1 : alarms.findIndex((a) => a.id === selectedId);
  if (index < 0) return alarms[0]?.id ?? null;
  const next = Math.min(alarms.length - 1, Math.max(0, index + step));
  return alarms[next]?.id ?? null;
}
