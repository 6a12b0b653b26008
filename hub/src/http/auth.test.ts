import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from './auth.js';

describe('LoginRateLimiter', () => {
  it('blocks after maxFailures within the window and frees after it', () => {
    const limiter = new LoginRateLimiter(3, 60_000);
    for (let i = 0; i < 3; i++) {
      expect(limiter.blockedFor('1.2.3.4', 'op', 1000)).toBe(0);
      limiter.fail('1.2.3.4', 'op', 1000);
    }
    expect(limiter.blockedFor('1.2.3.4', 'op', 2000)).toBe(59_000);
    expect(limiter.blockedFor('1.2.3.4', 'OP', 2000)).toBe(59_000);
    expect(limiter.blockedFor('5.6.7.8', 'op', 2000)).toBe(0);
    expect(limiter.blockedFor('1.2.3.4', 'other', 2000)).toBe(0);
    expect(limiter.blockedFor('1.2.3.4', 'op', 61_000)).toBe(0);
  });

  it('forgets failures after a successful login', () => {
    const limiter = new LoginRateLimiter(2, 60_000);
    limiter.fail('ip', 'op', 0);
    limiter.succeed('ip', 'op');
    limiter.fail('ip', 'op', 0);
    expect(limiter.blockedFor('ip', 'op', 1)).toBe(0);
  });

  it('stays bounded, forgetting the oldest keys first', () => {
    const limiter = new LoginRateLimiter(1, 60_000, 100);
    for (let i = 0; i < 1000; i++) limiter.fail(`10.0.${Math.floor(i / 256)}.${i % 256}`, 'x', 0);
    expect(limiter.blockedFor('10.0.3.231', 'x', 1)).toBeGreaterThan(0); // the last one
    expect(limiter.blockedFor('10.0.0.0', 'x', 1)).toBe(0); // long forgotten
  });
});
