import { describe, expect, it } from 'vitest';
import { TelemetryBatchSchema, parsePayload } from '@anxin/protocol';
import { buildBatch } from './batch.js';

const event = (seq: number, pad = '') => ({
  seq,
  createdAt: 0,
  json: JSON.stringify({
    type: 'telemetry',
    id: `0190f000-0000-7000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    observedAt: 1,
    deviceId: 'm1',
    fields: { energy_kwh: 1, note: pad },
  }),
});

describe('buildBatch', () => {
  it('builds a schema-valid batch in order', () => {
    const batch = buildBatch([event(1), event(2), event(3)])!;
    expect(batch.seqs).toEqual([1, 2, 3]);
    const parsed = parsePayload(TelemetryBatchSchema, batch.payload, 1 << 20);
    expect(parsed.ok).toBe(true);
  });

  it('stops at the event count limit', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i + 1));
    expect(buildBatch(events, 4)!.seqs).toEqual([1, 2, 3, 4]);
    const many = Array.from({ length: 600 }, (_, i) => event(i + 1));
    expect(buildBatch(many, 10_000)!.seqs).toHaveLength(500);
  });

  it('stops before the byte limit, counting multi-byte UTF-8', () => {
    const events = Array.from({ length: 10 }, (_, i) => event(i + 1, '安'.repeat(40)));
    const oneSize = Buffer.byteLength(events[0]!.json);
    const batch = buildBatch(events, 500, oneSize * 3 + 40)!;
    expect(batch.seqs).toEqual([1, 2, 3]);
    expect(Buffer.byteLength(batch.payload)).toBeLessThanOrEqual(oneSize * 3 + 40);
  });

  it('returns null for nothing to send', () => {
    expect(buildBatch([])).toBeNull();
  });
});
