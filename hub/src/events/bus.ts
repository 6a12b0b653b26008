/**
 * The hub's typed event bus (issue 14): parts announce what happened (an alarm changed, a gateway's
 * configuration was published…) and the composition root subscribes the parts that care, instead
 * of each producer calling every consumer through closures in hub.ts. Modelled on zigbee2mqtt's
 * `eventBus`, written for our events.
 *
 * Delivery is synchronous and in subscription order, as the closures it replaces were: the
 * Socket.IO push keeps the order alarms were stored in. Each listener's failure is isolated —
 * a throw or a rejected promise is caught, logged with the event's name and counted — so one
 * failing consumer never stops the others, nor the emitter (ingest must still ack its gateway).
 */
import type { Logger } from 'pino';
import type { Counter } from '../metrics.js';

export type Listener<P> = (payload: P) => void | Promise<void>;

export interface EventBusDeps {
  log: Logger;
  /** Counts failed listeners by `event` (anxin_event_listener_failures_total). */
  failures: Counter;
}

export class EventBus<Events extends object> {
  private readonly listeners = new Map<keyof Events, { name: string; fn: Listener<never> }[]>();

  constructor(private readonly deps: EventBusDeps) {}

  /**
   * Subscribes `listener` under `name` (named in the log when it fails). Returns the unsubscribe
   * function.
   */
  on<E extends keyof Events>(event: E, name: string, listener: Listener<Events[E]>): () => void {
    const list = this.listeners.get(event) ?? [];
    const entry = { name, fn: listener as Listener<never> };
    list.push(entry);
    this.listeners.set(event, list);
    return () => {
      const at = list.indexOf(entry);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Calls every listener of `event` in subscription order; never throws. */
  emit<E extends keyof Events>(event: E, payload: Events[E]): void {
    const list = this.listeners.get(event);
    if (!list) return;
    // A copy: a listener that unsubscribes (or subscribes) does not change this delivery.
    for (const { name, fn } of [...list]) {
      try {
        const result = (fn as Listener<Events[E]>)(payload);
        if (result instanceof Promise)
          result.catch((err: unknown) => this.failed(event, name, err));
      } catch (err) {
        this.failed(event, name, err);
      }
    }
  }

  /** Listeners subscribed to `event` (tests, and a check that the wiring happened). */
  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  private failed(event: keyof Events, listener: string, err: unknown): void {
    this.deps.failures.inc({ event: String(event) });
    this.deps.log.error({ err, event: String(event), listener }, 'event listener failed');
  }
}
