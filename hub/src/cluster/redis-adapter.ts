/**
 * The Socket.IO Redis adapter (issue 11, DESIGN.md Scale): with several hubs, an alarm ingested by
 * hub B is pushed to the consoles connected to hub A — every `io.to(rooms).emit` is published on
 * Redis and re-emitted by each hub to its own sockets. Redis carries only those pushes (nothing is
 * stored there): consoles still resync from SQL (`alarms:sync`) on every reconnect, so a Redis
 * outage delays pushes from other hubs, never loses an alarm.
 */
import { createAdapter } from '@socket.io/redis-adapter';
import type { Logger } from 'pino';
import { createClient } from 'redis';

export interface RedisLink {
  /** For Socket.IO's `io.adapter(...)`. */
  adapter: ReturnType<typeof createAdapter>;
  /** A round trip to Redis (/healthz). */
  check(): Promise<void>;
  close(): Promise<void>;
}

export async function connectRedisAdapter(
  url: string,
  channelPrefix: string,
  log: Logger,
): Promise<RedisLink> {
  const pub = createClient({ url });
  const sub = pub.duplicate();
  let down = false;
  for (const [name, client] of [
    ['pub', pub],
    ['sub', sub],
  ] as const) {
    // Without a listener node-redis would throw; it reconnects by itself.
    client.on('error', (err: Error) => {
      if (!down) log.warn({ err: err.message, client: name }, 'Redis connection error');
      down = true;
    });
    client.on('ready', () => {
      if (down) log.info({ client: name }, 'Redis connection back');
      down = false;
    });
  }
  await Promise.all([pub.connect(), sub.connect()]);
  log.info({ url: url.replace(/\/\/[^@]*@/, '//***@') }, 'Socket.IO Redis adapter connected');
  return {
    adapter: createAdapter(pub, sub, { key: `${channelPrefix}#io` }),
    async check() {
      await pub.ping();
    },
    async close() {
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
