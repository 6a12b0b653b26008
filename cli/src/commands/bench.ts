import { accessSync, constants, statSync } from 'node:fs';
import { intOption, parseCommandArgs } from '../args.js';
import { UsageError, writeLine, type Command, type CommandIo } from '../command.js';
import {
  defaultLatencyWorkers,
  runLatencyBench,
  type LatencyBenchResult,
} from '../bench/latency.js';
import { DEFAULT_RATES, formatLatencyReport, sideBySide } from '../bench/latency-report.js';
import { runStormBench } from '../bench/storm.js';
import { formatBreakdown } from '../bench/breakdown.js';
import { describeLoadPriority, parseLoadPriority } from '../bench/load-priority.js';
import {
  DEFAULT_LATENCY_LOAD_PRIORITY,
  DEFAULT_STORM_LOAD_PRIORITY,
  type LoadPriority,
} from '../bench/worker-protocol.js';
import { defaultProbeGateways } from '../bench/load-layout.js';
import { formatTlsHandshakes } from '../bench/bench-tls.js';

/** Alarms a second in `bench latency`: ~150 a rate, enough for a p99 that is not one alarm. */
const DEFAULT_ALARM_RATE = 5;

export const benchCommand: Command = {
  name: 'bench',
  summary: 'benchmarks on loopback; figures as JSON on the last line',
  usage: [
    'Usage: anxin bench latency [--gateways N] [--rate MSG_PER_S[,MSG_PER_S…]] [--duration S]',
    '                           [--alarm-rate PER_S] [--workers W] [--hubs N[,N…]] [--load-nice idle|N]',
    '                           [--probe-gateways P] [--tls] [--gateway-dir DIR] [--load-dir DIR]',
    '                           [--warmup S]',
    '       anxin bench storm [--gateways N] [--backlog-minutes M] [--alarm-rate PER_S] [--workers W]',
    '                         [--rate-per-home EVENTS_PER_S] [--timeout S] [--spread-ms MS]',
    '                         [--load-nice idle|N] [--probe-gateways P] [--tls | --tls-resume]',
    '',
    'latency: starts a hub process and N gateways (each a real MQTT connection and durable outbox),',
    '  then for each rate offers telemetry at MSG_PER_S across them (each gateway its share once a',
    '  second, in one outbox transaction) for S seconds while raising alarms at random moments',
    '  (PER_S on average). Each alarm is timed at the reading, MQTT publish, hub receive, SQL',
    '  commit, push emitted and console arrival, and at outbox durable (alongside: a connected',
    '  gateway sends an alarm while its outbox commit syncs); per rate it prints the latency',
    '  breakdown (p50/p99 per stage), alarms sent/received/lost, telemetry offered and stored per',
    "  second, the load processes' and the console's own event-loop lag and the load average, with",
    '  progress lines while it runs, then one table over the rates. Gateways run in W load',
    '  processes (--workers, default one per 1,000 gateways, at least 2).',
    '  Defaults: --gateways 2000 --rate 1000,5000,10000,20000 --duration 30 --alarm-rate 5',
    '  (the table of issue 12; 5 alarms/s gives ~150 per rate, so p99 is not just the slowest of',
    '  a few dozen). Open files: 4 per gateway in its load process (SQLite db, WAL, shm,',
    '  socket) and 1 socket per gateway in the hub.',
    '  --warmup S (default 10, 0 to 600): before the first rate, S seconds of its load, alarms and',
    '  console resolves that are not measured: on its first requests a fresh hub runs code V8 has',
    '  not optimised yet (and, before this release, stalled ~110 ms on the first resolve while',
    "  fastify built that route's response validators); the table is about the steady state. 0",
    '  measures it cold.',
    '  --hubs N: instead of one hub with its embedded broker and SQLite, N hub processes behind a',
    '  Mosquitto 2 with dynamic security, on one PostgreSQL (fsync on) and Redis, all started here',
    '  from Debian packages (scripts/ensure-system-deps.sh); the console is on the last hub, so',
    '  alarms ingested by the others reach it through Redis. A list (--hubs 1,2) runs each layout',
    '  in turn with the same load and prints them side by side. Not with --tls.',
    "  --gateway-dir DIR: the gateways' outboxes go under DIR (e.g. /dev/shm) instead of beside the",
    "  hub's data. In a district each gateway syncs its own flash; by default here the 2,000",
    "  gateways' outbox commits (thousands of fsyncs a second) share the hub's disk, and its alarm",
    '  commit waits behind them. The outboxes stay SQLite with the same commits either way; on a',
    '  tmpfs their fsync costs nothing, so "reading → outbox durable" no longer measures a disk.',
    "  --load-dir DIR: the load processes' gateways' outboxes only go under DIR; the probe gateways",
    "  (which raise the alarms) stay under --gateway-dir or on the hub's disk. Default: /dev/shm when",
    "  it is a writable directory and --gateway-dir is not given, so the alarm's own outbox commit",
    "  is timed on a real disk while the load's thousands of fsyncs a second stay off the hub's",
    "  (in a district they are on each home's flash). --load-dir /tmp puts them back on it.",
    '',
    'storm: the reconnect storm. Starts a hub process and W load processes hosting N real gateways',
    "  (default 2,000), fills each gateway's durable outbox with M minutes of telemetry (default 60)",
    "  at the load model's rate (--rate-per-home, default 0.07 events/s), then starts every gateway",
    '  at once. While the backlog drains, SOS alarms are raised on random gateways (--alarm-rate,',
    "  default 5/s). Prints connect and drain time, drain events/s, the hub's peak memory and CPU,",
    '  alarm latency p50/p99/max and alarms raised/stored/duplicated, then where the alarms spent',
    '  their time, stage by stage, separately for alarms raised while their gateway was connecting',
    '  (wait for the connect attempt, TCP (+ TLS) + MQTT handshake up to CONNACK, …) and on connected',
    "  gateways (from the hub's alarm trace, as in latency); JSON on the last line.",
    '  Open files: 4 per gateway in its load process (measured: SQLite db, WAL, shm, socket), 1 in',
    '  the hub (plus its mqtt.acceptHandles, default 128), so with a limit of 20,000 per process',
    '  10,000 gateways fit (W ≥ 2 load processes; default one per 2,500). On a larger host raise',
    "  the limit (ulimit -n) for the hub and the load processes, and W. The load processes' own",
    '  event-loop delay is reported: when it is high, latencies include the load generator.',
    "  --spread-ms MS: the gateways' reconnect.spreadMs (default: the gateway's own, 10 s): each",
    '  first attempt after the outage is spread over it, one holding an alarm over at most 100 ms;',
    '  0 connects every gateway in the same instant (the lock-step of earlier releases).',
    '',
    'both: --load-nice idle|N runs the load processes at the SCHED_IDLE policy (idle) or at CPU',
    `  niceness N (0–19), the hub at nice 0; default ${DEFAULT_LATENCY_LOAD_PRIORITY} for latency, ${DEFAULT_STORM_LOAD_PRIORITY} for storm. On its own`,
    '  server the hub shares the CPU with no gateway; here the load takes the CPU only when the hub',
    '  leaves it, so its cost hides less of the hub latency. A niceness only weighs the load down:',
    "  a waking hub thread can still wait for a load thread's time slice. At idle it takes the core",
    '  at once, and the load runs on what the hub and the probes leave (the storm keeps 10: its',
    "  drain needs the gateways to send). The gateways' own stages (reading → MQTT publish, reading",
    "  → outbox durable) and the load's lag grow when the machine is saturated, and the report says",
    '  so. 0 shares the CPU equally.',
    '  --probe-gateways P (default 2% of the gateways, 1 to 100): P of the N gateways run in a',
    "  process of their own at the hub's CPU priority and raise every alarm, so an alarm's own",
    "  stages are not timed through a process that yields the CPU to the hub (a home's gateway has",
    '  a CPU of its own). They are real gateways like the rest: their share of the telemetry, and',
    "  in the storm their backlog and simultaneous start. The probe process's lag is printed. 0:",
    '  alarms on random gateways of the load processes. The console resolves each new alarm once',
    '  it has arrived, as an operator would, so the next alarm on a probe opens a new one.',
    "  --tls: the hub's embedded broker serves MQTT over TLS (mqtt.tls) with a CA and certificate",
    '  for 127.0.0.1 generated for the run (as `anxin certs`, EC P-256), and every gateway connects',
    '  to mqtts:// verifying it against that CA (hub.caFile). The layout line and the JSON say so',
    "  (tls: true); the storm adds the hub's TLS handshakes, full and resumed, when its /metrics",
    '  has anxin_mqtt_tls_handshakes_total. The single hub only: refused with --hubs. Every',
    '  handshake of a --tls storm is full: the gateways never met this hub, the worst case (a new',
    '  hub, a lost data directory, tickets over a day old).',
    '  --tls-resume (storm; implies --tls): the outage after which every gateway has talked to the',
    "  hub before. Each gateway first connects once and saves the hub's session ticket in its data",
    '  directory, then gateways and hub stop cleanly, the backlog is built as usual and the hub',
    '  restarts on its data directory (same address, certificate and ticket keys) before the storm,',
    '  whose handshakes then resume. The layout line says "tickets primed", the summary gives the',
    '  tickets saved and offered beside the handshakes, and the JSON has ticketsPrimed: true.',
  ].join('\n'),
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'storm') return runStorm(rest, io);
    if (sub !== 'latency')
      throw new UsageError(
        sub ? `unknown benchmark "${sub}"` : 'name a benchmark: latency or storm',
      );
    const { values } = parseCommandArgs(rest, {
      gateways: { type: 'string' },
      rate: { type: 'string' },
      duration: { type: 'string' },
      'alarm-rate': { type: 'string' },
      workers: { type: 'string' },
      hubs: { type: 'string' },
      'load-nice': { type: 'string' },
      'probe-gateways': { type: 'string' },
      tls: { type: 'boolean' },
      'gateway-dir': { type: 'string' },
      'load-dir': { type: 'string' },
      warmup: { type: 'string' },
    });
    const tls = values.tls === true;
    const gatewayDir = values['gateway-dir'];
    if (gatewayDir !== undefined && !isWritableDirectory(gatewayDir))
      throw new UsageError(`--gateway-dir must be a writable directory, got "${gatewayDir}"`);
    const loadDir = values['load-dir'] ?? (gatewayDir === undefined ? defaultLoadDir() : undefined);
    if (loadDir !== undefined && !isWritableDirectory(loadDir))
      throw new UsageError(`--load-dir must be a writable directory, got "${loadDir}"`);
    // The Mosquitto layout's TLS would be Mosquitto's listener, configured apart from the hub's
    // broker this option measures: refused before anything starts rather than half-supported.
    if (tls && values.hubs !== undefined)
      throw new UsageError(
        '--tls is supported only with the single hub and its embedded broker, not with --hubs (the Mosquitto cluster layout has no TLS here)',
      );
    const hubCounts = parseHubCounts(values.hubs);
    const alarmRate =
      values['alarm-rate'] === undefined ? DEFAULT_ALARM_RATE : Number(values['alarm-rate']);
    if (!Number.isFinite(alarmRate) || alarmRate < 0 || alarmRate > 1000) {
      throw new UsageError(
        `--alarm-rate must be a number from 0 to 1000, got "${values['alarm-rate']}"`,
      );
    }
    const gateways = intOption(values.gateways, '--gateways', 2000, 1, 10_000);
    const base = {
      gateways,
      rates: rateList(values.rate),
      durationS: intOption(values.duration, '--duration', 30, 1, 3600),
      warmupS: intOption(values.warmup, '--warmup', 10, 0, 600),
      alarmRate,
      workers: intOption(values.workers, '--workers', defaultLatencyWorkers(gateways), 1, 64),
      loadPriority: loadPriorityOption(values['load-nice'], DEFAULT_LATENCY_LOAD_PRIORITY),
      probeGateways: probeOption(values['probe-gateways'], gateways),
      ...(tls ? { tls } : {}),
      ...(gatewayDir !== undefined ? { gatewayDir } : {}),
      ...(loadDir !== undefined ? { loadDir } : {}),
      log: (line: string) => writeLine(io.stderr, `[bench] ${line}`),
    };
    const results: LatencyBenchResult[] = [];
    for (const hubs of hubCounts) {
      const result = await runLatencyBench(hubs === undefined ? base : { ...base, hubs });
      writeLine(io.stdout, `# ${result.layout}`);
      for (const line of formatLatencyReport(result)) writeLine(io.stdout, line);
      results.push(result);
    }
    if (results.length > 1) {
      writeLine(io.stdout, '');
      for (const line of sideBySide(results)) writeLine(io.stdout, line);
      writeLine(io.stdout, JSON.stringify({ benchmark: 'latency', layouts: results }));
    } else {
      writeLine(io.stdout, JSON.stringify({ benchmark: 'latency', ...results[0] }));
    }
    return results.every((result) => result.runs.every((r) => r.alarmsLost === 0)) ? 0 : 1;
  },
};

