/**
 * The call centre's lists of service requests and work orders: the newest `limit` rows with any of
 * some statuses. Read as one query per status (`status = ? ORDER BY created_at DESC LIMIT n`),
 * each walking its `(status, created_at)` index in order and stopping at n, then merged; the
 * caller turns the merged rows into DTOs (their notes) once.
 *
 * Why not one `status IN (…) ORDER BY created_at DESC LIMIT n`: SQLite then visits every row of
 * those statuses and sorts them, and the closed ones grow for as long as the district runs.
 * Measured with 20,000 done requests: the open list (3 statuses) 522 µs against 43 µs per status,
 * the list of all five statuses 26 ms. The merged result is the same rows: the newest n of the
 * union are among the newest n of each part.
 */
import type { TaskStatus } from '@anxin/protocol';

export async function newestByStatus<T extends { created_at: number }>(
  statuses: readonly TaskStatus[],
  limit: number,
  readStatus: (status: TaskStatus) => Promise<T[]>,
): Promise<T[]> {
  const parts = await Promise.all([...new Set(statuses)].map(readStatus));
  return parts
    .flat()
    .sort((a, b) => b.created_at - a.created_at)
    .slice(0, limit);
}
