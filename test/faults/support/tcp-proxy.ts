/**
 * A TCP proxy between gateways and the hub that can cut the uplink the ways networks do:
 *  - forward: pipes bytes both ways;
 *  - drop: resets every open connection and refuses new ones at once (a link that is down);
 *  - stall: accepts connections and keeps open ones, but forwards nothing (a black hole: a NAT
 *    that lost its state, a congested mobile link). Bytes read while stalled are discarded, so
 *    stalled connections are reset when the mode changes (their streams are no longer whole).
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'forward' | 'drop' | 'stall';

export interface TcpProxy {
  port: number;
  readonly mode: ProxyMode;
  setMode(mode: ProxyMode): void;
  /** Connections accepted since start (all modes), for assertions that gateways came back. */
  readonly accepted: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
  stalled: boolean;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'forward';
  let accepted = 0;
  const pairs = new Set<Pair>();

  const destroy = (pair: Pair) => {
    pair.client.destroy();
    pair.upstream?.destroy();
    pairs.delete(pair);
  };

  const server: Server = createServer((client) => {
    accepted += 1;
    client.on('error', () => undefined);
    if (mode === 'drop') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined, stalled: mode === 'stall' };
    pairs.add(pair);
    client.on('close', () => destroy(pair));
    if (pair.stalled) {
      client.on('data', () => undefined); // read and discard: the peer sees no reply at all
      return;
    }
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', () => destroy(pair));
    upstream.on('close', () => destroy(pair));
    client.on('data', (chunk: Buffer) => {
      if (!pair.stalled) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.stalled) client.write(chunk);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get mode() {
      return mode;
    },
    get accepted() {
      return accepted;
    },
    setMode(next) {
      const previous = mode;
      mode = next;
      for (const pair of [...pairs]) {
        if (next === 'drop') {
          pair.client.resetAndDestroy();
          destroy(pair);
        } else if (next === 'stall') {
          pair.stalled = true;
        } else if (previous === 'stall' && pair.stalled) {
          pair.client.resetAndDestroy();
          destroy(pair);
        }
      }
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
