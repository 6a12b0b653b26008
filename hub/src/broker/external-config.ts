/**
 * Config of `mqtt.mode: external` (issue 11): the hub is an MQTT 5 client of an existing broker
 * (Mosquitto 2 with its dynamic security plugin, or EMQX), several hubs sharing the uplinks through
 * a shared subscription. Kept apart from config.ts so that file stays a plain list of sections.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ConfigError } from '@anxin/protocol';

export const BrokerModeSchema = Type.Union([Type.Literal('embedded'), Type.Literal('external')], {
  default: 'embedded',
});

export const ExternalBrokerConfigSchema = Type.Object(
  {
    /** mqtt://broker:1883 or mqtts://broker:8883. Required in external mode. */
    url: Type.String({ default: '', pattern: '^$|^mqtts?://' }),
    /** The hub's own broker account (in Mosquitto: a dynamic-security client, see README). */
    username: Type.String({ default: '' }),
    /** Better given as ANXIN__HUB__MQTT__EXTERNAL__PASSWORD than written in a file. */
    password: Type.String({ default: '' }),
    /** PEM CA bundle to verify an mqtts:// broker (default: the system CAs). */
    caFile: Type.String({ default: '' }),
    /**
     * The shared-subscription group: every hub in it gets a share of the gateways' uplinks
     * (`$share/<group>/anxin/v1/gw/+/up/#`). Hubs of one district use the same group.
     */
    shareGroup: Type.String({ minLength: 1, pattern: '^[A-Za-z0-9_-]+$', default: 'anxin' }),
    /**
     * How gateway accounts and ACLs are kept in the broker:
     *  - `mosquitto-dynsec`: the hub creates/updates/disables one client and one role per gateway
     *    through `$CONTROL/dynamic-security/v1` when a gateway is claimed, re-issued or
     *    decommissioned (the hub's account needs the plugin's admin rights);
     *  - `broker-http`: the broker asks the hub for every login and every publish/subscribe
     *    (EMQX 5 HTTP authentication and authorization, http/broker-auth-routes.ts), with
     *    `authHttpSecret` as its bearer token; nothing is copied into the broker;
     *  - `none`: the broker's accounts are managed elsewhere, the hub only takes uplinks and
     *    publishes.
     */
    gatewayAccounts: Type.Union(
      [Type.Literal('mosquitto-dynsec'), Type.Literal('broker-http'), Type.Literal('none')],
      { default: 'mosquitto-dynsec' },
    ),
    /**
     * `broker-http`: the token the broker sends as `Authorization: Bearer …` (at least 24
     * characters; better given as ANXIN__MQTT__EXTERNAL__AUTHHTTPSECRET than in a file).
     */
    authHttpSecret: Type.String({ default: '' }),
    /** Give up a connection attempt (and a dynamic-security command) after this long. */
    connectTimeoutMs: Type.Integer({ minimum: 100, maximum: 300_000, default: 10_000 }),
  },
  { default: {}, additionalProperties: false },
);
export type ExternalBrokerConfig = Static<typeof ExternalBrokerConfigSchema>;

/** Cross-key checks the schema cannot express; names the key that is wrong. */
export function checkBrokerConfig(
  mqtt: { mode: 'embedded' | 'external'; external: ExternalBrokerConfig },
  source = 'hub config',
): void {
  if (mqtt.mode !== 'external') return;
  const problems: string[] = [];
  if (!mqtt.external.url)
    problems.push('mqtt.external.url: required when mqtt.mode is external (mqtt://host:1883)');
  if (!mqtt.external.username)
    problems.push(
      "mqtt.external.username: required when mqtt.mode is external (the hub's account)",
    );
  if (mqtt.external.gatewayAccounts === 'broker-http' && mqtt.external.authHttpSecret.length < 24)
    problems.push(
      'mqtt.external.authHttpSecret: at least 24 characters when gatewayAccounts is broker-http (the token the broker sends)',
    );
  if (problems.length > 0) throw new ConfigError(source, problems);
}
