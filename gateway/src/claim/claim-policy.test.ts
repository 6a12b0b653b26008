import { describe, expect, it } from 'vitest';
import { afterPickup, afterRefusedLogin } from './claim-policy.js';

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
