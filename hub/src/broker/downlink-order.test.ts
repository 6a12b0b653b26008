/**
 * The hub's publishes to one gateway arrive in order and none is dropped (downlink-order.ts):
 * the ordering logic alone, then the embedded broker with a real gateway connection, where a
 * QoS 1 publish (alarm ack, command, configuration) followed at once by a QoS 0 one (telemetry
 * ack) lost the QoS 1 one to aedes' duplicate check.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { downlinkTopic } from '@anxin/protocol';
import { brokerWithGateway, type BrokerWithGateway } from '../testing/broker-gateway.js';
import { DownlinkOrder } from './downlink-order.js';

/** A publish the test settles by hand, recording when it started. */
function manualPublish(log: string[], name: string) {
  let settle: (err?: Error) => void = () => undefined;
  const run = () =>
    new Promise<void>((resolve, reject) => {
      log.push(`start ${name}`);
      settle = (err) => (err ? reject(err) : resolve());
    });
  return { run, settle: (err?: Error) => settle(err) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('DownlinkOrder', () => {
  it('a QoS 0 publish with nothing ahead runs at once', () => {
    const order = new DownlinkOrder();
    const log: string[] = [];
    void order.run('gw-1', 0, () => {
      log.push('ran');
      return Promise.resolve();
    });
    expect(log).toEqual(['ran']); // synchronously: the telemetry acks' fast path
    expect(order.waitingGateways).toBe(0);
  });

  it('later publishes to a gateway wait for its QoS 1 publish; other gateways do not', async () => {
    const order = new DownlinkOrder();
    const log: string[] = [];
    const cmd = manualPublish(log, 'cmd q1');
    const ack = manualPublish(log, 'ack q0');
    const ack2 = manualPublish(log, 'ack2 q0');
    const other = manualPublish(log, 'other gw q0');
    const done = [
      order.run('gw-1', 1, cmd.run),
      order.run('gw-1', 0, ack.run),
      order.run('gw-1', 0, ack2.run),
      order.run('gw-2', 0, other.run),
    ];
    await flush();
    expect(log).toEqual(['start cmd q1', 'start other gw q0']);
    cmd.settle();
    await flush();
    expect(log).toEqual(['start cmd q1', 'start other gw q0', 'start ack q0']);
    ack.settle();
    await flush();
    expect(log.at(-1)).toBe('start ack2 q0');
    ack2.settle();
    other.settle();
    await Promise.all(done);
    await flush();
    expect(order.waitingGateways).toBe(0); // back to the fast path
  });

  it('a failed publish rejects its own caller and does not hold the next one back', async () => {
    const order = new DownlinkOrder();
    const log: string[] = [];
    const cmd = manualPublish(log, 'cmd q1');
    const ack = manualPublish(log, 'ack q0');
    const failed = order.run('gw-1', 1, cmd.run);
    const next = order.run('gw-1', 0, ack.run);
    cmd.settle(new Error('connection closed'));
    await expect(failed).rejects.toThrow('connection closed');
    await flush();
    expect(log).toEqual(['start cmd q1', 'start ack q0']);
    ack.settle();
    await expect(next).resolves.toBeUndefined();
  });

  it('a QoS 0 publish behind a gate waits for it, and later ones to that gateway wait too', async () => {
    const order = new DownlinkOrder();
    const log: string[] = [];
    let open: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const held = manualPublish(log, 'held ack q0');
    const next = manualPublish(log, 'next ack q0');
    const done = [order.run('gw-1', 0, held.run, gate), order.run('gw-1', 0, next.run)];
    await flush();
    expect(log).toEqual([]);
    expect(order.waitingGateways).toBe(1);
    open();
    await flush();
    expect(log).toEqual(['start held ack q0']);
    held.settle();
    await flush();
    expect(log).toEqual(['start held ack q0', 'start next ack q0']);
    next.settle();
    await Promise.all(done);
  });
});

describe('embedded broker: a QoS 1 publish then a QoS 0 one to the same gateway', () => {
  let running: BrokerWithGateway | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });

  it('delivers both, in order, every time', async () => {
    running = await brokerWithGateway({
      gatewayId: 'gw-order',
      secret: 'order-secret-1',
      clean: false,
    });
    const { broker, gateway } = running;
    const received: string[] = [];
    gateway.on('message', (_topic, payload) => received.push(payload.toString()));
    await gateway.subscribeAsync(
      [downlinkTopic('gw-order', 'cmd'), downlinkTopic('gw-order', 'ack')],
      { qos: 1 },
    );

    const sent: string[] = [];
    const publishes: Promise<void>[] = [];
    for (let i = 0; i < 50; i += 1) {
      // Back to back, as the hub does when an alarm ack and a telemetry ack leave together.
      sent.push(`cmd-${i}`, `ack-${i}`);
      publishes.push(
        broker.publish(downlinkTopic('gw-order', 'cmd'), Buffer.from(`cmd-${i}`), { qos: 1 }),
        broker.publish(downlinkTopic('gw-order', 'ack'), Buffer.from(`ack-${i}`), { qos: 0 }),
      );
    }
    await Promise.all(publishes);
    const deadline = Date.now() + 5000;
    while (received.length < sent.length && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual(sent);
  });
});
