/**
 * newEventId: UUIDv7 ids (RFC 9562 §5.7) from pooled randomness — version and variant bits set,
 * the millisecond timestamp in front, strictly increasing within one process even within one
 * millisecond and across refills of the random pool, and none repeated.
 */
import { parse, stringify, version } from 'uuid';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newEventId, spellUuid } from './ids.js';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The 48-bit Unix milliseconds an id carries (its first 12 hex digits). */
const msOf = (id: string) => parseInt(id.replace(/-/g, '').slice(0, 12), 16);

afterEach(() => {
  vi.useRealTimers();
});

describe('newEventId', () => {
  it('makes UUIDv7 ids carrying the current millisecond', () => {
    const before = Date.now();
    const id = newEventId();
    const after = Date.now();
    expect(id).toMatch(UUID_V7);
    expect(msOf(id)).toBeGreaterThanOrEqual(before);
    expect(msOf(id)).toBeLessThanOrEqual(after + 1);
  });

  it('spells UUID bytes as uuid does, and every id it makes reads back as one', () => {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 2_000; i += 1) {
      globalThis.crypto.getRandomValues(bytes);
      // uuid's stringify accepts only valid UUIDs: version 7, variant 10.
      bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
      bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
      expect(spellUuid(bytes)).toBe(stringify(bytes));
      expect(parse(spellUuid(bytes))).toEqual(bytes);
      expect(version(newEventId())).toBe(7);
    }
  });

  it('sorts in the order made within one millisecond, across pool refills, none repeated', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_800_000_000_000);
    // 20,000 ids in one frozen millisecond: ~80 refills of the 256-id random pool.
    const ids = Array.from({ length: 20_000 }, () => newEventId());
    for (const id of ids) expect(id).toMatch(UUID_V7);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    // The next millisecond starts after every id of the previous one.
    vi.setSystemTime(1_800_000_000_001);
    const next = newEventId();
    expect(msOf(next)).toBe(1_800_000_000_001);
    expect(next > (ids.at(-1) ?? '')).toBe(true);
  });

  it('never goes back when the clock does', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(1_900_000_000_000);
    const first = newEventId();
    vi.setSystemTime(1_899_999_999_000);
    const second = newEventId();
    expect(second > first).toBe(true);
    expect(msOf(second)).toBe(1_900_000_000_000);
  });

  it('draws fresh random bits for each id (the tail differs, not only the counter)', () => {
    const tails = new Set(Array.from({ length: 1000 }, () => newEventId().slice(-10)));
    expect(tails.size).toBe(1000);
  });
});
