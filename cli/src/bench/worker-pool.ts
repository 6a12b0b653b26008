/**
 * Gateways spread over load processes (gateway-worker.ts), shared by the benchmarks: start them
 * against the hub(s) each is assigned to, wait until all are connected, read the processes' lag;
 * prime their TLS session tickets before a storm.
 */
import type { BenchHubs } from './hubs.js';
import { forkGatewayWorker, type GatewayWorker } from './worker-client.js';
import { sharesInOrder, type LoadLayout } from './load-layout.js';
import { LOAD_PRIORITY_ENV, type GatewayBase, type LoadPriority } from './worker-protocol.js';
import type { LoopLag } from './loop-lag.js';

export type { LoopLag } from './loop-lag.js';

/**
 * Starts gateway i in worker i mod W, each connecting where `hubs.mqttUrlFor(i)` says (one start
 * request per worker and hub URL), and waits until every one is connected (bounded).
 */
export async function startGateways(
  workers: readonly GatewayWorker[],
  ids: readonly string[],
  hubs: Pick<BenchHubs, 'mqttUrlFor'>,
  base: Omit<GatewayBase, 'hubUrl'>,
  connectTimeoutMs = 120_000,
): Promise<void> {
  const groups = new Map<string, string[]>();
  ids.forEach((id, i) => {
    const key = `${i % workers.length}\n${hubs.mqttUrlFor(i)}`;
    const group = groups.get(key) ?? [];
    group.push(id);
    groups.set(key, group);
  });
  await Promise.all(
    [...groups].map(([key, gateways]) => {
      const [w, hubUrl] = key.split('\n');
      const worker = workers[Number(w)];
      if (!worker || !hubUrl) throw new Error(`no worker for group ${key}`);
      return worker.request(
        { op: 'start', gateways, base: { ...base, hubUrl }, warmUp: true },
        600_000,
      );
    }),
  );
  await awaitGateways(workers, ids.length, connectTimeoutMs);
}

/**
 * Waits until all `count` gateways of the workers are connected and, with `ticketsSaved`, each has
 * saved the hub's TLS session ticket in its data directory; throws after `timeoutMs`.
 */
export async function awaitGateways(
  workers: readonly GatewayWorker[],
  count: number,
  timeoutMs: number,
  { ticketsSaved = false } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const health = await Promise.all(workers.map((w) => w.request({ op: 'health' })));
    const connected = health.reduce((s, h) => s + (h.connected ?? 0), 0);
    const saved = health.reduce((s, h) => s + (h.ticketsSaved ?? 0), 0);
    if (connected === count && (!ticketsSaved || saved === count)) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${connected} of ${count} gateways connected${ticketsSaved ? ` and ${saved} saved a TLS ticket` : ''} in time`,
      );
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Gives every gateway the hub's TLS session ticket, as a district's gateways hold one from before
 * an outage (`bench storm --tls-resume`): worker w starts `slices[w]` against the hub (`base`,
 * mqtts://), each connects once (a full handshake) and saves the hub's ticket in its data
 * directory (the gateway's tls-ticket-file.ts), then all stop cleanly. Nothing is ingested.
 * Returns the number of gateways primed: all of them, or it throws after `timeoutMs`.
 */
export async function primeTlsTickets(
  workers: readonly GatewayWorker[],
  slices: readonly (readonly string[])[],
  base: GatewayBase,
  timeoutMs: number,
): Promise<number> {
  const count = slices.reduce((s, slice) => s + slice.length, 0);
  await Promise.all(
    workers.map((worker, w) =>
      worker.request({ op: 'start', gateways: [...(slices[w] ?? [])], base }, 600_000),
    ),
  );
  await awaitGateways(workers, count, timeoutMs, { ticketsSaved: true });
  // A gateway's stop waits for a ticket still being written.
  await Promise.all(workers.map((worker) => worker.request({ op: 'stop' }, 600_000)));
  return count;
}

/** The worst event-loop lag over the workers during their current (or last) offer. */
export async function workerLag(workers: readonly GatewayWorker[]): Promise<LoopLag> {
  const replies = await Promise.all(workers.map((w) => w.request({ op: 'progress' })));
  return {
    p50: Math.max(0, ...replies.map((r) => r.loopDelayMs?.p50 ?? 0)),
    p99: Math.max(0, ...replies.map((r) => r.loopDelayMs?.p99 ?? 0)),
    max: Math.max(0, ...replies.map((r) => r.loopDelayMs?.max ?? 0)),
  };
}

/** Waits (bounded) for the telemetry held at the gateways (warm-up, or the last run's) to reach the hub. */
export async function waitForDrain(
  workers: readonly GatewayWorker[],
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + 120_000;
  let held = await heldTelemetry(workers);
  if (held > 0) log(`waiting for ${held} telemetry events still held at the gateways`);
  while (held > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1000));
    held = await heldTelemetry(workers);
  }
}

/** Telemetry still held in the gateways' outboxes, over all workers. */
export async function heldTelemetry(workers: readonly GatewayWorker[]): Promise<number> {
  const health = await Promise.all(workers.map((w) => w.request({ op: 'health' })));
  return health.reduce((s, h) => s + (h.telemetryDepth ?? 0), 0);
}

/**
 * One process per share of the layout, in sharesInOrder's order: the probe's at the hub's
 * priority (niceness 0), the load's at `loadPriority`. Each is pushed onto `into` as it starts, so
 * the caller's cleanup stops those already running when a later one fails.
 */
export async function forkLayoutWorkers(
  layout: LoadLayout,
  loadPriority: LoadPriority,
  into: GatewayWorker[],
): Promise<void> {
  for (const share of sharesInOrder(layout))
    into.push(
      await forkGatewayWorker({
        [LOAD_PRIORITY_ENV]: share === layout.probe ? '0' : String(loadPriority),
      }),
    );
}
