/** Waiting in browser tests: one bound for every file, so a slow page fails the same way everywhere. */
import { expect } from 'vitest';

/** For expect.poll: generous, as browser tests share a loaded machine. */
const POLL = { timeout: 10_000, interval: 100 } as const;

/**
 * Re-reads `read` until the matcher that follows holds, failing after POLL's 10 s:
 * `await poll(() => rows().count()).toBe(3)`.
 */
export function poll<T>(
  read: () => Promise<T> | T,
): ReturnType<typeof expect.poll<Promise<T> | T>> {
  return expect.poll(read, POLL);
}
