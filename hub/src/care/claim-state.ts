/**
 * Where a gateway stands in the zero-touch claim (issue 10), from its row alone (pure): whether
 * its claim code is spent, and the credential state the installer sees.
 *
 * A code does one job. The installer's claim uses it once. The gateway may then pick up its
 * credentials over the claim channel; if that answer is lost (power cut, network drop before the
 * gateway stored it) it may ask again, and is issued fresh ones that replace the lost ones, until
 * the hub has heard from the gateway with them (a heartbeat or status after the issue). From then
 * on the code is spent: another box holding a copy of the label gets CLAIM_CODE_USED.
 */
import type { GatewayCredentialState } from '@anxin/protocol';
import type { GatewayRow } from '../store/schema.js';
import './tables.js';

declare module '../store/schema.js' {
  interface GatewaysTable {
    /** When the gateway last picked up credentials over the claim channel (migration 0925). */
    credentials_issued_at: number | null;
  }
}

/** Marks a gateway row that has no broker credentials: never a valid hash, so never accepted. */
export const NO_CREDENTIALS = '!unclaimed';

export function isDecommissioned(row: GatewayRow): boolean {
  return row.enabled !== 1 || row.decommissioned_at !== null;
}

/** The hub has heard from the gateway since it picked up its credentials. */
export function usedSinceIssue(row: GatewayRow): boolean {
  const issued = row.credentials_issued_at;
  if (issued === null) return false;
  return (
    (row.last_seen_at ?? -1) >= issued ||
    (row.status === 'online' && (row.status_at ?? -1) >= issued)
  );
}

export function credentialState(row: GatewayRow): GatewayCredentialState {
  if (isDecommissioned(row)) return 'revoked';
  if (row.secret_hash === NO_CREDENTIALS)
    return row.claimed_at !== null ? 'awaiting_pickup' : 'none';
  if (row.credentials_issued_at === null) return 'in_use'; // provisioned by hand (--provision)
  return usedSinceIssue(row) ? 'in_use' : 'picked_up';
}
