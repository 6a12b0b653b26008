/**
 * Test scaffolding only (the real hub lives in hub/): an MQTT client that receives what gateways
 * send and answers with Acks according to a policy the test sets.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  AlarmBatchSchema,
  HUB_UPLINK_FILTER,
  PROTOCOL_VERSION,
  TelemetryBatchSchema,
  downlinkTopic,
  parsePayload,
  parseTopic,
  type Ack,
  type GatewayEvent,
  type Lane,
} from '@anxin/protocol';

export type AckPolicy =
  { mode: 'ack'; delayMs?: number } | { mode: 'ignore' } | { mode: 'defer'; retryAfterMs: number };

export interface Received {
  lane: Lane;
  event: GatewayEvent;
  at: number;
}

export class FakeHub {
  readonly received: Received[] = [];
  /** Every message as it arrived, with the QoS it was published at (the hub subscribes at 1). */
  readonly messages: { topic: string; payload: string; retain: boolean; qos: number }[] = [];
  readonly invalid: string[] = [];
  policy: Record<Lane, AckPolicy> = { alarm: { mode: 'ack' }, telemetry: { mode: 'ack' } };
  /** Called for every event as it arrives, before the ack (e.g. to look into the outbox). */
  onEvent: ((lane: Lane, event: GatewayEvent) => void) | null = null;

  private constructor(readonly client: MqttClient) {}

  static async connect(url: string, options: { ca?: string } = {}): Promise<FakeHub> {
    const client = mqtt.connect(url, {
      ...(options.ca ? { ca: options.ca } : {}),
      clientId: `hub-${Math.random().toString(16).slice(2)}`,
      reconnectPeriod: 100,
    });
    const hub = new FakeHub(client);
    client.on('message', (topic, payload, packet) =>
      hub.onMessage(topic, payload, packet.retain, packet.qos),
    );
    client.on('connect', () => {
      client.subscribe(HUB_UPLINK_FILTER, { qos: 1 });
    });
    await new Promise<void>((resolve) => client.once('connect', () => resolve()));
    await client.subscribeAsync(HUB_UPLINK_FILTER, { qos: 1 });
    return hub;
  }

  events(lane: Lane): GatewayEvent[] {
    return this.received.filter((r) => r.lane === lane).map((r) => r.event);
  }

  /** Distinct seqs received in a lane, in order of first arrival. */
  distinctSeqs(lane: Lane): number[] {
    const seen = new Set<number>();
    const out: number[] = [];
    for (const r of this.received) {
      if (r.lane !== lane || seen.has(r.event.seq)) continue;
      seen.add(r.event.seq);
      out.push(r.event.seq);
    }
    return out;
  }

  publish(topic: string, payload: string | Buffer): void {
    this.client.publish(topic, payload, { qos: 1 });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private onMessage(topic: string, payload: Buffer, retain: boolean, qos: number): void {
    this.messages.push({ topic, payload: payload.toString('utf8'), retain, qos });
    const parsed = parseTopic(topic);
    if (!parsed || parsed.direction !== 'up') return;
    if (parsed.channel !== 'alarm' && parsed.channel !== 'telemetry') return;
    const lane: Lane = parsed.channel;
    const batch =
      lane === 'alarm'
        ? parsePayload(AlarmBatchSchema, payload, 1 << 20)
        : parsePayload(TelemetryBatchSchema, payload, 1 << 20);
    if (!batch.ok) {
      this.invalid.push(`${lane}: ${batch.message}`);
      return;
    }
    const at = Date.now();
    for (const event of batch.value.events) {
      this.received.push({ lane, event, at });
      this.onEvent?.(lane, event);
    }
    const policy = this.policy[lane];
    const seqs = batch.value.events.map((e) => e.seq);
    const ack: Ack = { v: PROTOCOL_VERSION, lane, acked: [], rejected: [], deferred: [] };
    if (policy.mode === 'ignore') return;
    if (policy.mode === 'defer') {
      ack.deferred = seqs;
      ack.retryAfterMs = policy.retryAfterMs;
    } else {
      ack.acked = seqs;
    }
    const send = () =>
      this.client.publish(downlinkTopic(parsed.gatewayId, 'ack'), JSON.stringify(ack), { qos: 1 });
    if (policy.mode === 'ack' && policy.delayMs) setTimeout(send, policy.delayMs);
    else send();
  }
}
