/**
 * Secret hashing with scrypt (RFC 7914), a memory-hard function (DESIGN.md, Security). Each hash
 * carries its own random salt and cost parameters, so costs can be raised later without breaking
 * stored hashes. Format: `scrypt$<log2N>$<r>$<p>$<salt b64>$<key b64>`.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

export interface ScryptCost {
  log2N: number;
  r: number;
  p: number;
}

/** People's passwords: N = 2^15, r = 8 → 32 MiB per hash (OWASP's scrypt baseline is 2^17/8/1). */
export const USER_PASSWORD_COST: ScryptCost = { log2N: 15, r: 8, p: 1 };
/**
 * Legacy: gateway secrets are now salted HMAC-SHA256 (gateway-secret.ts); rows written with this
 * cost are still accepted and re-hashed on their next login.
 * Gateway secrets are 128-bit random tokens issued by the hub, not guessable words, so a lighter
 * cost is safe; it keeps a cold reconnect storm affordable: N = 2^12 (4 MiB) measured ~19 ms per
 * check on the 2-core test machine (2^14: ~78 ms), i.e. ~3 min of CPU for 20,000 gateways after
 * a hub restart. The broker caches successful checks in memory, so reconnects after a network
 * outage (hub still running) cost no scrypt at all.
 */
export const GATEWAY_SECRET_COST: ScryptCost = { log2N: 12, r: 8, p: 1 };

const KEY_LENGTH = 32;

function derive(secret: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const N = 2 ** cost.log2N;
  const options: ScryptOptions = { N, r: cost.r, p: cost.p, maxmem: 256 * N * cost.r };
  return new Promise((resolve, reject) => {
    scrypt(secret, salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashSecret(secret: string, cost: ScryptCost): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(secret, salt, cost);
  return [
    'scrypt',
    cost.log2N,
    cost.r,
    cost.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

/** Constant-time check; a malformed stored hash verifies as false, never throws. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [log2N, r, p] = parts.slice(1, 4).map(Number);
  if (!log2N || !r || !p || log2N > 20 || r > 32 || p > 16) return false;
  const salt = Buffer.from(parts[4] ?? '', 'base64');
  const expected = Buffer.from(parts[5] ?? '', 'base64');
  if (expected.length !== KEY_LENGTH) return false;
  const key = await derive(secret, salt, { log2N, r, p });
  return timingSafeEqual(key, expected);
}
