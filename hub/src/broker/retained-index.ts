/**
 * An exact-topic index over the broker's retained messages.
 *
 * aedes' in-memory persistence (aedes-persistence 11) answers every SUBSCRIBE by testing each
 * subscribed pattern against every retained message it holds. Each gateway keeps a retained
 * status (and the hub a retained config per gateway), so with N gateways every subscription
 * costs O(N) and a reconnect storm costs O(N²): measured with `anxin bench storm`, 10,000
 * gateways reconnecting at once got no CONNACK for two minutes while the hub ground through
 * ~3·10⁸ pattern tests, and timed-out clients retried into the same queue.
 *
 * Gateways subscribe to exact topics (down/ack, down/config, down/cmd), so a map from topic to
 * retained packet answers them in O(1). Patterns with wildcards still go to the original scan.
 * The index mirrors the persistence's own rules: an empty payload deletes (MQTT 3.1.1 §3.3.1.3).
 */
import { Readable } from 'node:stream';

interface RetainedPacket {
  topic: string;
  payload: Buffer | string;
}

interface RetainedPersistence {
  storeRetained(packet: RetainedPacket, cb?: (err?: Error | null) => void): unknown;
  createRetainedStreamCombi(patterns: string[]): Readable;
}

function isRetainedPersistence(value: unknown): value is RetainedPersistence {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.storeRetained === 'function' &&
    typeof candidate.createRetainedStreamCombi === 'function'
  );
}

/** Wraps the persistence in place; returns false (and changes nothing) if its shape is unknown. */
export function indexRetainedMessages(persistence: unknown): boolean {
  if (!isRetainedPersistence(persistence)) return false;
  const byTopic = new Map<string, RetainedPacket>();
  const storeRetained = persistence.storeRetained.bind(persistence);
  const scan = persistence.createRetainedStreamCombi.bind(persistence);
  persistence.storeRetained = (packet, cb) => {
    if (packet.payload.length === 0) byTopic.delete(packet.topic);
    else byTopic.set(packet.topic, Object.assign({}, packet));
    return storeRetained(packet, cb);
  };
  persistence.createRetainedStreamCombi = (patterns) => {
    if (patterns.some((p) => p.includes('+') || p.includes('#'))) return scan(patterns);
    const found: RetainedPacket[] = [];
    for (const topic of new Set(patterns)) {
      const packet = byTopic.get(topic);
      if (packet) found.push(packet);
    }
    return Readable.from(found);
  };
  return true;
}
