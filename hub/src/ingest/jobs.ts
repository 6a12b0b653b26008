/**
 * What the ingest stages share: a job (one uplink batch of one gateway, parsed), and the ack
 * sender every stage answers through, which counts each outcome (DESIGN.md contract clause 3:
 * an ack goes out only once the events are durable, or to say they were rejected or deferred).
 */
import { PROTOCOL_VERSION, type Ack, type Lane } from '@anxin/protocol';
import type { HubMetrics } from '../metrics.js';
import { preciseNow } from './alarm-trace.js';
import type { EventRejection } from './batch.js';

export interface Job<E> {
  gatewayId: string;
  events: E[];
  rejected: EventRejection[];
  receivedAt: number;
  /** process.hrtime at arrival, for the arrival → ack histogram. */
  arrivedNs: bigint;
  /** Wall-clock arrival with sub-ms precision, for the alarm trace (alarm-trace.ts). */
  arrivedAt: number;
  size: number;
}

export function makeJob<E extends { seq: number }>(
  gatewayId: string,
  events: E[],
  rejected: EventRejection[],
): Job<E> {
  return {
    gatewayId,
    events,
    rejected,
    receivedAt: Date.now(),
    arrivedNs: process.hrtime.bigint(),
    arrivedAt: preciseNow(),
    size: Math.max(1, events.length),
  };
}

export type AckFn = (
  gatewayId: string,
  lane: Lane,
  acked: number[],
  rejected: EventRejection[],
  deferred: number[],
  retryAfterMs?: number,
) => void;

/** Builds the ack function: one Ack per call, outcomes counted, sent through `sendAck`. */
export function ackSender(
  metrics: HubMetrics,
  sendAck: (gatewayId: string, ack: Ack) => void,
): AckFn {
  return (gatewayId, lane, acked, rejected, deferred, retryAfterMs) => {
    const ack: Ack = { v: PROTOCOL_VERSION, lane, acked, rejected, deferred };
    if (deferred.length > 0 && retryAfterMs !== undefined)
      ack.retryAfterMs = Math.max(0, Math.round(retryAfterMs));
    const m = metrics.acks;
    if (acked.length) m.inc({ lane, outcome: 'acked' }, acked.length);
    if (rejected.length) m.inc({ lane, outcome: 'rejected' }, rejected.length);
    if (deferred.length) m.inc({ lane, outcome: 'deferred' }, deferred.length);
    sendAck(gatewayId, ack);
  };
}

/** Answers every job "deferred": the gateways keep those events and send them again later. */
export function deferJobs(
  ack: AckFn,
  lane: Lane,
  jobs: readonly Job<{ seq: number }>[],
  retryAfterMs: number,
): void {
  for (const job of jobs)
    ack(
      job.gatewayId,
      lane,
      [],
      job.rejected,
      job.events.map((e) => e.seq),
      retryAfterMs,
    );
}
