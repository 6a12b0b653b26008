/**
 * Demo welfare plans (`anxin demo`, care/seed.ts): the first resident of every home gets a call
 * every 2 days; residents of the east community (the demo worker's) a visit twice a month by
 * the community worker. Skipped for residents that already have plans, so a rerun adds nothing.
 */
import type { OperationsModule } from './module.js';

export async function seedOperations(
  ops: OperationsModule,
  homeIds: readonly string[],
  worker: { id: string; areaHomes: ReadonlySet<string> },
): Promise<void> {
  const today = ops.today();
  const now = ops.now();
  for (const homeId of homeIds) {
    const residentId = `${homeId}-r1`;
    if ((await ops.residentHome(residentId)) !== homeId) continue;
    const existing = await ops.welfare.listPlans({ kind: 'all' }, { residentId });
    if (existing.length > 0) continue;
    await ops.welfare.createPlan(
      {
        residentId,
        homeId,
        kind: 'call',
        cadence: 'every_days',
        count: 2,
        startDay: today,
        assigneeUserId: null,
        notes: null,
      },
      null,
      now,
    );
    if (worker.areaHomes.has(homeId))
      await ops.welfare.createPlan(
        {
          residentId,
          homeId,
          kind: 'visit',
          cadence: 'per_month',
          count: 2,
          startDay: today,
          assigneeUserId: worker.id,
          notes: 'Lives alone: check the fridge and medication box.',
        },
        null,
        now,
      );
  }
}