/** Where the load's outboxes go by default: a tmpfs when the machine has one (see --load-dir). */
const DEFAULT_LOAD_DIR = '/dev/shm';

function defaultLoadDir(): string | undefined {
  return isWritableDirectory(DEFAULT_LOAD_DIR) ? DEFAULT_LOAD_DIR : undefined;
}

function isWritableDirectory(path: string): boolean {
  try {
    if (!statSync(path).isDirectory()) return false;
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** `--probe-gateways P`: 0 up to every gateway (load-layout.ts). */
function probeOption(value: string | undefined, gateways: number): number {
  return intOption(value, '--probe-gateways', defaultProbeGateways(gateways), 0, gateways);
}

/** `--load-nice idle|N`: the load processes' SCHED_IDLE policy, or a niceness 0 (the hub's) to 19. */
function loadPriorityOption(value: string | undefined, fallback: LoadPriority): LoadPriority {
  if (value === undefined) return fallback;
  try {
    return parseLoadPriority(value);
  } catch {
    throw new UsageError(`--load-nice must be "idle" or an integer from 0 to 19, got "${value}"`);
  }
}

/** `--hubs 2` or `--hubs 1,2`; absent: the embedded single hub (undefined). */
export function parseHubCounts(value: string | undefined): (number | undefined)[] {
  if (value === undefined) return [undefined];
  const counts = value.split(',').map((part) => Number(part.trim()));
  if (counts.length > 4 || counts.some((n) => !Number.isInteger(n) || n < 1 || n > 8))
    throw new UsageError(
      `--hubs takes up to 4 hub counts from 1 to 8 (e.g. 2 or 1,2), got "${value}"`,
    );
  return counts;
}

/** `--rate 1000,5000`: one run per rate, in order (default: the issue 12 table's rates). */
function rateList(value: string | undefined): number[] {
  if (value === undefined) return [...DEFAULT_RATES];
  const rates = value.split(',').map((part) => intOption(part.trim(), '--rate', 0, 0, 1_000_000));
  if (rates.length === 0 || rates.length > 20)
    throw new UsageError(`--rate takes 1 to 20 comma-separated rates, got "${value}"`);
  return rates;
}

async function runStorm(args: string[], io: CommandIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    gateways: { type: 'string' },
    'backlog-minutes': { type: 'string' },
    'alarm-rate': { type: 'string' },
    workers: { type: 'string' },
    'rate-per-home': { type: 'string' },
    timeout: { type: 'string' },
    'spread-ms': { type: 'string' },
    'load-nice': { type: 'string' },
    'probe-gateways': { type: 'string' },
    tls: { type: 'boolean' },
    'tls-resume': { type: 'boolean' },
  });
  const primeTickets = values['tls-resume'] === true;
  const ratePerHome =
    values['rate-per-home'] === undefined ? 0.07 : Number(values['rate-per-home']);
  if (!Number.isFinite(ratePerHome) || ratePerHome <= 0 || ratePerHome > 100)
    throw new UsageError(
      `--rate-per-home must be a number above 0 and at most 100, got "${values['rate-per-home']}"`,
    );
  const gateways = intOption(values.gateways, '--gateways', 2000, 1, 50_000);
  const result = await runStormBench({
    gateways,
    probeGateways: probeOption(values['probe-gateways'], gateways),
    backlogMinutes: intOption(values['backlog-minutes'], '--backlog-minutes', 60, 1, 24 * 60),
    eventsPerHomePerS: ratePerHome,
    alarmRate: intOption(values['alarm-rate'], '--alarm-rate', 5, 0, 1000),
    ...(values.workers === undefined
      ? {}
      : { workers: intOption(values.workers, '--workers', 2, 1, 64) }),
    timeoutS: intOption(values.timeout, '--timeout', 900, 10, 24 * 3600),
    loadPriority: loadPriorityOption(values['load-nice'], DEFAULT_STORM_LOAD_PRIORITY),
    ...(values['spread-ms'] === undefined
      ? {}
      : { spreadMs: intOption(values['spread-ms'], '--spread-ms', 10_000, 0, 600_000) }),
    ...(values.tls === true || primeTickets ? { tls: true } : {}),
    ...(primeTickets ? { primeTickets } : {}),
    log: (line) => writeLine(io.stderr, `[bench] ${line}`),
  });
  const l = result.alarmLatencyMs;
  // The layout line, as `bench latency` prints it: says whether MQTT ran over TLS, and here
  // whether the storm's gateways held a ticket from before the hub restarted.
  const primed = result.ticketsPrimed
    ? ', TLS session tickets primed (every gateway connected once, then the hub restarted)'
    : '';
  writeLine(io.stdout, `# ${result.layout}${primed}`);
  writeLine(
    io.stdout,
    `storm: ${result.gateways} gateways, ${result.backlogEvents} backlog events | connected in ${result.connectSeconds ?? '—'} s, drained in ${result.drainSeconds ?? '—'} s (${result.drainEventsPerS ?? '—'} events/s) | alarm latency ms p50 ${l.p50} p99 ${l.p99} max ${l.max} (gateway already connected: p50 ${result.alarmLatencyConnectedMs.p50} p99 ${result.alarmLatencyConnectedMs.p99} max ${result.alarmLatencyConnectedMs.max}) | alarms raised ${result.alarmsRaised} stored ${result.alarmsStored} duplicates ${result.alarmsDuplicated} | hub peak RSS ${result.hubPeakRssMb} MB, CPU ${result.hubCpuSeconds} s | load processes' event-loop delay p99 ${result.loadLoopDelayMs.p99} ms max ${result.loadLoopDelayMs.max} ms | load processes at ${describeLoadPriority(result.loadPriority)}${result.probeGateways > 0 ? `, alarms on ${result.probeGateways} probe gateways at nice 0` : ''} | reconnect spread ${result.spreadMs === null ? "the gateways' default (reconnect.spreadMs)" : `${result.spreadMs} ms`} | load average ${result.loadAverage.start} → ${result.loadAverage.end}${result.tlsHandshakes ? ` | ${formatTlsHandshakes(result.tlsHandshakes)}` : ''}${result.tlsTickets ? ` | tickets ${result.ticketsPrimed ? 'primed' : 'not primed'}: ${result.tlsTickets.saved} saved, ${result.tlsTickets.offered} offered` : ''}`,
  );
  for (const [title, stages] of [
    ['alarms raised while their gateway was connecting', result.breakdown.connecting],
    ['alarms raised on a connected gateway', result.breakdown.connected],
  ] as const) {
    writeLine(io.stdout, `${title} (${stages.at(-1)?.count ?? 0} fully traced):`);
    for (const line of formatBreakdown(stages)) writeLine(io.stdout, `  ${line}`);
  }
  writeLine(io.stdout, JSON.stringify({ benchmark: 'storm', ...result }));
  return result.drained && result.alarmsLost === 0 && result.alarmsDuplicated === 0 ? 0 : 1;
}
