/**
 * The status term of alarm queries, written so that the unresolved alarms are found through their
 * partial indexes (migration 0980: alarms_unresolved_key, alarms_unresolved_queue) and never by
 * walking the resolved history.
 *
 * SQLite uses a partial index only when the query's own terms imply the index's WHERE clause, and
 * it decides that when it prepares the statement: `status IN (?, ?)` with bound parameters
 * implies nothing, `status IN ('open', 'acknowledged')` does. So the statuses are inlined as
 * literals — safe: an AlarmStatus is one of four fixed words (the REST query is checked against
 * them by its schema), and sql.lit quotes what it inlines anyway.
 */
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { AlarmStatus } from '@anxin/protocol';
import { UNRESOLVED } from './rows.js';

export type StatusColumn = 'status' | 'alarms.status';

/**
 * `status IN ('open', …)` with literal values. The unresolved set is always written in UNRESOLVED's
 * order, the order of the indexes' own clause (SQLite compares the lists term by term).
 */
export function statusIn(
  column: StatusColumn,
  statuses: readonly AlarmStatus[],
): RawBuilder<SqlBool> {
  if (statuses.length === 0) return sql<SqlBool>`1 = 0`;
  const ordered = isUnresolvedSet(statuses) ? UNRESOLVED : statuses;
  return sql<SqlBool>`${sql.ref(column)} in (${sql.join(ordered.map((s) => sql.lit(s)))})`;
}

/** Exactly the unresolved statuses (in any order): the partial indexes can serve the query. */
export function isUnresolvedSet(statuses: readonly AlarmStatus[]): boolean {
  const set = new Set(statuses);
  return set.size === UNRESOLVED.length && UNRESOLVED.every((s) => set.has(s));
}
