/**
 * 0985_work_order_list_index: the work-order list reads the newest orders of each status
 * (operations/newest-by-status.ts), which needs `(status, created_at)`. The queue index that was
 * there is `(status, due_at)` (the overdue check), so each status's rows were sorted first —
 * every done order of the district's history, on every list.
 */
import type { Kysely, Migration } from 'kysely';

export const workOrderListIndex: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createIndex('work_orders_status_created')
      .on('work_orders')
      .columns(['status', 'created_at'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropIndex('work_orders_status_created').execute();
  },
};
