/** IPC messages between a benchmark (or test) and its gateway-worker processes. */
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { checkerFor } from '@anxin/protocol';

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

// The messages are schemas, not only types: each process reads what the other sends through
// `isWorkerRequest` / `isWorkerReply` instead of taking an IPC message (untyped) on trust.
const Num = Type.Number();
const Str = Type.String();
const Opt = <T extends TSchema>(schema: T) => Type.Optional(schema);

/** What every gateway of a worker shares; each gets `<dataRoot>/<gatewayId>` as data directory. */
const GatewayBaseSchema = Type.Object({
  hubUrl: Str,
  password: Str,
  dataRoot: Str,
  heartbeatIntervalS: Opt(Num),
  /** caFile: the CA the hub's certificate is verified with, when hubUrl is mqtts:// (--tls). */
  hub: Opt(Type.Object({ connectTimeoutMs: Opt(Num), keepaliveS: Opt(Num), caFile: Opt(Str) })),
  outbox: Opt(
    Type.Object({
      maxTelemetryEvents: Opt(Num),
      batchSize: Opt(Num),
      ackTimeoutMs: Opt(Num),
      alarmWindow: Opt(Num),
      telemetryWindow: Opt(Num),
    }),
  ),
  reconnect: Opt(Type.Object({ minMs: Opt(Num), maxMs: Opt(Num), spreadMs: Opt(Num) })),
});
export type GatewayBase = Static<typeof GatewayBaseSchema>;

const OfferedAlarmSchema = Type.Object({
  gatewayId: Str,
  /** The identifying number carried in the alarm's detail (`detail.n`). */
  n: Num,
  seq: Num,
  /** The gateway's observedAt (its clock, which a test may have shifted). */
  observedAt: Num,
  /**
   * The same moment with the fraction of a ms observedAt drops (preciseNow in the gateway's
   * clock): every latency is measured from here (breakdown.ts, readingAt).
   */
  readAt: Opt(Num),
  /** Whether the gateway's uplink was connected when the alarm was raised. */
  connected: Type.Boolean(),
  /** When the gateway's outbox transaction holding it returned (preciseNow, ms). */
  durableAt: Opt(Num),
  /** When the gateway's uplink first handed it to its MQTT client (latency bench only). */
  publishedAt: Opt(Num),
  /**
   * Raised while the gateway was not connected (storm bench): when the attempt that connected
   * opened its socket, and when its CONNACK arrived (preciseNow, ms).
   */
  connectAttemptAt: Opt(Num),
  connackAt: Opt(Num),
});
export type OfferedAlarm = Static<typeof OfferedAlarmSchema>;

const request = <T extends string, P extends TProperties>(op: T, fields: P) =>
  Type.Object({ rid: Num, op: Type.Literal(op), ...fields });

const WorkerRequestSchema = Type.Union([
  request('start', {
    gateways: Type.Array(Str),
    base: GatewayBaseSchema,
    /** One telemetry reading per gateway once started (its first seq block reserved). */
    warmUp: Opt(Type.Boolean()),
  }),
  request('prefill', {
    gateways: Type.Array(Str),
    base: GatewayBaseSchema,
    events: Num,
    spanMs: Num,
  }),
  request('alarms', { items: Type.Array(Type.Object({ gatewayId: Str, n: Num })) }),
  /** The alarms raised by 'alarms' requests so far, with the times seen since (then forgotten). */
  request('alarm-times', {}),
  request('telemetry', {
    items: Type.Array(Type.Object({ gatewayId: Str, from: Num, count: Num })),
  }),
  request('offer', {
    rate: Num,
    durationS: Num,
    alarmRate: Num,
    tickMs: Opt(Num),
    /** Each gateway gets its share of telemetry once per period, in one transaction. */
    periodMs: Opt(Num),
  }),
  request('progress', {}),
  request('clock', { offsetMs: Num }),
  request('health', {}),
  request('stop', {}),
]);
export type WorkerRequest = Static<typeof WorkerRequestSchema>;

const WorkerReplySchema = Type.Object({
  rid: Num,
  ok: Type.Boolean(),
  error: Opt(Str),
  ready: Opt(Type.Boolean()),
  /** Open file descriptors of the worker process. */
  fds: Opt(Num),
  events: Opt(Num),
  alarms: Opt(Type.Array(OfferedAlarmSchema)),
  telemetryOffered: Opt(Num),
  maxTickLagMs: Opt(Num),
  connected: Opt(Num),
  /** Connection attempts that failed (refused, timed out), summed over the worker's gateways. */
  connectFailures: Opt(Num),
  alarmDepth: Opt(Num),
  telemetryDepth: Opt(Num),
  droppedTelemetry: Opt(Num),
  /**
   * The gateways' telemetry lanes right now (storm progress): how many are held by a deferral,
   * how many wait for an ack with batches in flight, and ack timeouts (resends) so far.
   */
  telemetryLanes: Opt(Type.Object({ held: Num, awaitingAck: Num, resends: Num })),
  /** Gateways that have written the hub's TLS session ticket to their data directory since start. */
  ticketsSaved: Opt(Num),
  /** Gateways that read a usable TLS session ticket from their data directory at start. */
  ticketsLoaded: Opt(Num),
  rssBytes: Opt(Num),
  /**
   * The worker's own event-loop delay since its gateways started (ms): when it is high, latencies
   * measured through this process include the load generator's queueing, not only the hub's.
   */
  loopDelayMs: Opt(Type.Object({ p50: Opt(Num), p99: Num, max: Num })),
  /** Progress of the current offer: telemetry offered and alarms raised so far. */
  alarmsRaised: Opt(Num),
  /** CPU time the process used during the current (or last) offer, ms. */
  cpuMs: Opt(Num),
});
export type WorkerReply = Static<typeof WorkerReplySchema>;

/** A message from the benchmark, as the worker reads it. */
export function isWorkerRequest(message: unknown): message is WorkerRequest {
  return checkerFor(WorkerRequestSchema).Check(message);
}

/** A message from a worker, as the benchmark reads it. */
export function isWorkerReply(message: unknown): message is WorkerReply {
  return checkerFor(WorkerReplySchema).Check(message);
}

/** Distributive Omit, so each request variant keeps its own fields. */
export type WorkerCommand = WorkerRequest extends infer R
  ? R extends WorkerRequest
    ? Omit<R, 'rid'>
    : never
  : never;
