/**
 * Gateway broker secrets: HMAC-SHA256 keyed with a per-gateway random salt, compared in constant
 * time. Format: `hmac-sha256$<salt b64>$<mac b64>`.
 *
 * Why not scrypt here (user passwords keep scrypt, see password.ts): a gateway secret is a
 * random token of 128+ bits issued by the hub at claim time, not a word a person chose. A
 * memory-hard function protects low-entropy secrets against offline guessing; against a 2^128
 * search space a single keyed hash is already out of reach, and the per-gateway salt keeps two
 * rows with the same secret apart. What scrypt did cost was real: ~19 ms of CPU per check
 * (N=2^12) made a cold reconnect storm of 20,000 gateways spend minutes of hub CPU on logins
 * before any alarm could flow; one HMAC is a few microseconds.
 *
 * Migration: rows written before this change hold `scrypt$…` hashes. `verifyGatewaySecret`
 * accepts both, and says when the stored hash is legacy so the broker re-hashes it after a
 * successful login (compare-and-set, so a concurrent re-provisioning wins).
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { verifySecret } from './password.js';

const PREFIX = 'hmac-sha256';
const SALT_BYTES = 16;
const MAC_BYTES = 32;

function mac(secret: string, salt: Buffer): Buffer {
  return createHmac('sha256', salt).update(secret, 'utf8').digest();
}

export function hashGatewaySecret(secret: string): string {
  const salt = randomBytes(SALT_BYTES);
  return [PREFIX, salt.toString('base64'), mac(secret, salt).toString('base64')].join('$');
}

export interface GatewaySecretCheck {
  ok: boolean;
  /** The stored hash is in a legacy format (scrypt): re-hash it with hashGatewaySecret. */
  legacy: boolean;
}

/** Constant-time check of either format; a malformed stored hash is a mismatch, never a throw. */
export async function verifyGatewaySecret(
  secret: string,
  stored: string,
): Promise<GatewaySecretCheck> {
  if (stored.startsWith(`${PREFIX}$`)) {
    const parts = stored.split('$');
    if (parts.length !== 3) return { ok: false, legacy: false };
    const salt = Buffer.from(parts[1] ?? '', 'base64');
    const expected = Buffer.from(parts[2] ?? '', 'base64');
    if (salt.length !== SALT_BYTES || expected.length !== MAC_BYTES)
      return { ok: false, legacy: false };
    return { ok: timingSafeEqual(mac(secret, salt), expected), legacy: false };
  }
  if (stored.startsWith('scrypt$')) return { ok: await verifySecret(secret, stored), legacy: true };
  return { ok: false, legacy: false };
}
