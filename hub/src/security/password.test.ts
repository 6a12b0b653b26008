import { describe, expect, it } from 'vitest';
import { GATEWAY_SECRET_COST, hashSecret, verifySecret } from './password.js';

describe('scrypt secrets', () => {
  it('verifies the right secret only, with a fresh salt each time', async () => {
    const a = await hashSecret('correct horse', GATEWAY_SECRET_COST);
    const b = await hashSecret('correct horse', GATEWAY_SECRET_COST);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^scrypt\$12\$8\$1\$/);
    expect(await verifySecret('correct horse', a)).toBe(true);
    expect(await verifySecret('correct horsf', a)).toBe(false);
  });

  it.each([
    '',
    'bcrypt$x',
    'scrypt$14$8$1$c2FsdA==$c2hvcnQ=',
    'scrypt$40$8$1$c2FsdA==$' + 'A'.repeat(44),
  ])(
    'treats a malformed or absurd stored hash as a mismatch, without throwing: %s',
    async (stored) => {
      expect(await verifySecret('x', stored)).toBe(false);
    },
  );
});
