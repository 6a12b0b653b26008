/**
 * Uplink batches (pure). Events are stored as the exact JSON they are sent as, so a batch is built
 * by joining strings, without re-serialising a replayed backlog.
 */
import { LIMITS, PROTOCOL_VERSION } from '@anxin/protocol';
import type { StoredEvent } from '../outbox/outbox.js';

const HEAD = `{"v":${PROTOCOL_VERSION},"events":[`;
const TAIL = ']}';

export interface Batch {
  payload: string;
  seqs: number[];
}

/**
 * Takes events from the front of `events` (in order) while the batch stays within `maxEvents`
 * and `maxBytes` (UTF-8). Always takes at least one event when there is one: a single event is
 * bounded by the schema far below LIMITS.maxPayloadBytes.
 */
export function buildBatch(
  events: readonly StoredEvent[],
  maxEvents: number = LIMITS.maxEventsPerBatch,
  maxBytes: number = LIMITS.maxPayloadBytes,
): Batch | null {
  const parts: string[] = [];
  const seqs: number[] = [];
  let bytes = Buffer.byteLength(HEAD) + Buffer.byteLength(TAIL);
  const limit = Math.min(maxEvents, LIMITS.maxEventsPerBatch);
  for (const event of events) {
    if (parts.length >= limit) break;
    const size = Buffer.byteLength(event.json) + (parts.length > 0 ? 1 : 0);
    if (parts.length > 0 && bytes + size > maxBytes) break;
    parts.push(event.json);
    seqs.push(event.seq);
    bytes += size;
  }
  if (parts.length === 0) return null;
  return { payload: HEAD + parts.join(',') + TAIL, seqs };
}
