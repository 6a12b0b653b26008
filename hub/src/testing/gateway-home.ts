/**
 * The smallest SQL state an alarm can land in: district 'd1', home 'home-1' in it, gateway
 * 'gw-1' installed there. Tests of the alarm owner and of anything that must interleave with
 * alarm ingest (the chunked import) start from it.
 */
import { sql, type Kysely } from 'kysely';
import { GatewayStore } from '../store/gateways.js';
import type { Database } from '../store/schema.js';

export async function seedGatewayHome(db: Kysely<Database>): Promise<void> {
  await sql`insert into areas (id, parent_id, kind, name, created_at) values ('d1', null, 'district', 'D', 0)`.execute(
    db,
  );
  await sql`insert into homes (id, area_id, address, test_mode, created_at, updated_at)
            values ('home-1', 'd1', 'x', 0, 0, 0)`.execute(db);
  await new GatewayStore(db).upsertCredentials('gw-1', 'hash', 'home-1', 0);
}
