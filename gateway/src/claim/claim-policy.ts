/**
 * What a claim-managed gateway does with each answer of the claim channel (pure, table-tested):
 *
 *   waiting_for_claim ──issued──▶ running ──MQTT login refused──▶ probe the claim channel
 *          ▲                                                        │ decommissioned / not claimed
 *          └────────────── forget the stored credentials ◀──────────┘ (issued: replace, restart)
 *
 * Only the hub's word over the claim channel (after the gateway proved its code) makes it forget
 * its credentials: a refused MQTT login alone could be a broker misconfiguration, and a gateway
 * that dropped good credentials on every hiccup would need a visit.
 */
import type { PickupResult } from './claim-client.js';

export type ClaimState = 'waiting_for_claim' | 'running' | 'stopped';

/** While waiting: store and run, or try again after at least `minDelayMs` (backoff may add). */
export type PickupDecision =
  | { action: 'run' }
  | { action: 'retry'; minDelayMs: number; reason: string; level: 'info' | 'warn' | 'error' };

export function afterPickup(
  result: PickupResult | { kind: 'error'; code: string },
): PickupDecision {
  switch (result.kind) {
    case 'issued':
      return { action: 'run' };
    case 'waiting':
      return {
        action: 'retry',
        minDelayMs: result.retryAfterS * 1000,
        reason: 'not claimed yet',
        level: 'info',
      };
    case 'error':
      return { action: 'retry', minDelayMs: 0, reason: result.code, level: 'warn' };
    case 'refused': {
      const hinted = (result.retryAfterS ?? 0) * 1000;
      switch (result.code) {
        case 'RATE_LIMITED':
          return { action: 'retry', minDelayMs: hinted, reason: result.code, level: 'warn' };
        case 'CLAIM_NONCE_INVALID':
          // Another hub behind the same address answered the proof: simply start over.
          return { action: 'retry', minDelayMs: 0, reason: result.code, level: 'warn' };
        case 'CLAIM_CODE_INVALID':
          // Not registered yet (boxes are often powered before the admin imports the batch), or a
          // wrong code in the factory file: keep asking, slowly, and say so loudly.
          return { action: 'retry', minDelayMs: 0, reason: result.code, level: 'error' };
        case 'CLAIM_CODE_USED':
        case 'GATEWAY_DECOMMISSIONED':
          // Nothing changes until an administrator acts: ask at the slowest pace.
          return { action: 'retry', minDelayMs: Infinity, reason: result.code, level: 'error' };
      }
    }
  }
}

/** While running and the hub refuses the stored credentials: what the claim channel says to do. */
export type RevocationDecision =
  { action: 'forget'; reason: string } | { action: 'replace' } | { action: 'keep'; reason: string };

export function afterRefusedLogin(
  result: PickupResult | { kind: 'error'; code: string },
): RevocationDecision {
  switch (result.kind) {
    case 'issued':
      return { action: 'replace' };
    case 'waiting':
      // The hub holds this gateway as unclaimed: whatever we hold, it no longer honours.
      return { action: 'forget', reason: 'not claimed' };
    case 'error':
      return { action: 'keep', reason: result.code };
    case 'refused':
      return result.code === 'GATEWAY_DECOMMISSIONED'
        ? { action: 'forget', reason: result.code }
        : { action: 'keep', reason: result.code };
  }
}
