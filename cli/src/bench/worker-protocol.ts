/** IPC messages between a benchmark (or test) and its gateway-worker processes. */

/**
 * The environment variable that sets a load process's CPU priority (load-priority.ts): "idle"
 * (SCHED_IDLE) or a niceness 0–19, default 0. The benchmarks pass `--load-nice`, the fault suite
 * leaves it unset.
 */
export const LOAD_PRIORITY_ENV = 'ANXIN_BENCH_LOAD_PRIORITY';

/** A load process's CPU priority: the SCHED_IDLE policy, or a niceness (0: the hub's). */
export type LoadPriority = 'idle' | number;

/**
 * `--load-nice` of `anxin bench latency` when not given: the latency of one alarm is what it
 * measures, and an idle-policy load gives the hub's threads the core the moment they wake.
 */
export const DEFAULT_LATENCY_LOAD_PRIORITY: LoadPriority = 'idle';

/**
 * `--load-nice` of `anxin bench storm` when not given. The storm also measures how fast the
 * district's backlog drains, which the gateways' sending sets as much as the hub's storing: at
 * SCHED_IDLE the load would get only what a saturated hub leaves.
 */
export const DEFAULT_STORM_LOAD_PRIORITY: LoadPriority = 10;

/** What every gateway of a worker shares; each gets `<dataRoot>/<gatewayId>` as data directory. */
export interface GatewayBase {
  hubUrl: string;
  password: string;
  dataRoot: string;
  heartbeatIntervalS?: number;
  /** caFile: the CA the hub's certificate is verified with, when hubUrl is mqtts:// (--tls). */
  hub?: { connectTimeoutMs?: number; keepaliveS?: number; caFile?: string };
  outbox?: {
    maxTelemetryEvents?: number;
    batchSize?: number;
    ackTimeoutMs?: number;
    alarmWindow?: number;
    telemetryWindow?: number;
  };
  reconnect?: { minMs?: number; maxMs?: number; spreadMs?: number };
}

export interface OfferedAlarm {
  gatewayId: string;
  /** The identifying number carried in the alarm's detail (`detail.n`). */
  n: number;
  seq: number;
  /** The gateway's observedAt (its clock, which a test may have shifted). */
  observedAt: number;
  /**
   * The same moment with the fraction of a ms observedAt drops (preciseNow in the gateway's
   * clock): every latency is measured from here (breakdown.ts, readingAt).
   */
  readAt?: number;
  /** Whether the gateway's uplink was connected when the alarm was raised. */
  connected: boolean;
  /** When the gateway's outbox transaction holding it returned (preciseNow, ms). */
  durableAt?: number;
  /** When the gateway's uplink first handed it to its MQTT client (latency bench only). */
  publishedAt?: number;
  /**
   * Raised while the gateway was not connected (storm bench): when the attempt that connected
   * opened its socket, and when its CONNACK arrived (preciseNow, ms).
   */
  connectAttemptAt?: number;
  connackAt?: number;
}

export type WorkerRequest =
  | {
      rid: number;
      op: 'start';
      gateways: string[];
      base: GatewayBase;
      /** One telemetry reading per gateway once started (its first seq block reserved). */
      warmUp?: boolean;
    }
  | {
      rid: number;
      op: 'prefill';
      gateways: string[];
      base: GatewayBase;
      events: number;
      spanMs: number;
    }
  | { rid: number; op: 'alarms'; items: { gatewayId: string; n: number }[] }
  /** The alarms raised by 'alarms' requests so far, with the times seen since (then forgotten). */
  | { rid: number; op: 'alarm-times' }
  | { rid: number; op: 'telemetry'; items: { gatewayId: string; from: number; count: number }[] }
  | {
      rid: number;
      op: 'offer';
      rate: number;
      durationS: number;
      alarmRate: number;
      tickMs?: number;
      /** Each gateway gets its share of telemetry once per period, in one transaction. */
      periodMs?: number;
    }
  | { rid: number; op: 'progress' }
  | { rid: number; op: 'clock'; offsetMs: number }
  | { rid: number; op: 'health' }
  | { rid: number; op: 'stop' };

export interface WorkerReply {
  rid: number;
  ok: boolean;
  error?: string;
  ready?: boolean;
  /** Open file descriptors of the worker process. */
  fds?: number;
  events?: number;
  alarms?: OfferedAlarm[];
  telemetryOffered?: number;
  maxTickLagMs?: number;
  connected?: number;
  /** Connection attempts that failed (refused, timed out), summed over the worker's gateways. */
  connectFailures?: number;
  alarmDepth?: number;
  telemetryDepth?: number;
  droppedTelemetry?: number;
  /**
   * The gateways' telemetry lanes right now (storm progress): how many are held by a deferral,
   * how many wait for an ack with batches in flight, and ack timeouts (resends) so far.
   */
  telemetryLanes?: { held: number; awaitingAck: number; resends: number };
  /** Gateways that have written the hub's TLS session ticket to their data directory since start. */
  ticketsSaved?: number;
  /** Gateways that read a usable TLS session ticket from their data directory at start. */
  ticketsLoaded?: number;
  rssBytes?: number;
  /**
   * The worker's own event-loop delay since its gateways started (ms): when it is high, latencies
   * measured through this process include the load generator's queueing, not only the hub's.
   */
  loopDelayMs?: { p50?: number; p99: number; max: number };
  /** Progress of the current offer: telemetry offered and alarms raised so far. */
  alarmsRaised?: number;
  /** CPU time the process used during the current (or last) offer, ms. */
  cpuMs?: number;
}

/** Distributive Omit, so each request variant keeps its own fields. */
export type WorkerCommand = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, 'rid'>
    : never
  : never;
