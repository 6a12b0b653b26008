/**
 * The hub's publishes to a connected gateway wait for its subscription (subscription-gate.ts):
 * the gate alone with fake timers, then the embedded broker with a real MQTT client that, like a
 * gateway of an older release or an alarm sent at connect, has the hub answer before its
 * SUBSCRIBE is through. Without the gate that answer reached no one.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { downlinkTopic } from '@anxin/protocol';
import { brokerWithGateway, type BrokerWithGateway } from '../testing/broker-gateway.js';
import { SubscriptionGate, subscribingClient, type GateRelease } from './subscription-gate.js';

const ACK = downlinkTopic('gw-1', 'ack');
const CMD = downlinkTopic('gw-1', 'cmd');

function gateWithLog(waitMs = 1000) {
  const released: GateRelease[] = [];
  const gate = new SubscriptionGate(waitMs, (why) => released.push(why));
  return { gate, released };
}

/** Records when each held publish may go. */
function track(p: Promise<void> | undefined, log: string[], name: string): void {
  expect(p, `${name} is held`).toBeDefined();
  void p?.then(() => log.push(name));
}

const flush = () => new Promise((r) => setImmediate(r));

describe('SubscriptionGate', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds nothing for a gateway not connected or already subscribed (exact or wildcard)', () => {
    const { gate } = gateWithLog();
    expect(gate.hold(undefined, ACK)).toBeUndefined();
    expect(gate.hold({ id: 'gw-1', subscriptions: { [ACK]: {} } }, ACK)).toBeUndefined();
    const wildcard = { id: 'gw-1', subscriptions: { 'anxin/v1/gw/gw-1/down/+': {} } };
    expect(gate.hold(wildcard, CMD)).toBeUndefined();
    expect(gate.heldGateways).toBe(0);
  });

  it('releases a held publish when a matching subscription arrives, not before', async () => {
    const { gate, released } = gateWithLog();
    const subscriptions: Record<string, object> = {};
    const client = { id: 'gw-1', subscriptions };
    const log: string[] = [];
    track(gate.hold(client, ACK), log, 'ack');
    track(gate.hold(client, CMD), log, 'cmd');
    subscriptions[downlinkTopic('gw-1', 'config')] = {};
    gate.subscribed(client);
    await flush();
    expect(log).toEqual([]);
    subscriptions[ACK] = {};
    gate.subscribed(client);
    await flush();
    expect(log).toEqual(['ack']);
    expect(gate.heldGateways).toBe(1);
    subscriptions[CMD] = {};
    gate.subscribed(client);
    await flush();
    expect(log).toEqual(['ack', 'cmd']);
    expect(released).toEqual(['subscribed', 'subscribed']);
    expect(gate.heldGateways).toBe(0);
  });

  it("releases a gateway's held publishes when it disconnects, and no other gateway's", async () => {
    const { gate, released } = gateWithLog();
    const log: string[] = [];
    track(gate.hold({ id: 'gw-1', subscriptions: {} }, ACK), log, 'gw-1');
    track(gate.hold({ id: 'gw-2', subscriptions: {} }, downlinkTopic('gw-2', 'ack')), log, 'gw-2');
    gate.disconnected('gw-1');
    await flush();
    expect(log).toEqual(['gw-1']);
    expect(released).toEqual(['disconnected']);
    expect(gate.heldGateways).toBe(1);
    gate.close();
    await flush();
    expect(log).toEqual(['gw-1', 'gw-2']);
  });

  it('lets a publish go after waitMs when the gateway never subscribes', async () => {
    vi.useFakeTimers();
    const { gate, released } = gateWithLog(5000);
    const log: string[] = [];
    track(gate.hold({ id: 'gw-1', subscriptions: {} }, ACK), log, 'ack');
    await vi.advanceTimersByTimeAsync(4999);
    expect(log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(log).toEqual(['ack']);
    expect(released).toEqual(['timeout']);
    expect(gate.heldGateways).toBe(0);
  });

  it("reads an aedes client's filters, and holds nothing when the shape is not there", () => {
    const aedesLike = { id: 'gw-1', subscriptions: { [ACK]: {} } };
    expect(subscribingClient(aedesLike)).toEqual(aedesLike);
    expect(subscribingClient({ id: 'gw-1' })).toBeUndefined();
    const broken = { id: 'gw-1', subscriptions: null };
    expect(subscribingClient(broken)).toBeUndefined();
  });
});

describe('Broker: a publish to a gateway that has not subscribed yet', () => {
  let running: BrokerWithGateway | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  /** A fresh session (as after a hub restart): no subscription survives from before. */
  async function connectedGateway(): Promise<BrokerWithGateway> {
    running = await brokerWithGateway({ gatewayId: 'gw-1', secret: 'gate-secret-1', clean: true });
    return running;
  }

  it('is delivered once the gateway subscribes, in the order the hub made it', async () => {
    const { broker: hub, gateway: client, metrics } = await connectedGateway();
    const received: string[] = [];
    client.on('message', (topic, payload) => received.push(`${topic} ${payload.toString()}`));
    // The hub answers before the SUBSCRIBE is through: a telemetry ack (QoS 0), then an alarm
    // ack and a command (QoS 1).
    const sent = [
      hub.publish(ACK, Buffer.from('telemetry-ack'), { qos: 0 }),
      hub.publish(ACK, Buffer.from('alarm-ack'), { qos: 1 }),
      hub.publish(CMD, Buffer.from('command'), { qos: 1 }),
    ];
    await new Promise((r) => setTimeout(r, 100));
    expect(received).toEqual([]);
    await client.subscribeAsync([ACK, CMD], { qos: 1 });
    await Promise.all(sent);
    const deadline = Date.now() + 5000;
    while (received.length < 3 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([`${ACK} telemetry-ack`, `${ACK} alarm-ack`, `${CMD} command`]);
    expect(metrics.downlinkHeld.get({ released: 'subscribed' })).toBe(3);
    // Subscribed now: the next publish is not held.
    await hub.publish(ACK, Buffer.from('later'), { qos: 0 });
    expect(metrics.downlinkHeld.get({ released: 'subscribed' })).toBe(3);
  });

  it('goes when the gateway disconnects without subscribing (nothing is held forever)', async () => {
    const { broker: hub, gateway: client, metrics } = await connectedGateway();
    const sent = hub.publish(ACK, Buffer.from('alarm-ack'), { qos: 1 });
    await client.endAsync(true);
    await sent;
    const deadline = Date.now() + 5000;
    while (metrics.downlinkHeld.get({ released: 'disconnected' }) < 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(metrics.downlinkHeld.get({ released: 'disconnected' })).toBe(1);
  });
});
