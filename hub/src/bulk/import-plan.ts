/**
 * The import's checks across rows and against what the hub holds, pure: the lookups are passed
 * in (the route builds them from the scope resolver and one query per kind). Decides, per valid
 * record, whether it creates or updates, and reports every conflict with its row.
 */
import type { ImportRowError } from '@anxin/protocol';
import {
  assigneeRefusal,
  CHECK_ASSIGNEES,
  type AssigneeCandidate,
} from '../operations/assignees.js';
import type { ImportRecord } from './import-rows.js';

export interface ImportLookups {
  areaExists(areaId: string): boolean;
  areaInScope(areaId: string): boolean;
  /** The area of an existing home, undefined when no home has this code. */
  homeArea(homeId: string): string | undefined;
  homeInScope(homeId: string): boolean;
  /** Existing residents named in the file: resident id → home id. */
  residentHome: ReadonlyMap<string, string>;
  /** Existing contacts of the homes named in the file: `${homeId}\u0000${callOrder}`. */
  contactKeys: ReadonlySet<string>;
  /** Existing welfare plans of the residents named in the file: planKey → plan id. */
  planIds: ReadonlyMap<string, string>;
  /** Users named as assignees in the file, by username. */
  users: ReadonlyMap<string, AssigneeCandidate & { id: string }>;
}

/** What a welfare plan row resolves to on the hub (the apply step writes it). */
export interface ResolvedPlan {
  homeId: string;
  assigneeUserId: string | null;
  /** The plan this row updates; null: a new plan. */
  planId: string | null;
}

export interface ImportPlan {
  /** Records that passed, each marked create or update. */
  accepted: { record: ImportRecord; update: boolean; plan?: ResolvedPlan }[];
  errors: ImportRowError[];
}

export const contactKey = (homeId: string, callOrder: number): string =>
  `${homeId}\u0000${callOrder}`;
/** A resident has one plan of each kind (call, visit) as far as the import is concerned. */
export const planKey = (residentId: string, kind: string): string => `${residentId}\u0000${kind}`;

function keyOf(record: ImportRecord): string {
  if (record.kind === 'contacts') return contactKey(record.value.homeId, record.value.callOrder);
  if (record.kind === 'welfare_plans') return planKey(record.value.residentId, record.value.kind);
  return record.value.id;
}

const KEY_COLUMN: Record<ImportRecord['kind'], string> = {
  homes: 'home_code',
  residents: 'resident_code',
  contacts: 'call_order',
  welfare_plans: 'kind',
};

export function planImport(records: readonly ImportRecord[], lookups: ImportLookups): ImportPlan {
  const accepted: ImportPlan['accepted'] = [];
  const errors: ImportRowError[] = [];
  const firstRow = new Map<string, number>();
  const err = (
    record: ImportRecord,
    column: string,
    code: ImportRowError['code'],
    message: string,
  ) => errors.push({ row: record.row, column, code, message });
  // A home in scope that exists, or that this file creates in an area in scope.
  const knownHome = (homeId: string) =>
    lookups.homeArea(homeId) !== undefined && lookups.homeInScope(homeId);

  for (const record of records) {
    const key = keyOf(record);
    const keyColumn = KEY_COLUMN[record.kind];
    const seen = firstRow.get(key);
    if (seen !== undefined) {
      err(record, keyColumn, 'DUPLICATE_KEY', `the same record as row ${seen}`);
      continue;
    }
    firstRow.set(key, record.row);
    const before = errors.length;
    let update = false;
    let plan: ResolvedPlan | undefined;

    if (record.kind === 'homes') {
      const { id, areaId } = record.value;
      if (!lookups.areaExists(areaId)) err(record, 'area_id', 'UNKNOWN_AREA', `no area ${areaId}`);
      else if (!lookups.areaInScope(areaId))
        err(record, 'area_id', 'AREA_OUT_OF_SCOPE', `area ${areaId} is not one of yours`);
      const existingArea = lookups.homeArea(id);
      if (existingArea !== undefined) {
        // Updating (or moving) a home needs it in scope now, as a PATCH would.
        if (!lookups.homeInScope(id))
          err(record, 'home_code', 'CODE_TAKEN', 'a home outside your areas has this code');
        update = true;
      }
    } else if (record.kind === 'residents') {
      const { id, homeId } = record.value;
      // A home outside the scope answers like an unknown one (as REST answers 404 for both).
      if (!knownHome(homeId))
        err(record, 'home_code', 'UNKNOWN_HOME', `no home ${homeId} (import homes first)`);
      const currentHome = lookups.residentHome.get(id);
      if (currentHome !== undefined) {
        if (!lookups.homeInScope(currentHome))
          err(record, 'resident_code', 'CODE_TAKEN', 'a resident outside your areas has this code');
        update = true;
      }
    } else if (record.kind === 'contacts') {
      const { homeId, callOrder } = record.value;
      if (!knownHome(homeId))
        err(record, 'home_code', 'UNKNOWN_HOME', `no home ${homeId} (import homes first)`);
      update = lookups.contactKeys.has(contactKey(homeId, callOrder));
    } else {
      const { residentId, kind, assignee } = record.value;
      const homeId = lookups.residentHome.get(residentId);
      // A resident outside the scope answers like an unknown one (REST answers 404 for both).
      if (homeId === undefined || !lookups.homeInScope(homeId))
        err(record, 'resident_code', 'UNKNOWN_RESIDENT', `no resident ${residentId}`);
      const user = assignee === null ? undefined : lookups.users.get(assignee);
      const refusal = assignee === null ? null : assigneeRefusal(user, CHECK_ASSIGNEES);
      if (refusal !== null)
        err(record, 'assignee', 'INVALID_ASSIGNEE', `${assignee ?? ''}: ${refusal}`);
      const planId = lookups.planIds.get(planKey(residentId, kind)) ?? null;
      update = planId !== null;
      if (homeId !== undefined) plan = { homeId, assigneeUserId: user?.id ?? null, planId };
    }
    if (errors.length === before) accepted.push({ record, update, ...(plan ? { plan } : {}) });
  }
  return { accepted, errors };
}
