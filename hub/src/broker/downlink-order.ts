/**
 * Keeps the hub's publishes to one gateway in the order they were made, on the embedded aedes.
 *
 * aedes numbers every publish as it is made (its packet counter) and drops, per client, a packet
 * numbered below one the client already got (client.js `dedupe`, meant for the same message
 * arriving twice through a cluster). A QoS 1 publish takes an asynchronous step first (a
 * persistence lookup for offline subscribers) that a QoS 0 publish skips, so a QoS 0 publish made
 * just after a QoS 1 one to the same gateway overtook it, and the QoS 1 one was then dropped.
 * Since telemetry acks went to QoS 0 (LANE_QOS) that hit an alarm ack, a command or a new
 * configuration followed by a telemetry ack: measured with aedes alone, 100 of 100 such QoS 1
 * publishes were lost.
 *
 * So while a QoS 1 publish to a gateway is on its way, later ones to that gateway wait for it
 * (its callback: delivered, or queued for an offline session). A QoS 0 publish with nothing
 * ahead of it goes at once: the telemetry acks, the bulk of the traffic, keep their fast path.
 */
export class DownlinkOrder {
  /** Per gateway: the end of the chain of publishes still on their way (only while there is one). */
  private readonly tails = new Map<string, Promise<void>>();

  /** Publishes waiting behind another to the same gateway (for tests and metrics). */
  get waitingGateways(): number {
    return this.tails.size;
  }

  /**
   * Runs `publish` after every earlier one to `key` that is still on its way, and after `gate`
   * when given (subscription-gate.ts: later publishes to `key` then wait behind this one); at
   * once when there is neither and it is QoS 0. Resolves or rejects as `publish` does; an
   * earlier failure does not hold it back.
   */
  run(
    key: string,
    qos: 0 | 1 | 2,
    publish: () => Promise<void>,
    gate?: Promise<void>,
  ): Promise<void> {
    const ahead = this.tails.get(key);
    if (!ahead && !gate && qos === 0) return publish();
    const before = ahead && gate ? ahead.then(() => gate) : (ahead ?? gate);
    const result = before ? before.then(publish) : publish();
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
