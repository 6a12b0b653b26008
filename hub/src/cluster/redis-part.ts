/**
 * The Socket.IO Redis adapter as a hub part (cluster.redis.url): connected by listen() before the
 * consoles can connect, closed after them. Without a URL it does nothing (a single hub).
 */
import type { Logger } from 'pino';
import type { HubPart } from '../lifecycle.js';
import type { Realtime } from '../realtime/realtime.js';
import { connectRedisAdapter, type RedisLink } from './redis-adapter.js';

export class RedisPart implements HubPart {
  readonly name = 'redis';
  private link: RedisLink | undefined;

  constructor(
    private readonly deps: {
      url: string | undefined;
      channelPrefix: string;
      realtime: Pick<Realtime, 'useAdapter'>;
      log: Logger;
    },
  ) {}

  async start(): Promise<void> {
    if (!this.deps.url) return;
    this.link = await connectRedisAdapter(this.deps.url, this.deps.channelPrefix, this.deps.log);
    this.deps.realtime.useAdapter(this.link.adapter);
  }

  /** A round trip to Redis (/healthz); refused before listen() connected it. */
  check(): Promise<void> {
    return this.link?.check() ?? Promise.reject(new Error('not connected yet'));
  }

  async stop(): Promise<void> {
    const link = this.link;
    this.link = undefined;
    await link?.close();
  }
}
