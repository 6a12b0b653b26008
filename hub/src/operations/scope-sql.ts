/**
 * The care model's scopes (auth/scope.ts) as one SQL condition on a table with `home_id` (and
 * `resident_id`) columns: operators' and workers' areas, installers' homes, families' residents.
 * A family member sees only rows about a resident they follow (a row about nobody in particular,
 * or about another resident of a shared home, is not theirs). Plain portable SQL (IN lists).
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { Scope } from '../auth/scope.js';

export type ScopedTable = 'service_requests' | 'welfare_checks' | 'work_orders' | 'welfare_plans';

/** The condition, or null when the scope is everything. */
export function scopeCondition(
  scope: Scope,
  table: ScopedTable,
  byResident = true,
): RawBuilder<SqlBool> | null {
  const home = sql.ref(`${table}.home_id`);
  // '' keeps an empty scope a valid IN list that matches nothing.
  const list = (ids: Iterable<string>) => sql.join([...ids, ''].map((id) => sql.val(id)));
  if (scope.kind === 'all') return null;
  if (scope.kind === 'areas')
    return sql<SqlBool>`${home} in (select homes.id from homes where homes.area_id in (${list(scope.areaIds)}))`;
  if (!scope.residentIds || !byResident) return sql<SqlBool>`${home} in (${list(scope.homeIds)})`;
  return sql<SqlBool>`(${home} in (${list(scope.homeIds)}) and ${sql.ref(`${table}.resident_id`)} in (${list(scope.residentIds)}))`;
}
