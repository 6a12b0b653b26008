/**
 * Config of several hubs side by side (issue 11, DESIGN.md Scale). One hub needs none of it: with
 * no Redis, Socket.IO stays in-process, and the instance name only labels metrics and logs.
 */
import { hostname } from 'node:os';
import { Type, type Static } from '@sinclair/typebox';

export const ClusterConfigSchema = Type.Object(
  {
    /**
     * This hub's name among several: the `instance` label on every /metrics sample (only when
     * set), part of its MQTT client id and its lease holder name. Empty = the host name, no
     * label. Give each hub of a district its own (two hubs with one name share leases).
     */
    instanceId: Type.String({ default: '', pattern: '^[A-Za-z0-9._-]{0,64}$' }),
    redis: Type.Object(
      {
        /**
         * redis://host:6379 (or rediss://): the Socket.IO Redis adapter, so a console on any hub
         * hears every hub's alarm pushes. Empty = one hub (pushes stay in-process).
         */
        url: Type.String({ default: '', pattern: '^$|^rediss?://' }),
        /** Channel prefix, so districts can share one Redis. */
        channelPrefix: Type.String({ minLength: 1, default: 'anxin' }),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { default: {}, additionalProperties: false },
);
export type ClusterConfig = Static<typeof ClusterConfigSchema>;

export function resolveInstanceId(config: ClusterConfig): string {
  return (
    config.instanceId ||
    hostname()
      .replace(/[^A-Za-z0-9._-]/g, '-')
      .slice(0, 64) ||
    'hub'
  );
}
