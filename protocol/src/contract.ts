/**
 * The one contract, bound at both ends (issue 10): every MQTT channel of topics.ts mapped to the
 * schema of its payload. Gateway and hub encode and decode through these helpers only, so the two
 * ends cannot each keep their own idea of a message (the drift that issue 10 found: the gateway
 * parsed `{v, version}` on down/config while the hub published `{v, configVersion, …}`).
 *
 * Kept in its own file, importing the schemas' files and nothing importing it back, so that
 * protocol/ stays free of import cycles.
 */
import type { Static, TSchema } from '@sinclair/typebox';
import { GatewayConfigMessageSchema } from './care.js';
import { ConfigStateSchema } from './control.js';
import {
  AckSchema,
  AlarmBatchSchema,
  CommandResultSchema,
  CommandSchema,
  GatewayStatusSchema,
  HeartbeatSchema,
  LIMITS,
  TelemetryBatchSchema,
  type Lane,
} from './messages.js';
import { parsePayload, schemaIssues, type ParseResult, type SchemaIssue } from './schema.js';
import type { DownlinkChannel, UplinkChannel } from './topics.js';

/** gateway → hub, by channel (`anxin/v1/gw/{id}/up/{channel}`). */
export const UPLINK_PAYLOADS = {
  alarm: AlarmBatchSchema,
  telemetry: TelemetryBatchSchema,
  heartbeat: HeartbeatSchema,
  status: GatewayStatusSchema,
  'cmd-result': CommandResultSchema,
  'config-state': ConfigStateSchema,
} as const satisfies Record<UplinkChannel, TSchema>;

/** hub → gateway, by channel (`anxin/v1/gw/{id}/down/{channel}`). */
export const DOWNLINK_PAYLOADS = {
  ack: AckSchema,
  config: GatewayConfigMessageSchema,
  cmd: CommandSchema,
} as const satisfies Record<DownlinkChannel, TSchema>;

/**
 * The MQTT QoS of each lane's batches (gateway → hub) and of their acks (hub → gateway). The no-loss
 * contract does not rest on MQTT delivery (clause 3: only the hub's ack, sent once the events are
 * durable, takes them out of the outbox; a batch with no ack in time is sent again, clause 4 makes
 * that harmless). Telemetry goes at QoS 0: at QoS 1 each batch and each ack cost a PUBACK back and
 * the broker's bookkeeping of the message in flight, doubling the packets of the hub's busiest
 * path for no delivery the lane does not already ensure. Alarms keep QoS 1 as before: they are
 * few, so their PUBACKs cost nothing measurable, and the contract's most important path stays as
 * it was tested.
 */
export const LANE_QOS = { alarm: 1, telemetry: 0 } as const satisfies Record<Lane, 0 | 1>;

export type UplinkPayload<C extends UplinkChannel> = Static<(typeof UPLINK_PAYLOADS)[C]>;
export type DownlinkPayload<C extends DownlinkChannel> = Static<(typeof DOWNLINK_PAYLOADS)[C]>;

/** Stable codes of a message that does not fit the contract (same as the hub's REJECT_CODES). */
export const CONTRACT_ERROR_CODES = ['BAD_JSON', 'SCHEMA', 'TOO_LARGE'] as const;
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

/** Thrown by encode*: our own code built a message the other end would refuse. */
export class ContractError extends Error {
  constructor(
    readonly code: ContractErrorCode,
    readonly channel: string,
    message: string,
    readonly issues: SchemaIssue[] = [],
  ) {
    super(`${channel}: ${message}`);
    this.name = 'ContractError';
  }
}

function encode(schema: TSchema, channel: string, payload: unknown): Buffer {
  const issues = schemaIssues(schema, payload, 5);
  const first = issues[0];
  if (first) throw new ContractError('SCHEMA', channel, `${first.path}: ${first.message}`, issues);
  const bytes = Buffer.from(JSON.stringify(payload));
  if (bytes.byteLength > LIMITS.maxPayloadBytes)
    throw new ContractError(
      'TOO_LARGE',
      channel,
      `payload of ${bytes.byteLength} bytes exceeds ${LIMITS.maxPayloadBytes}`,
    );
  return bytes;
}

/** Validates and serialises a gateway → hub message; throws ContractError when it does not fit. */
export function encodeUplink<C extends UplinkChannel>(
  channel: C,
  payload: UplinkPayload<C>,
): Buffer {
  return encode(UPLINK_PAYLOADS[channel], `up/${channel}`, payload);
}

/** Validates and serialises a hub → gateway message; throws ContractError when it does not fit. */
export function encodeDownlink<C extends DownlinkChannel>(
  channel: C,
  payload: DownlinkPayload<C>,
): Buffer {
  return encode(DOWNLINK_PAYLOADS[channel], `down/${channel}`, payload);
}

/** Parses an untrusted gateway → hub payload. Never throws; failures carry a stable code. */
export function decodeUplink<C extends UplinkChannel>(
  channel: C,
  payload: Uint8Array | string,
  maxBytes: number = LIMITS.maxPayloadBytes,
): ParseResult<UplinkPayload<C>> {
  return parsePayload(UPLINK_PAYLOADS[channel], payload, maxBytes);
}

/** Parses an untrusted hub → gateway payload. Never throws; failures carry a stable code. */
export function decodeDownlink<C extends DownlinkChannel>(
  channel: C,
  payload: Uint8Array | string,
  maxBytes: number = LIMITS.maxPayloadBytes,
): ParseResult<DownlinkPayload<C>> {
  return parsePayload(DOWNLINK_PAYLOADS[channel], payload, maxBytes);
}
