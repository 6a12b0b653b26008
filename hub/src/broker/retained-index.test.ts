import { createServer, type AddressInfo, type Server } from 'node:net';
import { Aedes } from 'aedes';
import { connectAsync, type MqttClient } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { indexRetainedMessages } from './retained-index.js';

describe('retained-message index (exact-topic subscriptions in O(1))', () => {
  let aedes: Aedes | undefined;
  let server: Server | undefined;
  const clients: MqttClient[] = [];
  afterEach(async () => {
    for (const c of clients) await c.endAsync(true);
    clients.length = 0;
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    await new Promise<void>((r) => (aedes ? aedes.close(() => r()) : r()));
  });

  async function start(): Promise<string> {
    aedes = await Aedes.createBroker();
    expect(indexRetainedMessages((aedes as unknown as { persistence?: unknown }).persistence)).toBe(
      true,
    );
    const broker = aedes;
    server = createServer((socket) => broker.handle(socket));
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', () => r()));
    return `mqtt://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async function retainedOn(
    url: string,
    filters: string[],
    expected: number,
  ): Promise<Map<string, string>> {
    const client = await connectAsync(url, { clientId: `sub-${Math.random()}` });
    clients.push(client);
    const got = new Map<string, string>();
    client.on('message', (topic, payload, packet) => {
      if (packet.retain) got.set(topic, payload.toString());
    });
    await client.subscribeAsync(filters, { qos: 1 });
    // Wait for the expected count (bounded), then a little longer for any extra that would be wrong.
    const deadline = Date.now() + 5000;
    while (got.size < expected && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    return got;
  }

  it('delivers retained messages for exact topics and wildcards; an empty payload clears', async () => {
    const url = await start();
    const pub = await connectAsync(url, { clientId: 'pub' });
    clients.push(pub);
    for (let i = 0; i < 200; i += 1)
      await pub.publishAsync(`gw/${i}/down/config`, `config-${i}`, { qos: 1, retain: true });
    await pub.publishAsync('gw/7/down/cmd', 'cmd-7', { qos: 1, retain: true });

    expect(
      await retainedOn(url, ['gw/7/down/config', 'gw/7/down/cmd', 'gw/7/down/ack'], 2),
    ).toEqual(
      new Map([
        ['gw/7/down/config', 'config-7'],
        ['gw/7/down/cmd', 'cmd-7'],
      ]),
    );
    const wildcard = await retainedOn(url, ['gw/+/down/config'], 200);
    expect(wildcard.size).toBe(200);

    await pub.publishAsync('gw/7/down/config', '', { qos: 1, retain: true });
    await pub.publishAsync('gw/7/down/cmd', 'cmd-7b', { qos: 1, retain: true });
    expect(await retainedOn(url, ['gw/7/down/config', 'gw/7/down/cmd'], 1)).toEqual(
      new Map([['gw/7/down/cmd', 'cmd-7b']]),
    );
    expect((await retainedOn(url, ['gw/+/down/config'], 199)).size).toBe(199);
  });
});
