/**
 * MQTT topic layout shared by gateway and hub.
 *
 * Every topic a gateway may touch lies under `anxin/v1/gw/{gatewayId}/`, so the broker can
 * authorise a gateway by prefix alone (DESIGN.md, Security: "the broker lets a gateway publish and
 * subscribe only under its own topics").
 *
 *   up/alarm        gateway → hub   UplinkBatch of alarm-lane events          QoS 1
 *   up/telemetry    gateway → hub   UplinkBatch of telemetry-lane events      QoS 1
 *   up/heartbeat    gateway → hub   Heartbeat                                 QoS 1
 *   up/status       gateway → hub   GatewayStatus, retained; also the last will ("offline")
 *   up/cmd-result   gateway → hub   CommandResult                             QoS 1
 *   up/config-state gateway → hub   ConfigState (applied / refused), retained QoS 1
 *   down/ack        hub → gateway   Ack of durable events                     QoS 1
 *   down/config     hub → gateway   GatewayConfigMessage, retained, versioned QoS 1
 *   down/cmd        hub → gateway   Command                                   QoS 1
 *
 * contract.ts maps each channel to its payload schema; both ends encode and decode through it.
 *
 * Alarms and telemetry travel on different topics so that the hub can put alarms ahead of
 * telemetry at the very first queue it has (DESIGN.md, contract clause 2).
 */

export const TOPIC_ROOT = 'anxin/v1/gw';

/** Gateway ids are safe to embed in topics, SQL and file names. */
export const GATEWAY_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const gatewayIdRe = new RegExp(GATEWAY_ID_PATTERN);

export function isValidGatewayId(id: string): boolean {
  return gatewayIdRe.test(id);
}

export const UPLINK_CHANNELS = [
  'alarm',
  'telemetry',
  'heartbeat',
  'status',
  'cmd-result',
  'config-state',
] as const;
export type UplinkChannel = (typeof UPLINK_CHANNELS)[number];

export const DOWNLINK_CHANNELS = ['ack', 'config', 'cmd'] as const;
export type DownlinkChannel = (typeof DOWNLINK_CHANNELS)[number];

export function uplinkTopic(gatewayId: string, channel: UplinkChannel): string {
  return `${TOPIC_ROOT}/${gatewayId}/up/${channel}`;
}

export function downlinkTopic(gatewayId: string, channel: DownlinkChannel): string {
  return `${TOPIC_ROOT}/${gatewayId}/down/${channel}`;
}

/** The prefix a gateway is confined to by the broker's ACL. */
export function gatewayTopicPrefix(gatewayId: string): string {
  return `${TOPIC_ROOT}/${gatewayId}/`;
}

/** Subscription filter the hub uses to receive everything gateways send. */
export const HUB_UPLINK_FILTER = `${TOPIC_ROOT}/+/up/#`;

/** A gateway's uplink topic, parsed. */
export interface UplinkTopic {
  gatewayId: string;
  direction: 'up';
  channel: UplinkChannel;
}

export type ParsedTopic =
  UplinkTopic | { gatewayId: string; direction: 'down'; channel: DownlinkChannel };

/** Parses a topic under TOPIC_ROOT; returns null for anything that is not exactly one of ours. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts.length !== 6 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT) return null;
  const gatewayId = parts[3] ?? '';
  const direction = parts[4];
  const channel = parts[5] ?? '';
  if (!isValidGatewayId(gatewayId)) return null;
  if (direction === 'up' && (UPLINK_CHANNELS as readonly string[]).includes(channel)) {
    return { gatewayId, direction, channel: channel as UplinkChannel };
  }
  if (direction === 'down' && (DOWNLINK_CHANNELS as readonly string[]).includes(channel)) {
    return { gatewayId, direction, channel: channel as DownlinkChannel };
  }
  return null;
}

/** MQTT topic filter matching (MQTT 3.1.1 §4.7: `+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i += 1) {
    const part = f[i];
    if (part === '#') return true;
    if (i >= t.length) return false;
    if (part !== '+' && part !== t[i]) return false;
  }
  return f.length === t.length;
}
