/** SQL access for a home's response plans, one per alarm kind. */
import type { Kysely } from 'kysely';
import type { PlanKind, ResponsePlanDto } from '@anxin/protocol';
import type { Database } from '../store/schema.js';
import { iso, parseJson } from './rows.js';
import './tables.js';

export class PlanStore {
  constructor(private readonly db: Kysely<Database>) {}

  async listPlans(homeId: string): Promise<ResponsePlanDto[]> {
    const rows = await this.db
      .selectFrom('response_plans')
      .selectAll()
      .where('home_id', '=', homeId)
      .orderBy('kind')
      .execute();
    return rows.map((r) => ({
      homeId: r.home_id,
      kind: r.kind as PlanKind,
      steps: parseJson<string[]>(r.steps_json, []),
      updatedAt: iso(r.updated_at),
      updatedBy: r.updated_by,
    }));
  }

  async setPlan(
    homeId: string,
    kind: PlanKind,
    steps: string[],
    by: string | null,
    now: number,
  ): Promise<ResponsePlanDto> {
    const values = { steps_json: JSON.stringify(steps), updated_at: now, updated_by: by };
    await this.db
      .insertInto('response_plans')
      .values({ home_id: homeId, kind, ...values })
      .onConflict((oc) => oc.columns(['home_id', 'kind']).doUpdateSet(values))
      .execute();
    return { homeId, kind, steps, updatedAt: iso(now), updatedBy: by };
  }
}
