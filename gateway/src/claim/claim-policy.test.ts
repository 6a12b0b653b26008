import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterPickup, afterRefusedLogin } from './claim-policy.js';
import { claimCodeOf } from './managed-gateway.js';

const credentials = {
  gatewayId: 'gw-1',
  username: 'gw-1',
  password: 'secret-secret',
  mqttUrl: 'mqtt://127.0.0.1:1883',
  homeId: 'home-1',
  issuedAt: 1,
};

describe('claim policy while waiting for a claim', () => {
  it.each([
    [{ kind: 'issued', credentials } as const, { action: 'run' }],
    [
      { kind: 'waiting', retryAfterS: 15 } as const,
      { action: 'retry', minDelayMs: 15_000, level: 'info' },
    ],
    [
      { kind: 'refused', code: 'RATE_LIMITED', message: '', retryAfterS: 600 } as const,
      { action: 'retry', minDelayMs: 600_000, level: 'warn' },
    ],
    [
      { kind: 'refused', code: 'CLAIM_NONCE_INVALID', message: '' } as const,
      { action: 'retry', minDelayMs: 0, level: 'warn' },
    ],
    [
      { kind: 'refused', code: 'CLAIM_CODE_INVALID', message: '' } as const,
      { action: 'retry', minDelayMs: 0, level: 'error' },
    ],
    [
      { kind: 'refused', code: 'CLAIM_CODE_USED', message: '' } as const,
      { action: 'retry', minDelayMs: Infinity, level: 'error' },
    ],
    [
      { kind: 'refused', code: 'GATEWAY_DECOMMISSIONED', message: '' } as const,
      { action: 'retry', minDelayMs: Infinity, level: 'error' },
    ],
    [
      { kind: 'error', code: 'CLAIM_UNREACHABLE' } as const,
      { action: 'retry', minDelayMs: 0, level: 'warn' },
    ],
  ])('%j → %j', (result, expected) => {
    expect(afterPickup(result)).toMatchObject(expected);
  });
});

describe('claim policy when the hub refuses stored credentials', () => {
  it.each([
    [{ kind: 'refused', code: 'GATEWAY_DECOMMISSIONED', message: '' } as const, 'forget'],
    [{ kind: 'waiting', retryAfterS: 15 } as const, 'forget'],
    [{ kind: 'issued', credentials } as const, 'replace'],
    // Anything else is not the hub saying "revoked": keep what works when the hub is back.
    [{ kind: 'refused', code: 'CLAIM_CODE_USED', message: '' } as const, 'keep'],
    [{ kind: 'refused', code: 'CLAIM_CODE_INVALID', message: '' } as const, 'keep'],
    [{ kind: 'refused', code: 'RATE_LIMITED', message: '' } as const, 'keep'],
    [{ kind: 'error', code: 'CLAIM_UNREACHABLE' } as const, 'keep'],
    [{ kind: 'error', code: 'CLAIM_SERVER_UNVERIFIED' } as const, 'keep'],
  ])('%j → %s', (result, action) => {
    expect(afterRefusedLogin(result).action).toBe(action);
  });
});

describe('the claim code from the factory', () => {
  const claim = {
    hubUrl: 'http://127.0.0.1:1',
    minRetryMs: 100,
    maxRetryMs: 1000,
    timeoutMs: 1000,
  };
  it('comes from claim.code or from claim.codeFile, never both or neither', () => {
    const dir = mkdtempSync(join(tmpdir(), 'anxin-code-'));
    try {
      const file = join(dir, 'claim-code');
      writeFileSync(file, '  ABCD-EFGH-JKLM\n');
      expect(claimCodeOf({ ...claim, codeFile: file })).toBe('ABCD-EFGH-JKLM');
      expect(claimCodeOf({ ...claim, code: 'ABCD-EFGH-JKLM' })).toBe('ABCD-EFGH-JKLM');
      expect(() => claimCodeOf({ ...claim, code: 'ABCD-EFGH-JKLM', codeFile: file })).toThrow(
        /exactly one/,
      );
      expect(() => claimCodeOf(claim)).toThrow(/exactly one/);
      writeFileSync(file, 'short\n');
      expect(() => claimCodeOf({ ...claim, codeFile: file })).toThrow(/8 to 64/);
      expect(() => claimCodeOf({ ...claim, codeFile: join(dir, 'missing') })).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
