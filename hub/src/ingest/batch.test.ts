import { describe, expect, it } from 'vitest';
import { AlarmBatchSchema, AlarmEventSchema, LIMITS, newEventId } from '@anxin/protocol';
import { parseBatch } from './batch.js';

const event = (seq: number, extra: Record<string, unknown> = {}) => ({
  type: 'alarm',
  id: newEventId(),
  seq,
  observedAt: 1_700_000_000_000,
  deviceId: 'radar-1',
  kind: 'fall',
  action: 'raise',
  ...extra,
});
const parse = (value: unknown) =>
  parseBatch(
    AlarmBatchSchema,
    AlarmEventSchema,
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  );

describe('parseBatch', () => {
  it('accepts a valid batch whole', () => {
    const r = parse({ v: 1, events: [event(1), event(2)] });
    expect(r.ok && r.events.map((e) => e.seq)).toEqual([1, 2]);
    expect(r.ok && r.rejected).toEqual([]);
  });

  it.each([
    ['not JSON', '{"v":1,', 'BAD_JSON'],
    ['wrong version', { v: 2, events: [event(1)] }, 'SCHEMA'],
    ['no events', { v: 1, events: [] }, 'SCHEMA'],
    ['extra top-level key', { v: 1, events: [event(1, { kind: 'x' })], more: 1 }, 'SCHEMA'],
    ['no usable seq anywhere', { v: 1, events: [{ junk: true }, event(0)] }, 'SCHEMA'],
    ['a JSON array', [1, 2], 'SCHEMA'],
  ])('refuses the whole message: %s', (_name, value, code) => {
    const r = parse(value);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.code).toBe(code);
  });

  it('refuses an oversized payload before parsing it', () => {
    const r = parseBatch(
      AlarmBatchSchema,
      AlarmEventSchema,
      Buffer.alloc(LIMITS.maxPayloadBytes + 1, 0x20),
    );
    expect(!r.ok && r.code).toBe('TOO_LARGE');
  });

  it('keeps the valid events of a batch and rejects the invalid ones by seq (no poison batch)', () => {
    const r = parse({
      v: 1,
      events: [event(1), event(2, { kind: 'unicorn' }), { seq: 3 }, { nonsense: 1 }, event(4)],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.events.map((e) => e.seq)).toEqual([1, 4]);
    expect(r.rejected.map((x) => [x.seq, x.code])).toEqual([
      [2, 'SCHEMA'],
      [3, 'SCHEMA'],
    ]);
    expect(r.rejected[0]?.message).toMatch(/kind/);
  });
});
