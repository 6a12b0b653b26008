/**
 * Parsing of uplink batches, pure. A batch that fails its schema because of some events is not
 * thrown away whole: events that are valid go on, and invalid ones that still carry a usable seq
 * are rejected by seq (code SCHEMA) so the gateway can drop them — otherwise one bad event would
 * block its outbox lane forever (a poison batch).
 */
import type { TSchema, Static } from '@sinclair/typebox';
import {
  checkerFor,
  isRecord,
  LIMITS,
  parsePayload,
  PROTOCOL_VERSION,
  schemaIssues,
  utf8,
  type RejectCode,
} from '@anxin/protocol';

export interface EventRejection {
  seq: number;
  code: RejectCode;
  message: string;
}

export type BatchParse<E> =
  | { ok: true; events: E[]; rejected: EventRejection[] }
  | { ok: false; code: 'TOO_LARGE' | 'BAD_JSON' | 'SCHEMA'; message: string };

export function parseBatch<B extends TSchema, E extends TSchema>(
  batchSchema: B,
  eventSchema: E,
  payload: Uint8Array,
  maxBytes: number = LIMITS.maxPayloadBytes,
): BatchParse<Static<E>> {
  const parsed = parsePayload(batchSchema, payload, maxBytes);
  if (parsed.ok) {
    const value = parsed.value as { events: Static<E>[] };
    return { ok: true, events: value.events, rejected: [] };
  }
  if (parsed.code !== 'SCHEMA') return { ok: false, code: parsed.code, message: parsed.message };

  // Salvage per event (the failure path only: JSON is known to parse).
  const raw: unknown = JSON.parse(utf8(payload));
  if (
    !isRecord(raw) ||
    raw.v !== PROTOCOL_VERSION ||
    !Array.isArray(raw.events) ||
    raw.events.length === 0 ||
    raw.events.length > LIMITS.maxEventsPerBatch ||
    Object.keys(raw).some((k) => k !== 'v' && k !== 'events')
  ) {
    return { ok: false, code: 'SCHEMA', message: parsed.message };
  }
  const check = checkerFor(eventSchema);
  const events: Static<E>[] = [];
  const rejected: EventRejection[] = [];
  for (const item of raw.events as unknown[]) {
    if (check.Check(item)) {
      events.push(item);
      continue;
    }
    const candidate: unknown = item;
    const seq = isRecord(candidate) ? candidate.seq : undefined;
    if (typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 1) {
      const issue = schemaIssues(eventSchema, candidate, 1)[0];
      rejected.push({
        seq,
        code: 'SCHEMA',
        message: issue ? `${issue.path}: ${issue.message}` : 'invalid event',
      });
    }
  }
  if (events.length === 0 && rejected.length === 0)
    return { ok: false, code: 'SCHEMA', message: parsed.message };
  return { ok: true, events, rejected };
}
