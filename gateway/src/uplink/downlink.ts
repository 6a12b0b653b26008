/**
 * The gateway's parser of everything the hub sends (issue 10: one contract, bound at both ends).
 * Pure: topic and bytes in, a typed message or a counted refusal out, through the contract map of
 * @anxin/protocol — the very schemas the hub encodes with. Never throws.
 */
import {
  decodeDownlink,
  downlinkTopic,
  type Ack,
  type Command,
  type GatewayConfigMessage,
} from '@anxin/protocol';

export type DownlinkMessage =
  | { channel: 'ack'; ack: Ack }
  | { channel: 'cmd'; command: Command }
  /** `config: null`: the hub cleared the retained config (an empty retained message). */
  | { channel: 'config'; config: GatewayConfigMessage | null };

export interface DownlinkRefusal {
  channel: 'ack' | 'cmd' | 'config' | 'unknown';
  /** BAD_JSON, SCHEMA, TOO_LARGE (contract) or UNKNOWN_TOPIC. */
  code: string;
  message: string;
  /** A refused command with a usable id still gets an answer, so the hub does not wait for it. */
  commandId?: string;
}

export type DownlinkParse =
  { ok: true; message: DownlinkMessage } | ({ ok: false } & DownlinkRefusal);

export function parseDownlink(
  gatewayId: string,
  topic: string,
  payload: Uint8Array,
  maxBytes?: number,
): DownlinkParse {
  if (topic === downlinkTopic(gatewayId, 'ack')) {
    const r = decodeDownlink('ack', payload, maxBytes);
    return r.ok
      ? { ok: true, message: { channel: 'ack', ack: r.value } }
      : { ok: false, channel: 'ack', code: r.code, message: r.message };
  }
  if (topic === downlinkTopic(gatewayId, 'cmd')) {
    const r = decodeDownlink('cmd', payload, maxBytes);
    if (r.ok) return { ok: true, message: { channel: 'cmd', command: r.value } };
    const commandId = r.code === 'SCHEMA' ? commandIdOf(payload) : null;
    return {
      ok: false,
      channel: 'cmd',
      code: r.code,
      message: r.message,
      ...(commandId !== null ? { commandId } : {}),
    };
  }
  if (topic === downlinkTopic(gatewayId, 'config')) {
    // MQTT 3.1.1 §3.3.1.3: an empty retained message clears the retained one (decommissioning).
    if (payload.byteLength === 0) return { ok: true, message: { channel: 'config', config: null } };
    const r = decodeDownlink('config', payload, maxBytes);
    return r.ok
      ? { ok: true, message: { channel: 'config', config: r.value } }
      : { ok: false, channel: 'config', code: r.code, message: r.message };
  }
  return {
    ok: false,
    channel: 'unknown',
    code: 'UNKNOWN_TOPIC',
    message: `unexpected topic ${topic.slice(0, 200)}`,
  };
}

/** The `id` of a command that failed validation, when it has a usable one. */
function commandIdOf(payload: Uint8Array): string | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(payload).toString('utf8'));
    if (typeof value !== 'object' || value === null || !('id' in value)) return null;
    const id = value.id;
    return typeof id === 'string' && id.length > 0 && id.length <= 64 ? id : null;
  } catch {
    return null;
  }
}
