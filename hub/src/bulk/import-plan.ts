/**
 * The import's checks across rows and against what the hub holds, pure: the lookups are passed
 * in (the route builds them from the scope resolver and one query per kind). Decides, per valid
 * record, whether it creates or updates, and reports every conflict with its row.
 */
import type { ImportRowError } from '@anxin/protocol';
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
}

export interface ImportPlan {
  /** Records that passed, each marked create or update. */
  accepted: { record: ImportRecord; update: boolean }[];
  errors: ImportRowError[];
}

export const contactKey = (homeId: string, callOrder: number): string =>
  `${homeId}\u0000${callOrder}`;

function keyOf(record: ImportRecord): string {
  if (record.kind === 'contacts') return contactKey(record.value.homeId, record.value.callOrder);
  return record.value.id;
}

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
    const keyColumn =
      record.kind === 'homes'
        ? 'home_code'
        : record.kind === 'residents'
          ? 'resident_code'
          : 'call_order';
    const seen = firstRow.get(key);
    if (seen !== undefined) {
      err(record, keyColumn, 'DUPLICATE_KEY', `the same record as row ${seen}`);
      continue;
    }
    firstRow.set(key, record.row);
    const before = errors.length;
    let update = false;

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
    } else {
      const { homeId, callOrder } = record.value;
      if (!knownHome(homeId))
        err(record, 'home_code', 'UNKNOWN_HOME', `no home ${homeId} (import homes first)`);
      update = lookups.contactKeys.has(contactKey(homeId, callOrder));
    }
    if (errors.length === before) accepted.push({ record, update });
  }
  return { accepted, errors };
}
