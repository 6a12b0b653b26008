import { describe, expect, it } from 'vitest';
import { hashGatewaySecret, verifyGatewaySecret } from './gateway-secret.js';
import { GATEWAY_SECRET_COST, hashSecret } from './password.js';

describe('gateway secrets (HMAC-SHA256, per-gateway salt)', () => {
  it('verifies the right secret only, with a fresh salt each time', async () => {
    const a = hashGatewaySecret('a-random-gateway-token');
    const b = hashGatewaySecret('a-random-gateway-token');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^hmac-sha256\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(await verifyGatewaySecret('a-random-gateway-token', a)).toEqual({
      ok: true,
      legacy: false,
    });
    expect(await verifyGatewaySecret('a-random-gateway-tokem', a)).toEqual({
      ok: false,
      legacy: false,
    });
  });

  it('accepts legacy scrypt rows and flags them for re-hashing', async () => {
    const legacy = await hashSecret('old-gateway-secret', GATEWAY_SECRET_COST);
    expect(await verifyGatewaySecret('old-gateway-secret', legacy)).toEqual({
      ok: true,
      legacy: true,
    });
    expect(await verifyGatewaySecret('wrong-secret', legacy)).toEqual({ ok: false, legacy: true });
  });

  it.each([
    '',
    'hmac-sha256$',
    'hmac-sha256$c2FsdA==$c2hvcnQ=',
    'hmac-sha256$a$b$c',
    'bcrypt$x',
    'plain-text-secret',
  ])('treats a malformed stored hash as a mismatch, without throwing: %s', async (stored) => {
    expect((await verifyGatewaySecret('plain-text-secret', stored)).ok).toBe(false);
  });
});
