/**
 * The latency breakdown of `anxin bench latency` (issue 12): stage times joined from the load
 * process, the hub's trace and the console; the profile summary; the publish probe's payload read.
 */
import { describe, expect, it } from 'vitest';
import type { AlarmTraceEntry } from '@anxin/hub';
import {
  breakdown,
  consoleLatencies,
  DURABLE_STAGE,
  formatBreakdown,
  STAGE_POINTS,
} from './breakdown.js';
import { summarizeProfile, type CpuProfile } from './profile-summary.js';
import { batchSeqs } from './publish-probe.js';
import type { OfferedAlarm } from './worker-protocol.js';

const T = 1_700_000_000_000;
const alarm = (gatewayId: string, seq: number, at: number): OfferedAlarm => ({
  gatewayId,
  n: seq,
  seq,
  observedAt: at,
  connected: true,
  // Published before the outbox commit returned, as a connected gateway does (and after the
  // hub received it: the fsync overlaps the hub's stages).
  publishedAt: at + 1.5,
  durableAt: at + 3,
});
const hubLine = (gatewayId: string, seq: number, at: number): AlarmTraceEntry => ({
  gatewayId,
  seq,
  receivedAt: at + 2,
  sqlStartedAt: at + 3,
  committedAt: at + 5,
  pushedAt: at + 5.5,
});

describe('latency breakdown', () => {
  it('gives each stage from one point to the next, and the total', () => {
    const stages = breakdown(
      [alarm('gw-a', 1, T), alarm('gw-b', 4, T + 100)],
      [hubLine('gw-a', 1, T), hubLine('gw-b', 4, T + 100), hubLine('gw-a', 1, T + 900)],
      new Map([
        [`gw-a|${T}`, T + 6],
        [`gw-b|${T + 100}`, T + 108],
      ]),
    );
    expect(stages.map((s) => s.stage)).toEqual([
      ...STAGE_POINTS.slice(1).map((p, i) => `${STAGE_POINTS[i]} → ${p}`),
      DURABLE_STAGE,
      'total (reading → console)',
    ]);
    // The chain skips the outbox commit (the publish does not wait for it); its own row is
    // reading → durable, and the stages of the chain add up to the total.
    expect(stages.map((s) => s.p50)).toEqual([1.5, 0.5, 1, 2, 0.5, 0.5, 3, 6]);
    // The replayed trace line (seq 1 acked again later) does not replace the first.
    expect(stages.at(-1)).toMatchObject({ count: 2, p50: 6, p99: 8, max: 8 });
    expect(formatBreakdown(stages)).toHaveLength(stages.length + 1);
  });

  it('measures from the precise reading time when the load recorded one, not the whole ms', () => {
    // observedAt is the reading's ms, floored: 0.7 ms of the first stage happened before it.
    const precise = { ...alarm('gw-a', 1, T), readAt: T - 0.7 };
    const arrivals = new Map([
      [`gw-a|${T}`, T + 6],
      [`gw-b|${T}`, T + 9],
    ]);
    const stages = breakdown([precise], [hubLine('gw-a', 1, T)], arrivals);
    expect(stages[0]).toMatchObject({ stage: 'reading → MQTT publish', p50: 2.2 });
    expect(stages.find((s) => s.stage === DURABLE_STAGE)).toMatchObject({ p50: 3.7 });
    expect(stages.at(-1)).toMatchObject({ p50: 6.7 });
    // The headline figures use the same first point; an alarm without readAt falls back.
    const latencies = consoleLatencies(
      [precise, alarm('gw-b', 1, T), alarm('gw-c', 1, T)],
      arrivals,
    );
    expect(latencies.map((l) => Math.round(l * 10) / 10)).toEqual([6.7, 9]);
  });

  it('leaves out alarms a point is missing for (never published, never at the console)', () => {
    const unpublished = { ...alarm('gw-a', 2, T) };
    delete unpublished.publishedAt;
    const stages = breakdown(
      [unpublished, alarm('gw-b', 1, T)],
      [hubLine('gw-a', 2, T)],
      new Map([[`gw-a|${T}`, T + 6]]),
    );
    expect(stages.every((s) => s.count === 0 && s.p50 === null)).toBe(true);
  });
});

describe('storm breakdown (alarms raised while connecting)', () => {
  it('splits the wait for a connection into the attempt and the handshake', () => {
    const connecting = (at: number, attemptAt: number): OfferedAlarm => ({
      ...alarm('gw-a', 1, at),
      connected: false,
      // Nothing is sent before a connection: the outbox commit comes first on this chain.
      durableAt: at + 1,
      connectAttemptAt: attemptAt,
      connackAt: at + 100,
      publishedAt: at + 100.5,
    });
    // Attempt 40 ms after the outbox; an attempt already under way (before it) counts as no wait.
    const stages = breakdown(
      [connecting(T, T + 41), { ...connecting(T + 1000, T + 900), gatewayId: 'gw-b' }],
      [hubLine('gw-a', 1, T + 99), hubLine('gw-b', 1, T + 1099)],
      new Map([
        [`gw-a|${T}`, T + 106],
        [`gw-b|${T + 1000}`, T + 1106],
      ]),
      { connect: true },
    );
    expect(stages.slice(0, 4).map((s) => [s.stage, s.max])).toEqual([
      ['reading → outbox durable', 1],
      ['outbox durable → connect attempt', 40],
      ['connect attempt → CONNACK', 99],
      ['CONNACK → MQTT publish', 0.5],
    ]);
    expect(stages.find((s) => s.stage === 'outbox durable → connect attempt')?.p50).toBe(0);
    // An alarm without connect times (connected when raised) is left out of this breakdown.
    expect(
      breakdown([alarm('gw-a', 1, T)], [hubLine('gw-a', 1, T)], new Map(), { connect: true })[0]
        ?.count,
    ).toBe(0);
  });
});

describe('publish probe', () => {
  it('reads the seqs of an alarm batch and nothing from anything else', () => {
    expect(
      batchSeqs(Buffer.from(JSON.stringify({ v: 1, events: [{ seq: 3 }, { seq: 4 }] }))),
    ).toEqual([3, 4]);
    expect(batchSeqs('{not json')).toEqual([]);
    expect(batchSeqs(JSON.stringify({ v: 1, state: 'online' }))).toEqual([]);
  });
});

describe('profile summary', () => {
  it('adds self time per function and file, inside the window asked for', () => {
    const profile: CpuProfile = {
      startTime: 0,
      endTime: 4_000_000,
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3] },
        {
          id: 2,
          callFrame: {
            functionName: 'write',
            url: 'file:///x/node_modules/better-sqlite3/lib/a.js',
            lineNumber: 9,
          },
        },
        {
          id: 3,
          callFrame: {
            functionName: 'accept',
            url: 'file:///x/hub/dist/ingest/ingest.js',
            lineNumber: 0,
          },
        },
      ],
      samples: [2, 2, 3, 2],
      timeDeltas: [1_000_000, 1_000_000, 1_000_000, 1_000_000],
    };
    const all = summarizeProfile(profile);
    expect(all.totalMs).toBe(4000);
    expect(all.byFile[0]).toEqual(['nm:better-sqlite3', 3000]);
    expect(all.byFunction).toContainEqual(['accept hub/dist/ingest/ingest.js:1', 1000]);
    const window = summarizeProfile(profile, { fromS: 2.5, toS: 3.5 });
    expect(window.totalMs).toBe(1000);
    expect(window.byFile).toEqual([['hub/dist/ingest/ingest.js', 1000]]);
  });
});
