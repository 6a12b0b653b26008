/**
 * Signed accept links for contacts (SMS/WeChat): `<payload>.<mac>` where payload is base64url
 * JSON `{ a: alarmId, c: contactId, e: expiry epoch s }` and mac is HMAC-SHA256 under a per-hub
 * key kept in `hub_secrets` (generated on first start). A token names one contact of one alarm,
 * so it can only accept on that contact's behalf, and only until it expires.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { EngineDatabase } from '../engine/tables.js';
import { loadSharedSecret } from '../store/hub-secrets.js';

export interface AcceptClaim {
  alarmId: string;
  contactId: string;
  expiresAt: number;
}

export function loadLinkKey(db: Kysely<EngineDatabase>, now: number): Promise<Buffer> {
  return loadSharedSecret(db, 'escalation_link_key', now);
}

const mac = (key: Buffer, payload: string): string =>
  createHmac('sha256', key).update(payload).digest('base64url');

export function signAcceptToken(key: Buffer, claim: AcceptClaim): string {
  const payload = Buffer.from(
    JSON.stringify({ a: claim.alarmId, c: claim.contactId, e: Math.floor(claim.expiresAt / 1000) }),
  ).toString('base64url');
  return `${payload}.${mac(key, payload)}`;
}

export type TokenCheck =
  | { ok: true; claim: AcceptClaim }
  | { ok: false; reason: 'malformed' | 'bad_signature' | 'expired' };

export function verifyAcceptToken(key: Buffer, token: string, now: number): TokenCheck {
  const [payload, given, extra] = token.split('.');
  if (!payload || !given || extra !== undefined) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(mac(key, payload));
  const got = Buffer.from(given);
  if (expected.length !== got.length || !timingSafeEqual(expected, got))
    return { ok: false, reason: 'bad_signature' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  if (typeof parsed !== 'object' || parsed === null) return { ok: false, reason: 'malformed' };
  const { a, c, e } = parsed as Record<string, unknown>;
  if (typeof a !== 'string' || typeof c !== 'string' || typeof e !== 'number')
    return { ok: false, reason: 'malformed' };
  if (e * 1000 < now) return { ok: false, reason: 'expired' };
  return { ok: true, claim: { alarmId: a, contactId: c, expiresAt: e * 1000 } };
}
