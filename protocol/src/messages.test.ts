import { describe, expect, it } from 'vitest';
import { newEventId } from './ids.js';
import { AckSchema, AlarmBatchSchema, LIMITS, TelemetryBatchSchema } from './messages.js';
import { parsePayload } from './schema.js';

const alarm = (seq: number) => ({
  type: 'alarm',
  id: newEventId(),
  seq,
  observedAt: 1_763_800_000_000,
  deviceId: 'radar-1',
  kind: 'fall',
  action: 'raise',
});

describe('uplink payload parsing', () => {
  it('accepts a valid alarm batch', () => {
    const result = parsePayload(
      AlarmBatchSchema,
      JSON.stringify({ v: 1, events: [alarm(1)] }),
      LIMITS.maxPayloadBytes,
    );
    expect(result.ok).toBe(true);
  });

  it('names the bad field of an invalid event', () => {
    const bad = { v: 1, events: [{ ...alarm(1), kind: 'earthquake' }] };
    const result = parsePayload(AlarmBatchSchema, JSON.stringify(bad), LIMITS.maxPayloadBytes);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('SCHEMA');
      expect(result.message).toContain('/events/0/kind');
    }
  });

  it('rejects telemetry in the alarm lane and alarms in the telemetry lane', () => {
    const telemetry = {
      type: 'telemetry',
      id: newEventId(),
      seq: 2,
      observedAt: 1,
      deviceId: 'm1',
      fields: { power_w: 3 },
    };
    expect(
      parsePayload(AlarmBatchSchema, JSON.stringify({ v: 1, events: [telemetry] }), 1e6).ok,
    ).toBe(false);
    expect(
      parsePayload(TelemetryBatchSchema, JSON.stringify({ v: 1, events: [alarm(1)] }), 1e6).ok,
    ).toBe(false);
    expect(
      parsePayload(TelemetryBatchSchema, JSON.stringify({ v: 1, events: [telemetry] }), 1e6).ok,
    ).toBe(true);
  });

  it.each([
    ['bad JSON', '{"v":1,', 'BAD_JSON'],
    ['not an object', '42', 'SCHEMA'],
    ['empty batch', '{"v":1,"events":[]}', 'SCHEMA'],
    ['unknown version', '{"v":2,"events":[]}', 'SCHEMA'],
  ] as const)('rejects %s with %s', (_name, payload, code) => {
    const result = parsePayload(AlarmBatchSchema, payload, LIMITS.maxPayloadBytes);
    expect(result.ok ? 'ok' : result.code).toBe(code);
  });

  it('rejects oversized payloads before parsing them', () => {
    const result = parsePayload(
      AlarmBatchSchema,
      'x'.repeat(LIMITS.maxPayloadBytes + 1),
      LIMITS.maxPayloadBytes,
    );
    expect(result.ok ? 'ok' : result.code).toBe('TOO_LARGE');
  });

  it('rejects non-v7 ids, fractional seqs and extra properties', () => {
    for (const patch of [
      { id: '00000000-0000-4000-8000-000000000000' },
      { seq: 1.5 },
      { seq: 0 },
      { extra: 1 },
    ]) {
      const result = parsePayload(
        AlarmBatchSchema,
        JSON.stringify({ v: 1, events: [{ ...alarm(1), ...patch }] }),
        1e6,
      );
      expect(result.ok).toBe(false);
    }
  });

  it('rejects telemetry field names and detail keys outside the field-name pattern', () => {
    const telemetry = {
      type: 'telemetry',
      id: newEventId(),
      seq: 2,
      observedAt: 1,
      deviceId: 'm1',
      fields: { 'Bad Name': 3 },
    };
    expect(
      parsePayload(TelemetryBatchSchema, JSON.stringify({ v: 1, events: [telemetry] }), 1e6).ok,
    ).toBe(false);
    const withDetail = { ...alarm(1), detail: { 'x-y': 1 } };
    expect(
      parsePayload(AlarmBatchSchema, JSON.stringify({ v: 1, events: [withDetail] }), 1e6).ok,
    ).toBe(false);
    const goodDetail = { ...alarm(1), detail: { height_m: 2.5 } };
    expect(
      parsePayload(AlarmBatchSchema, JSON.stringify({ v: 1, events: [goodDetail] }), 1e6).ok,
    ).toBe(true);
  });

  it('accepts an ack with deferred events', () => {
    const ack = {
      v: 1,
      lane: 'telemetry',
      acked: [1],
      rejected: [],
      deferred: [2, 3],
      retryAfterMs: 500,
    };
    expect(parsePayload(AckSchema, JSON.stringify(ack), 1e6).ok).toBe(true);
  });

  it('creates time-ordered ids', () => {
    const ids = Array.from({ length: 100 }, () => newEventId());
    expect([...ids].sort()).toEqual(ids);
  });
});
