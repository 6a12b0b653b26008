/**
 * The call centre's lists of service requests and work orders read the newest rows of each status
 * through a (status, created_at) index and stop at the limit (newest-by-status.ts): no statement
 * they run sorts every row of a status, however many closed ones there are. SQLite's plan of each
 * statement the lists really ran is checked; one `status IN (…) ORDER BY … LIMIT` sorts, and fails.
 * And the merge gives the newest rows of the union, whatever their status.
 */
import { rmSync } from 'node:fs';
import { sql, type Kysely } from 'kysely';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Database } from '../store/schema.js';
import { recordingSqlite, seededSqliteFile } from '../testing/query-plans.js';
import { ServiceRequestStore } from './service-requests.js';
import { WorkOrderStore } from './work-orders.js';

let dir: string;
let file: string;

/** One service request and one work order with this id suffix, status and creation time. */
async function insertBoth(db: Kysely<Database>, id: string, status: string, at: number) {
  await sql`insert into service_requests (id, home_id, category, description, urgency, status, source, created_at, updated_at)
            values (${`sr-${id}`}, 'home-1', 'other', 'x', 'normal', ${status}, 'operator', ${at}, ${at})`.execute(
    db,
  );
  await sql`insert into work_orders (id, home_id, kind, description, status, source, created_at, updated_at)
            values (${`wo-${id}`}, 'home-1', 'repair', 'x', ${status}, 'operator', ${at}, ${at})`.execute(
    db,
  );
}

beforeEach(async () => {
  ({ dir, file } = await seededSqliteFile('anxin-ops-plans-', async (db) => {
    // 40 closed of each, then a few open ones: the newest are spread over two statuses.
    for (let i = 1; i <= 40; i++) await insertBoth(db, `done-${i}`, 'done', i);
    await insertBoth(db, 'a', 'open', 100);
    await insertBoth(db, 'b', 'assigned', 300);
    await insertBoth(db, 'c', 'open', 200);
  }));
});

afterEach(() => rmSync(dir, { recursive: true, force: true }));

it('lists the newest of each status through its index, merged, without sorting a status', async () => {
  const { db, seen, planOf } = recordingSqlite(file);
  const requests = new ServiceRequestStore(db, null);
  const orders = new WorkOrderStore(db, null, () => 1000);
  const open = ['open', 'assigned', 'in_progress'] as const;

  const newestRequests = await requests.list({ kind: 'all' }, { statuses: [...open], limit: 2 });
  expect(newestRequests.map((r) => r.id).sort()).toEqual(['sr-b', 'sr-c']);
  const newestOrders = await orders.list({ kind: 'all' }, { statuses: [...open], limit: 2 });
  expect(newestOrders.map((o) => o.id).sort()).toEqual(['wo-b', 'wo-c']);
  const everything = await requests.list(
    { kind: 'all' },
    { statuses: ['open', 'assigned', 'in_progress', 'done', 'cancelled'], limit: 5 },
  );
  expect(everything.map((r) => r.id).sort()).toEqual([
    'sr-a',
    'sr-b',
    'sr-c',
    'sr-done-39',
    'sr-done-40',
  ]);

  const lists = seen.filter((q) => /from "(service_requests|work_orders)"[^]*"status"/.test(q.sql));
  expect(lists.length).toBeGreaterThanOrEqual(3 + 3 + 5);
  for (const q of lists) {
    const details = planOf(q);
    expect(details, q.sql).toMatch(
      /USING INDEX (service_requests_queue|work_orders_status_created)/,
    );
    expect(details, q.sql).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
  }
  await db.destroy();
});
