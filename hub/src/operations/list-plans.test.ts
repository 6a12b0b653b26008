/**
 * The call centre's lists of service requests and work orders read the newest rows of each status
 * through a (status, created_at) index and stop at the limit (newest-by-status.ts): no statement
 * they run sorts every row of a status, however many closed ones there are. SQLite's plan of each
 * statement the lists really ran is checked; one `status IN (…) ORDER BY … LIMIT` sorts, and fails.
 * And the merge gives the newest rows of the union, whatever their status.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { pino } from 'pino';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDatabase } from '../store/db.js';
import { seedGatewayHome } from '../testing/gateway-home.js';
import { recordingSqlite } from '../testing/query-plans.js';
import { ServiceRequestStore } from './service-requests.js';
import { WorkOrderStore } from './work-orders.js';

let dir: string;
let file: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'anxin-ops-plans-'));
  file = join(dir, 'hub.db');
  const { db } = await openDatabase(file, pino({ level: 'silent' }));
  await seedGatewayHome(db);
  // 40 closed of each, then a few open ones: the newest are spread over two statuses.
  for (let i = 1; i <= 40; i++) {
    await sql`insert into service_requests (id, home_id, category, description, urgency, status, source, created_at, updated_at)
              values (${`sr-done-${i}`}, 'home-1', 'other', 'x', 'normal', 'done', 'operator', ${i}, ${i})`.execute(
      db,
    );
    await sql`insert into work_orders (id, home_id, kind, description, status, source, created_at, updated_at)
              values (${`wo-done-${i}`}, 'home-1', 'repair', 'x', 'done', 'operator', ${i}, ${i})`.execute(
      db,
    );
  }
  for (const [id, status, at] of [
    ['a', 'open', 100],
    ['b', 'assigned', 300],
    ['c', 'open', 200],
  ] as const) {
    await sql`insert into service_requests (id, home_id, category, description, urgency, status, source, created_at, updated_at)
              values (${`sr-${id}`}, 'home-1', 'other', 'x', 'normal', ${status}, 'operator', ${at}, ${at})`.execute(
      db,
    );
    await sql`insert into work_orders (id, home_id, kind, description, status, source, created_at, updated_at)
              values (${`wo-${id}`}, 'home-1', 'repair', 'x', ${status}, 'operator', ${at}, ${at})`.execute(
      db,
    );
  }
  await db.destroy();
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
