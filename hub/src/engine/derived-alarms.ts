/**
 * The alarm rules' findings and recoveries for one gateway, handed to the alarm owner
 * (alarms/derived.ts) with the home and test mode they belong to. The owner writes them with the
 * same joining rule and DTOs as device-reported alarms.
 */
import type { Kysely } from 'kysely';
import type { AlarmDto } from '@anxin/protocol';
import { applyDerived } from '../alarms/derived.js';
import type { Database } from '../store/schema.js';
import type { CareLookup } from './care-lookup.js';
import type { Finding, Recovery } from './rules.js';

export class DerivedAlarms {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly care: CareLookup,
  ) {}

  async apply(
    gatewayId: string,
    findings: Finding[],
    recoveries: Recovery[],
    now: number,
  ): Promise<{ created: AlarmDto[]; updated: AlarmDto[] }> {
    if (findings.length === 0 && recoveries.length === 0) return { created: [], updated: [] };
    const gateway = await this.db
      .selectFrom('gateways')
      .select(['home_id', 'test_mode'])
      .where('id', '=', gatewayId)
      .executeTakeFirst();
    const homeId = gateway?.home_id ?? null;
    const test = gateway?.test_mode === 1 || (await this.care.homeInTestMode(homeId)) ? 1 : 0;
    return applyDerived(this.db, { gatewayId, homeId, test }, findings, recoveries, now);
  }
}
