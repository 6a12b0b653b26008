/**
 * The one seam between an MQTT broker and the rest of the hub (issue 11, issue 14 "Ingest starts
 * inside the broker's authorization hook"). Two brokers sit behind it:
 *
 *  - the embedded aedes broker (broker.ts): gateways connect to the hub itself, which checks their
 *    credentials and topic ACL and hands each authorized uplink to ingest straight from its
 *    authorizePublish hook (the fast path that keeps alarms ahead of a reconnect storm);
 *  - an external broker (external.ts): Mosquitto or EMQX checks credentials and ACLs itself, and
 *    the hub, an MQTT 5 client among several, takes uplinks through a shared subscription.
 *
 * Both decide with the same `authorizeUplink` (the embedded one in its ACL hook, where the ACL check
 * stays), and either way ingest sees only `UplinkSink.onUplink` with a parsed topic whose gateway id
 * the broker has authenticated; the hub answers only through `Downlink.publish`.
 */
import { gatewayTopicPrefix, parseTopic, type UplinkTopic } from '@anxin/protocol';
import type { GatewayLogin } from './gateway-login.js';

/** Where authorized uplinks go (ingest). Called synchronously per message; must never throw. */
export interface UplinkSink {
  /**
   * `topic.gatewayId` is the authenticated publisher (the broker's ACL confines a gateway to its
   * own `up/` topics); the object may be the broker's own parse result: read it, do not keep it.
   */
  onUplink(topic: UplinkTopic, payload: Buffer): void;
}

/** See authorizeUplink: the broker has authenticated the publisher and applied the ACL. */
export const BROKER_VOUCHED = null;

/**
 * The one decision both brokers take before the hand-off: is this publish a gateway's uplink that
 * its publisher may send? `publisher` is the client id the embedded broker authenticated, or
 * `BROKER_VOUCHED` when the broker itself has already applied the ACL (an external broker's
 * delivery, or a last will aedes publishes for a gateway it authorized when the will was set).
 * Returns the parsed uplink to hand to `UplinkSink.onUplink`, or null: not an uplink, or not the
 * publisher's own (refuse it and count it).
 */
export function authorizeUplink(topic: string, publisher: string | null): UplinkTopic | null {
  const parsed = parseTopic(topic);
  if (parsed === null || parsed.direction !== 'up') return null;
  if (publisher !== BROKER_VOUCHED && parsed.gatewayId !== publisher) return null;
  return parsed;
}

/**
 * The subscribe half of a gateway's ACL, for every broker that asks the hub: its own
 * `down/<channel>`, `down/+` or `down/#`, never a wildcard above its own level.
 */
export function gatewayMaySubscribe(gatewayId: string, filter: string): boolean {
  const prefix = gatewayTopicPrefix(gatewayId);
  return filter.startsWith(prefix) && /^down\/([a-z-]+|\+|#)$/.test(filter.slice(prefix.length));
}

export interface PublishOptions {
  /** Default 1: acks, config and commands must arrive. */
  qos?: 0 | 1;
  /** Config is retained (a gateway that connects later gets the latest). */
  retain?: boolean;
}

/** How the hub talks to gateways: acks, config and commands. */
export interface Downlink {
  publish(topic: string, payload: Buffer, options?: PublishOptions): Promise<void>;
}

export type BrokerMode = 'embedded' | 'external';

/** The broker as the composition root (hub.ts) drives it. */
export interface HubBroker extends Downlink {
  readonly mode: BrokerMode;
  /** Opens the MQTT port (embedded) or connects (external); returns the URL gateways use. */
  listen(): Promise<string>;
  /** Ready for traffic (readiness probe): listening, or connected and subscribed. */
  check(): Promise<void>;
  /**
   * A gateway was given new credentials (claim, provisioning). The embedded broker reads them from
   * SQL at the next CONNECT; an external broker has its own account store to update.
   */
  credentialsIssued(gatewayId: string, secret: string): Promise<void>;
  /**
   * Drops a gateway's connection (decommissioned, or re-issued credentials). Whether it may log in
   * again is read from SQL (gateways.enabled), as at every CONNECT.
   */
  disconnectGateway(gatewayId: string): void;
  /** Gateway logins as the hub decides them (the embedded broker's, or a broker asking over HTTP). */
  readonly login: GatewayLogin;
  /** Gateways connected to this hub (embedded); external: online gateways cluster-wide (SQL). */
  readonly connectedClients: number;
  /** Stops taking new gateways/uplinks; acks for work in progress still go out. */
  stopAccepting(): void;
  close(): Promise<void>;
}
