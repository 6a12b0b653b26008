/**
 * Holds the hub's publishes to a connected gateway until that gateway's subscription to the
 * topic is in place, on the embedded aedes.
 *
 * A gateway sends SUBSCRIBE right after CONNECT and often a PUBLISH in the same TCP chunk; aedes
 * runs them side by side, and the subscription (an authorization hook, a persistence write for
 * a clean-session-false client) can finish after the hub has stored the PUBLISH and answered it.
 * An ack published before the subscription exists reaches no one: aedes delivers a message to
 * the subscriptions present when it is published, and queues it for an offline session only.
 * Measured in `bench storm` (2,000 gateways, before gateways waited for their SUBACK): ~800 of
 * the first 4,000 acks found no subscription, 285–477 batches waited out their ack timeout and
 * were sent again, and the drain took 25–38 s instead of 17–20 s. Gateways of this release send
 * telemetry only after their SUBACK (docs/contract.md, Topics), but an alarm goes at once, and a
 * gateway of an older release does not wait at all; this gate covers both from the hub's side.
 *
 * A publish waits only when its gateway is connected and none of its subscriptions matches the
 * topic; it is released when a subscription that matches arrives, when the gateway disconnects
 * (the publish then goes as it would have: queued for its session or dropped), or after
 * `waitMs` (a client that never subscribes gets what it got before: nothing). Retained
 * publishes do not wait: MQTT hands the retained message to a later subscriber anyway.
 */
import { isRecord, topicMatches } from '@anxin/protocol';

/** What the gate reads of a connected client: its id and its filters (the record's keys). */
export interface SubscribingClient {
  readonly id: string;
  readonly subscriptions: Readonly<Record<string, unknown>>;
}

/**
 * An aedes client as the gate reads it: aedes keeps the filters in `client.subscriptions` (set
 * in the same tick its matcher gets them, handlers/subscribe.js), which its typings leave out.
 * undefined when the shape is not there: then nothing is held, as before the gate.
 */
export function subscribingClient(client: { readonly id: string }): SubscribingClient | undefined {
  if (!('subscriptions' in client)) return undefined;
  const subscriptions = client.subscriptions;
  return isRecord(subscriptions) ? { id: client.id, subscriptions } : undefined;
}

/** Why a held publish went: its subscription arrived, its gateway left, or waitMs passed. */
export type GateRelease = 'subscribed' | 'disconnected' | 'timeout';

interface Held {
  topic: string;
  release: () => void;
}

interface Waiting {
  held: Held[];
  timer: NodeJS.Timeout;
}

export class SubscriptionGate {
  /** Per gateway id: the publishes held for it and one timer bounding their wait. */
  private readonly waiting = new Map<string, Waiting>();

  constructor(
    private readonly waitMs: number,
    /** Called once per held publish as it goes (for a metric). */
    private readonly onRelease: (why: GateRelease) => void,
  ) {}

  /** Gateways with publishes held (for tests and metrics). */
  get heldGateways(): number {
    return this.waiting.size;
  }

  /**
   * undefined: publish now (no connected client, or it has a matching subscription). Otherwise a
   * promise that resolves when the publish may go (it never rejects).
   */
  hold(client: SubscribingClient | undefined, topic: string): Promise<void> | undefined {
    if (!client || subscribedTo(client, topic)) return undefined;
    return new Promise((resolve) => {
      let entry = this.waiting.get(client.id);
      if (!entry) {
        const id = client.id;
        entry = { held: [], timer: setTimeout(() => this.releaseAll(id, 'timeout'), this.waitMs) };
        // A gateway that never subscribes must not keep the hub's process alive on its own.
        entry.timer.unref();
        this.waiting.set(id, entry);
      }
      entry.held.push({ topic, release: resolve });
    });
  }

  /** The client's subscriptions grew (aedes 'subscribe'): releases what now has one. */
  subscribed(client: SubscribingClient): void {
    const entry = this.waiting.get(client.id);
    if (!entry) return;
    const still: Held[] = [];
    for (const h of entry.held) {
      if (subscribedTo(client, h.topic)) {
        this.onRelease('subscribed');
        h.release();
      } else still.push(h);
    }
    entry.held = still;
    if (still.length === 0) this.forget(client.id, entry);
  }

  /** The gateway's connection is gone: its held publishes go now, as they would have. */
  disconnected(gatewayId: string): void {
    this.releaseAll(gatewayId, 'disconnected');
  }

  /** Releases everything (the broker is closing). */
  close(): void {
    for (const id of [...this.waiting.keys()]) this.releaseAll(id, 'disconnected');
  }

  private releaseAll(gatewayId: string, why: GateRelease): void {
    const entry = this.waiting.get(gatewayId);
    if (!entry) return;
    this.forget(gatewayId, entry);
    for (const h of entry.held) {
      this.onRelease(why);
      h.release();
    }
  }

  private forget(gatewayId: string, entry: Waiting): void {
    clearTimeout(entry.timer);
    if (this.waiting.get(gatewayId) === entry) this.waiting.delete(gatewayId);
  }
}

function subscribedTo(client: SubscribingClient, topic: string): boolean {
  // The gateway's own exact filter, the usual case, without splitting topics.
  if (Object.hasOwn(client.subscriptions, topic)) return true;
  for (const filter in client.subscriptions) if (topicMatches(filter, topic)) return true;
  return false;
}
