/**
 * The sending stage of the uplink: the two lanes read from the outbox, their windows of batches
 * in flight, and what the hub's Ack does to them (DESIGN.md, "Gateway ⇄ hub contract").
 *
 * - Each pump serves the alarm lane before the telemetry lane, and the telemetry window is small,
 *   so at most a couple of telemetry batches can ever be queued on the socket ahead of a new alarm
 *   (clause 2).
 * - Per lane: up to `window` batches in flight; the hub's Ack deletes events (acked, rejected);
 *   deferred events hold the lane for retryAfterMs. After ackTimeoutMs without any ack while
 *   batches are in flight, or after a reconnect, the lane goes back to its oldest pending event
 *   and sends everything again in order (go-back-N): the hub is idempotent on (gateway, seq), so
 *   a duplicate costs bandwidth, never correctness (clauses 3 and 4).
 */
import type { MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import { LANE_QOS, LIMITS, isResumeAck, uplinkTopic, type Ack, type Lane } from '@anxin/protocol';
import type { GatewayConfig } from '../config.js';
import type { Outbox } from '../outbox/outbox.js';
import { buildBatch } from './batch.js';
import { emptyLaneCounters, type LaneCounters, type UplinkHealth } from './health.js';

interface InflightBatch {
  remaining: Set<number>;
  sentAt: number;
}

interface LaneState {
  lane: Lane;
  window: number;
  /** Highest seq sent since the last go-back; the next batch starts after it. */
  cursor: number;
  inflight: InflightBatch[];
  holdUntil: number;
  lastAckAt: number;
  counters: LaneCounters;
}

export interface LaneSenderOptions {
  config: GatewayConfig;
  outbox: Outbox;
  logger: Logger;
  now: () => number;
  /** A held lane's hold is over: pump again. */
  wake: () => void;
}

const BATCH_TOPIC: Record<Lane, 'alarm' | 'telemetry'> = { alarm: 'alarm', telemetry: 'telemetry' };

export class LaneSender {
  private readonly lanes: Record<Lane, LaneState>;
  private holdTimer: NodeJS.Timeout | null = null;

  constructor(private readonly options: LaneSenderOptions) {
    const lane = (name: Lane, window: number): LaneState => ({
      lane: name,
      window,
      cursor: 0,
      inflight: [],
      holdUntil: 0,
      lastAckAt: 0,
      counters: emptyLaneCounters(),
    });
    this.lanes = {
      alarm: lane('alarm', options.config.outbox.alarmWindow),
      telemetry: lane('telemetry', options.config.outbox.telemetryWindow),
    };
  }

  stop(): void {
    if (this.holdTimer) clearTimeout(this.holdTimer);
    this.holdTimer = null;
  }

  /**
   * Sends what the windows allow on a connected client, alarm lane first, always (clause 2).
   * Telemetry only once the hub's acks can reach us (`acksReachUs`, uplink.ts onConnect says why).
   */
  pump(client: MqttClient, acksReachUs: boolean): void {
    this.pumpLane(client, this.lanes.alarm);
    if (acksReachUs) this.pumpLane(client, this.lanes.telemetry);
  }

  /** Sends what the alarm lane's window allows, and nothing of telemetry (outbox onAlarmStaged). */
  pumpAlarms(client: MqttClient): void {
    this.pumpLane(client, this.lanes.alarm);
  }

  /** Whatever was in flight on the old connection may be lost: start both lanes over. */
  restart(): void {
    for (const lane of Object.values(this.lanes)) this.goBack(lane, false);
  }

  /** Lanes with no ack within ackTimeoutMs go back to their oldest event; true if any did. */
  checkAckTimeouts(): boolean {
    const now = this.options.now();
    const timeout = this.options.config.outbox.ackTimeoutMs;
    let resend = false;
    for (const state of Object.values(this.lanes)) {
      const oldest = state.inflight[0];
      if (!oldest) continue;
      if (now - Math.max(state.lastAckAt, oldest.sentAt) < timeout) continue;
      this.options.logger.warn(
        {
          code: 'ACK_TIMEOUT',
          lane: state.lane,
          inflightBatches: state.inflight.length,
          timeoutMs: timeout,
        },
        'no ack from hub in time; resending the lane from its oldest pending event',
      );
      this.goBack(state, true);
      resend = true;
    }
    return resend;
  }

  /** Applies the hub's Ack to its lane and the outbox; the caller pumps afterwards. */
  applyAck(ack: Ack): void {
    const state = this.lanes[ack.lane];
    const now = this.options.now();
    const { logger } = this.options;
    if (isResumeAck(ack)) {
      // The hub has room again before the slot it booked for us: send now (DESIGN.md, contract
      // clause 7; the hub calls deferred gateways back in the order it deferred them).
      if (state.holdUntil > now) {
        state.holdUntil = 0;
        state.counters.resumes += 1;
        logger.info({ lane: ack.lane }, 'hub has room again: resuming the lane');
      }
      return;
    }
    const done = [...ack.acked, ...ack.rejected.map((r) => r.seq)];
    this.options.outbox.remove(ack.lane, done);
    state.counters.acked += ack.acked.length;
    state.counters.rejected += ack.rejected.length;
    for (const rejection of ack.rejected) {
      logger.error(
        {
          code: 'EVENT_REJECTED',
          lane: ack.lane,
          seq: rejection.seq,
          reason: rejection.code,
          message: rejection.message,
        },
        'hub rejected an event; it is removed from the outbox',
      );
    }
    const settled = new Set([...done, ...ack.deferred]);
    for (const batch of state.inflight) for (const seq of settled) batch.remaining.delete(seq);
    state.inflight = state.inflight.filter((b) => b.remaining.size > 0);
    state.lastAckAt = now;
    if (ack.deferred.length > 0) {
      state.counters.deferred += ack.deferred.length;
      const wait = ack.retryAfterMs ?? this.options.config.outbox.ackTimeoutMs;
      state.holdUntil = now + wait;
      logger.info(
        { lane: ack.lane, deferred: ack.deferred.length, retryAfterMs: wait },
        'hub deferred events; holding the lane',
      );
      this.goBack(state, false);
    }
  }

  health(): UplinkHealth['lanes'] {
    const now = this.options.now();
    const laneHealth = (s: LaneState) => ({
      ...s.counters,
      inflightBatches: s.inflight.length,
      heldForMs: Math.max(0, s.holdUntil - now),
    });
    return { alarm: laneHealth(this.lanes.alarm), telemetry: laneHealth(this.lanes.telemetry) };
  }

  private pumpLane(client: MqttClient, state: LaneState): void {
    const now = this.options.now();
    if (state.holdUntil > now) {
      this.scheduleHoldEnd(state.holdUntil - now);
      return;
    }
    const { outbox, config } = this.options;
    const maxEvents = Math.min(config.outbox.batchSize, LIMITS.maxEventsPerBatch);
    const topic = uplinkTopic(config.gatewayId, BATCH_TOPIC[state.lane]);
    while (state.inflight.length < state.window) {
      const events = outbox.pending(state.lane, state.cursor, maxEvents);
      const batch = buildBatch(events, maxEvents, LIMITS.maxPayloadBytes);
      if (!batch) return;
      client.publish(topic, batch.payload, { qos: LANE_QOS[state.lane] });
      state.inflight.push({ remaining: new Set(batch.seqs), sentAt: now });
      state.cursor = batch.seqs[batch.seqs.length - 1] ?? state.cursor;
      state.counters.batchesSent += 1;
      state.counters.eventsSent += batch.seqs.length;
    }
  }

  private goBack(state: LaneState, countResend: boolean): void {
    if (countResend && state.inflight.length > 0) state.counters.resends += 1;
    state.cursor = 0;
    state.inflight = [];
    state.lastAckAt = this.options.now();
  }

  private scheduleHoldEnd(ms: number): void {
    if (this.holdTimer) return;
    this.holdTimer = setTimeout(() => {
      this.holdTimer = null;
      this.options.wake();
    }, ms);
  }
}
