/**
 * Webhook signatures. The receiver recomputes HMAC-SHA256(secret, `${timestamp}.${body}`) over
 * the raw body and compares it with X-Anxin-Signature (`sha256=<hex>`), and refuses a timestamp
 * too far from its clock, so a captured request cannot be replayed later (the scheme Stripe and
 * GitHub webhooks use).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-anxin-signature';
export const TIMESTAMP_HEADER = 'x-anxin-timestamp';
export const EVENT_HEADER = 'x-anxin-event';
export const DELIVERY_HEADER = 'x-anxin-delivery';

export function signBody(secret: string, timestampS: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampS}.${body}`).digest('hex')}`;
}

/** For receivers (and tests): true when the signature matches and the timestamp is recent. */
export function verifySignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  body: string,
  nowMs: number,
  toleranceS = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!Number.isInteger(ts) || !headers.signature) return false;
  if (Math.abs(nowMs / 1000 - ts) > toleranceS) return false;
  const expected = Buffer.from(signBody(secret, ts, body));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
