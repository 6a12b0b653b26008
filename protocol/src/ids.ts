import { v7 as uuidv7 } from 'uuid';

/**
 * A new time-ordered event id (UUIDv7, RFC 9562 §5.7). Ids sort by creation time, so the hub and
 * the outbox can order and deduplicate without trusting a single clock.
 */
export function newEventId(): string {
  return uuidv7();
}
