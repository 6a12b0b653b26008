/**
 * 0980_unresolved_alarm_indexes (issue 12 profile): the unresolved alarms — the live queue, a few
 * hundred at most — get partial indexes of their own, so finding one never walks the resolved
 * history, which grows for as long as the district runs.
 *
 * Measured with 3,000 resolved alarms of one gateway and kind (SQLite 3.53): the joining lookup of
 * every alarm event (alarms/writes.ts, findOpenAlarm: `status IN ('open', 'acknowledged') ORDER BY
 * raised_at DESC LIMIT 1`) took 350–510 µs through `alarms_gateway_kind_status`, and the console's
 * queue 290–350 µs through `alarms_status_queue`, both growing with the history: with an IN list on
 * an index column and ORDER BY, SQLite steps through the index instead of seeking each value
 * (OP_SeekScan). Through these partial indexes: 24 µs and 21 µs, whatever the history.
 *
 * `alarms_status_queue` goes: an index led by status draws the planner away from the partial queue
 * index (it cannot know, without statistics, that the partial one is small), back to the slow plan.
 * Lists of resolved alarms (the history, REST only, at most 1,000 rows) now scan the table.
 *
 * The WHERE clause is spelled exactly as the queries spell it (alarms/status-filter.ts): SQLite
 * uses a partial index only when the query's terms match it, with literal values, not parameters.
 * PostgreSQL supports partial indexes the same way.
 */
import { sql, type Kysely, type Migration } from 'kysely';

const unresolved = () => sql.ref('status');

export const unresolvedAlarmIndexes: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('alarms_unresolved_key')
      .on('alarms')
      .columns(['gateway_id', 'kind', 'raised_at'])
      .where(unresolved(), 'in', ['open', 'acknowledged'])
      .execute();
    await db.schema
      .createIndex('alarms_unresolved_queue')
      .on('alarms')
      .columns(['priority', 'raised_at', 'id'])
      .where(unresolved(), 'in', ['open', 'acknowledged'])
      .execute();
    await db.schema.dropIndex('alarms_status_queue').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema
      .createIndex('alarms_status_queue')
      .on('alarms')
      .columns(['status', 'priority', 'raised_at'])
      .execute();
    await db.schema.dropIndex('alarms_unresolved_queue').execute();
    await db.schema.dropIndex('alarms_unresolved_key').execute();
  },
};
