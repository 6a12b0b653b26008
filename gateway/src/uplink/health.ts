/** The uplink's health as the gateway reports it (heartbeat, `anxin gateway status`, /healthz). */
import type { Lane } from '@anxin/protocol';
import type { TlsHandshakeCounts } from './hub-stream.js';
import type { TicketFileStats } from './tls-ticket-file.js';

/** One lane's counters since start. */
export interface LaneCounters {
  batchesSent: number;
  eventsSent: number;
  acked: number;
  rejected: number;
  deferred: number;
  resends: number;
  /** Holds lifted early because the hub called the lane back. */
  resumes: number;
}

export interface UplinkHealth {
  connected: boolean;
  connects: number;
  connectFailures: number;
  lastError: string | null;
  lastErrorCode: string | null;
  lastConnectedAt: number | null;
  nextRetryInMs: number | null;
  lanes: Record<Lane, LaneCounters & { inflightBatches: number; heldForMs: number }>;
  heartbeatsSent: number;
  /** Reconnect waits cut short because an alarm was pending. */
  alarmReconnects: number;
  /** TLS handshakes with the hub, full and resumed (hub-stream.ts); both 0 over plain TCP. */
  tlsHandshakes: TlsHandshakeCounts;
  /** The saved TLS session ticket (tls-ticket-file.ts): used at start, or why not; writes. */
  tlsTicketFile: TicketFileStats;
  /** Downlink messages refused, by `${channel}:${code}` (e.g. `ack:BAD_JSON`). */
  badDownlinks: Record<string, number>;
  commands: number;
  configMessages: number;
  lastConfigVersion: number | null;
}

/** A lane's counters before anything is sent (also the health of a gateway not started). */
export function emptyLaneCounters(): LaneCounters {
  return {
    batchesSent: 0,
    eventsSent: 0,
    acked: 0,
    rejected: 0,
    deferred: 0,
    resends: 0,
    resumes: 0,
  };
}

/** The health of an uplink not started (a gateway not started). */
export function emptyUplinkHealth(): UplinkHealth {
  const lane = { ...emptyLaneCounters(), inflightBatches: 0, heldForMs: 0 };
  return {
    connected: false,
    connects: 0,
    connectFailures: 0,
    lastError: null,
    lastErrorCode: null,
    lastConnectedAt: null,
    nextRetryInMs: null,
    lanes: { alarm: { ...lane }, telemetry: { ...lane } },
    heartbeatsSent: 0,
    alarmReconnects: 0,
    tlsHandshakes: { full: 0, resumed: 0 },
    tlsTicketFile: { loaded: false, ignored: null, saves: 0, saveFailures: 0 },
    badDownlinks: {},
    commands: 0,
    configMessages: 0,
    lastConfigVersion: null,
  };
}
