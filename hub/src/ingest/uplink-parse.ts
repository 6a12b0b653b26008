/**
 * The hub's parser of everything a gateway sends (issue 10: one contract, bound at both ends).
 * Pure: channel and bytes in, a typed message or a refusal with a stable code out, through the
 * contract map of @anxin/protocol — the schemas the gateway encodes with. Batches keep their
 * per-event parsing (batch.ts), so one bad event does not poison the rest.
 */
import {
  AlarmEventSchema,
  decodeUplink,
  TelemetryEventSchema,
  UPLINK_PAYLOADS,
  type AlarmEvent,
  type CommandResult,
  type ConfigState,
  type GatewayStatus,
  type Heartbeat,
  type TelemetryEvent,
  type UplinkChannel,
} from '@anxin/protocol';
import { parseBatch, type EventRejection } from './batch.js';

export type UplinkMessage =
  | { channel: 'alarm'; events: AlarmEvent[]; rejected: EventRejection[] }
  | { channel: 'telemetry'; events: TelemetryEvent[]; rejected: EventRejection[] }
  | { channel: 'heartbeat'; heartbeat: Heartbeat }
  | { channel: 'status'; status: GatewayStatus }
  | { channel: 'cmd-result'; result: CommandResult }
  | { channel: 'config-state'; state: ConfigState };

export type UplinkParse =
  | { ok: true; message: UplinkMessage }
  | { ok: false; code: 'TOO_LARGE' | 'BAD_JSON' | 'SCHEMA'; message: string };

export function parseUplink(channel: UplinkChannel, payload: Uint8Array): UplinkParse {
  switch (channel) {
    case 'alarm': {
      const r = parseBatch(UPLINK_PAYLOADS.alarm, AlarmEventSchema, payload);
      return r.ok ? { ok: true, message: { channel, events: r.events, rejected: r.rejected } } : r;
    }
    case 'telemetry': {
      const r = parseBatch(UPLINK_PAYLOADS.telemetry, TelemetryEventSchema, payload);
      return r.ok ? { ok: true, message: { channel, events: r.events, rejected: r.rejected } } : r;
    }
    case 'heartbeat': {
      const r = decodeUplink(channel, payload);
      return r.ok ? { ok: true, message: { channel, heartbeat: r.value } } : r;
    }
    case 'status': {
      const r = decodeUplink(channel, payload);
      return r.ok ? { ok: true, message: { channel, status: r.value } } : r;
    }
    case 'cmd-result': {
      const r = decodeUplink(channel, payload);
      return r.ok ? { ok: true, message: { channel, result: r.value } } : r;
    }
    case 'config-state': {
      const r = decodeUplink(channel, payload);
      return r.ok ? { ok: true, message: { channel, state: r.value } } : r;
    }
  }
}
