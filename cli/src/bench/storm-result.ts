/** What `anxin bench storm` takes and what it reports (storm.ts runs it). */
import type { Percentiles } from './stats.js';
import type { StormBreakdown } from './storm-breakdown.js';
import type { TlsHandshakes } from './bench-tls.js';
import type { LoadPriority } from './worker-protocol.js';

export interface StormBenchOptions {
  gateways: number;
  backlogMinutes: number;
  /** Backlogged events per second per home (load model: ~0.07). */
  eventsPerHomePerS: number;
  /** Alarms per second raised during the drain, across all gateways. */
  alarmRate: number;
  /** Load processes hosting the gateways (default: one per 2,500 gateways, at least 2). */
  workers?: number;
  /** The load processes' CPU priority (default DEFAULT_STORM_LOAD_PRIORITY; the hub: nice 0). */
  loadPriority?: LoadPriority;
  /**
   * Gateways in a process of their own at the hub's priority that raise every alarm, starting in
   * the storm like the rest (load-layout.ts; default defaultProbeGateways). 0: random gateways.
   */
  probeGateways?: number;
  /** Give up on the drain after this long. */
  timeoutS: number;
  /** The gateways' reconnect.spreadMs (undefined: the gateway's default). */
  spreadMs?: number;
  /** MQTT over TLS: the hub serves mqtts:// and every gateway verifies it (bench-tls.ts). */
  tls?: boolean;
  /**
   * Over TLS (implies `tls`): before the storm every gateway connects once and saves the hub's
   * session ticket, then gateways and hub stop and the hub restarts on its data directory
   * (worker-pool.ts, primeTlsTickets), so the storm's handshakes can resume (`--tls-resume`).
   */
  primeTickets?: boolean;
  log: (line: string) => void;
}

export interface StormBenchResult {
  /** The hub measured ("1 hub, embedded broker, SQLite", ", MQTT over TLS" with tls). */
  layout: string;
  /** Whether the gateways connected over TLS. */
  tls: boolean;
  /**
   * The hub's TLS handshakes over the run, full and resumed from a session ticket (its
   * anxin_mqtt_tls_handshakes_total); null without TLS or when the hub does not export them.
   */
  tlsHandshakes: TlsHandshakes | null;
  /** Whether the gateways' TLS session tickets were primed before the storm (primeTickets). */
  ticketsPrimed: boolean;
  /**
   * Over TLS: gateways that saved the hub's ticket while priming (0 unprimed), and gateways that
   * offered a saved ticket on their first connection of the storm; null without TLS.
   */
  tlsTickets: { saved: number; offered: number } | null;
  gateways: number;
  workers: number;
  /** The load processes' CPU priority: 'idle' (SCHED_IDLE) or a niceness; the hub's is nice 0. */
  loadPriority: LoadPriority;
  /** Gateways in the probe process (nice 0), which raise the alarms; 0: none. */
  probeGateways: number;
  backlogMinutes: number;
  backlogEvents: number;
  prefillSeconds: number;
  /** From the simultaneous start until every gateway was connected. */
  connectSeconds: number | null;
  /** From the simultaneous start until every outbox was empty. */
  drainSeconds: number | null;
  drainEventsPerS: number | null;
  drained: boolean;
  hubPeakRssMb: number;
  hubCpuSeconds: number;
  /** Every alarm raised during the drain, from the gateway reading it to the console push. */
  alarmLatencyMs: Percentiles;
  /**
   * Only alarms raised on gateways already connected: what the hub adds under the storm (the
   * others also wait for their gateway's connection to be accepted).
   */
  alarmLatencyConnectedMs: Percentiles;
  alarmsRaisedWhileConnecting: number;
  /** GET /healthz round trips during the drain: how long the hub's event loop keeps others waiting. */
  hubHttpProbeMs: Percentiles;
  /** Connection attempts that failed (timed out, refused) during the storm, all gateways. */
  gatewayConnectFailures: number;
  alarmsRaised: number;
  alarmsStored: number;
  alarmsDuplicated: number;
  alarmsLost: number;
  /** Hub alarm SQL transaction time (anxin_sql_write_seconds): mean and count. */
  sqlAlarmCommitMeanMs: number | null;
  sqlAlarmCommits: number;
  /** Inside the hub: an alarm batch's arrival to its ack (p99 bucket bound of anxin_alarm_ack_seconds). */
  hubAlarmAckP99Ms: number | null;
  /** Telemetry store writes (anxin_telemetry_write_seconds): count, mean and p99 bucket bound. */
  telemetryWrites: number;
  telemetryWriteMeanMs: number | null;
  telemetryWriteP99Ms: number | null;
  /** Telemetry events the hub answered `deferred` (back-pressure; the gateways resent them). */
  telemetryDeferred: number;
  fdsPerGateway: number | null;
  workerPeakRssMb: number;
  /**
   * The load processes' event-loop delay during the run (worst worker): the gateways share a few
   * processes here, so a high figure means connect and alarm times include the load generator's
   * own queueing (on a real district each gateway has its own CPU).
   */
  loadLoopDelayMs: { p99: number; max: number };
  spreadMs: number | null;
  /** This machine's 1-minute load average when the storm started and when it ended. */
  loadAverage: { start: number; end: number };
  /** Per-stage times of the alarms, raised while connecting and while connected. */
  breakdown: StormBreakdown;
}
