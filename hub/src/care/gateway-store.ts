/**
 * SQL reads of gateways for the care model: the row and its DTO (claim and credential state, what
 * its last heartbeat reported) and the scoped listing. Claiming and decommissioning write through
 * provisioning.ts.
 */
import { checkerFor, GatewayTestModeSchema } from '@anxin/protocol';
import type { Kysely } from 'kysely';
import type { GatewayDto, GatewayTestModeDto } from '@anxin/protocol';
import type { Scope } from '../auth/scope.js';
import type { Database, GatewayRow } from '../store/schema.js';
import { credentialState } from './claim-state.js';
import { isoOrNull, parseJson } from './rows.js';
import './tables.js';

function heartbeatInfo(row: GatewayRow): {
  softwareVersion: string | null;
  configVersion: number | null;
  testMode: GatewayTestModeDto | null;
} {
  const hb = parseJson<{
    softwareVersion?: unknown;
    configVersion?: unknown;
    testMode?: unknown;
  } | null>(row.health_json, null);
  const reported = hb?.testMode;
  const test = checkerFor(GatewayTestModeSchema).Check(reported) ? reported : null;
  return {
    softwareVersion: typeof hb?.softwareVersion === 'string' ? hb.softwareVersion : null,
    configVersion: typeof hb?.configVersion === 'number' ? hb.configVersion : null,
    testMode: test
      ? {
          source: test.source,
          until: test.until === null ? null : new Date(test.until).toISOString(),
        }
      : null,
  };
}

/** The gateway's own test flag as its last heartbeat reported it (the control DTO shows it). */
export function gatewayTestModeOf(row: GatewayRow): GatewayTestModeDto | null {
  return heartbeatInfo(row).testMode;
}

export function gatewayRowToDto(row: GatewayRow): GatewayDto {
  const hb = heartbeatInfo(row);
  return {
    id: row.id,
    homeId: row.home_id,
    claimState:
      row.enabled !== 1 || row.decommissioned_at !== null
        ? 'decommissioned'
        : row.claimed_at !== null || (row.home_id !== null && row.claim_code_hash === null)
          ? 'claimed'
          : 'unclaimed',
    claimedAt: isoOrNull(row.claimed_at),
    claimedBy: row.claimed_by,
    credentialState: credentialState(row),
    credentialsIssuedAt: isoOrNull(row.credentials_issued_at),
    decommissionedAt: isoOrNull(row.decommissioned_at),
    lastSeenAt: isoOrNull(row.last_seen_at),
    online: row.status === 'online' && row.enabled === 1,
    configVersion: row.config_version,
    reportedConfigVersion: hb.configVersion,
    softwareVersion: hb.softwareVersion,
    testMode: row.test_mode === 1,
    gatewayTestMode: hb.testMode,
  };
}

export class GatewayStore {
  constructor(private readonly db: Kysely<Database>) {}

  async getGatewayRow(id: string): Promise<GatewayRow | undefined> {
    return this.db.selectFrom('gateways').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async listGateways(
    scope: Scope,
    filter: { homeId?: string; state?: GatewayDto['claimState']; limit: number },
    homeInScope: (homeId: string | null) => boolean,
  ): Promise<GatewayDto[]> {
    let query = this.db.selectFrom('gateways').selectAll();
    if (filter.homeId !== undefined) query = query.where('home_id', '=', filter.homeId);
    if (scope.kind === 'homes') query = query.where('home_id', 'in', [...scope.homeIds, '']);
    const rows = await query.orderBy('id').execute();
    const out: GatewayDto[] = [];
    for (const row of rows) {
      if (scope.kind === 'areas' && !homeInScope(row.home_id)) continue;
      const dto = gatewayRowToDto(row);
      if (filter.state !== undefined && dto.claimState !== filter.state) continue;
      out.push(dto);
      if (out.length >= filter.limit) break;
    }
    return out;
  }
}
