/**
 * The latency breakdown of `anxin bench latency` (issue 12): each alarm's times at the points that
 * matter, joined from three places (the load process, the hub's alarm trace, the console), turned
 * into per-stage p50/p99. Pure.
 */
import type { AlarmTraceEntry } from '@anxin/hub';
import { percentiles } from './stats.js';
import type { OfferedAlarm } from './worker-protocol.js';

export interface StageBreakdown {
  stage: string;
  count: number;
  p50: number | null;
  p99: number | null;
  max: number | null;
}

/**
 * The points in order for an alarm raised on a connected gateway; a stage is the time from one
 * point to the next. The gateway puts the alarm on the wire while its outbox commit fsyncs
 * (gateway outbox.ts, "Sending while the commit syncs"), so "outbox durable" is not on this
 * chain: it is its own row, reading → outbox durable, which runs alongside the stages after it.
 */
export const STAGE_POINTS = [
  'reading',
  'MQTT publish',
  'hub receive',
  'SQL start',
  'SQL commit',
  'push emitted',
  'console',
] as const;

/** The row of the gateway's own commit, alongside the chain (connected gateways). */
export const DURABLE_STAGE = 'reading → outbox durable (alongside)';

/**
 * For alarms raised on a gateway still connecting (`anxin bench storm`): nothing can be sent
 * before the commit, so the chain is sequential and runs through the outbox, then the wait for
 * the connect attempt (the reconnect spread, or the handshake already under way) and the TCP +
 * MQTT handshake up to CONNACK, then the publish.
 */
export const CONNECT_POINTS = ['outbox durable', 'connect attempt', 'CONNACK'] as const;

const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);

/** When the alarm's reading was taken: its precise moment when the load recorded one. */
export function readingAt(a: OfferedAlarm): number {
  return a.readAt ?? a.observedAt;
}

/**
 * Reading → console latency of each alarm the console received (`arrivals` as in breakdown):
 * the headline figures, measured from the same first point as the stage table.
 */
export function consoleLatencies(
  alarms: readonly OfferedAlarm[],
  arrivals: ReadonlyMap<string, number>,
): number[] {
  const latencies: number[] = [];
  for (const a of alarms) {
    const consoleAt = arrivals.get(`${a.gatewayId}|${a.observedAt}`);
    if (consoleAt !== undefined) latencies.push(consoleAt - readingAt(a));
  }
  return latencies;
}

/**
 * `arrivals` maps `${gatewayId}|${observedAt}` to the console's receipt. Stages are computed over
 * the alarms every point was seen for (the count says how many), plus the total over those.
 */
export function breakdown(
  alarms: readonly OfferedAlarm[],
  trace: readonly AlarmTraceEntry[],
  arrivals: ReadonlyMap<string, number>,
  options: { connect?: boolean } = {},
): StageBreakdown[] {
  const hub = new Map<string, AlarmTraceEntry>();
  // The first line wins: a replay (after an ack lost on the way) is acked again, later.
  for (const e of trace)
    if (!hub.has(`${e.gatewayId}|${e.seq}`)) hub.set(`${e.gatewayId}|${e.seq}`, e);
  const rows: number[][] = [];
  const durable: number[] = [];
  for (const a of alarms) {
    const h = hub.get(`${a.gatewayId}|${a.seq}`);
    const consoleAt = arrivals.get(`${a.gatewayId}|${a.observedAt}`);
    if (!h || consoleAt === undefined || a.durableAt === undefined || a.publishedAt === undefined)
      continue;
    let connect: number[] = [];
    if (options.connect) {
      if (a.connectAttemptAt === undefined || a.connackAt === undefined) continue;
      // An attempt already under way when the alarm was raised: no wait for one.
      connect = [a.durableAt, Math.max(a.durableAt, a.connectAttemptAt), a.connackAt];
    } else durable.push(a.durableAt - readingAt(a));
    rows.push([
      readingAt(a),
      ...connect,
      a.publishedAt,
      h.receivedAt,
      h.sqlStartedAt,
      h.committedAt,
      h.pushedAt,
      consoleAt,
    ]);
  }
  const points: readonly string[] = options.connect
    ? [STAGE_POINTS[0], ...CONNECT_POINTS, ...STAGE_POINTS.slice(1)]
    : STAGE_POINTS;
  const stages: StageBreakdown[] = [];
  const stage = (name: string, values: number[]) => {
    const p = percentiles(values);
    stages.push({
      stage: name,
      count: p.count,
      p50: round(p.p50),
      p99: round(p.p99),
      max: round(p.max),
    });
  };
  for (let i = 1; i < points.length; i += 1)
    stage(
      `${points[i - 1]} → ${points[i]}`,
      rows.map((r) => (r[i] ?? 0) - (r[i - 1] ?? 0)),
    );
  if (!options.connect) stage(DURABLE_STAGE, durable);
  stage(
    'total (reading → console)',
    rows.map((r) => (r[r.length - 1] ?? 0) - (r[0] ?? 0)),
  );
  return stages;
}

/** The breakdown as aligned text lines, for the terminal. */
export function formatBreakdown(stages: readonly StageBreakdown[]): string[] {
  const width = Math.max(...stages.map((s) => s.stage.length));
  const cell = (v: number | null) => (v === null ? '—' : String(v)).padStart(8);
  return [
    `${'stage'.padEnd(width)}  ${'p50 ms'.padStart(8)}  ${'p99 ms'.padStart(8)}  ${'max ms'.padStart(8)}`,
    ...stages.map(
      (s) => `${s.stage.padEnd(width)}  ${cell(s.p50)}  ${cell(s.p99)}  ${cell(s.max)}`,
    ),
  ];
}
