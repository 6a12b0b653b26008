/**
 * The "MQTT publish" point of the latency breakdown (issue 12), taken inside a load process: the
 * moment a gateway's uplink hands an alarm batch to its MQTT client. The gateway code stays as
 * users run it; this wraps `MqttClient.prototype.publish` of the one mqtt module every gateway in
 * the process shares, and looks only at alarm-lane topics (a few messages a second), so the
 * telemetry path pays one string comparison.
 */
import { MqttClient } from 'mqtt';
import { isRecord, isUnknownArray, parseTopic } from '@anxin/protocol';
import { preciseNow } from './clock.js';

export type PublishListener = (gatewayId: string, seqs: number[], at: number) => void;

/** The seqs of an alarm batch payload ({ v, events: [{ seq, … }] }); [] if it is not one. */
export function batchSeqs(payload: string | Buffer): number[] {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return [];
  }
  const events = isRecord(value) ? value['events'] : undefined;
  if (!isUnknownArray(events)) return [];
  const seqs: number[] = [];
  for (const event of events)
    if (isRecord(event) && typeof event.seq === 'number') seqs.push(event.seq);
  return seqs;
}

let installed: PublishListener | undefined;

/** Per client id: when its last connection attempt opened a socket, and its last CONNACK. */
const connectTimes = new Map<string, { attemptAt: number; connackAt?: number }>();

/** The last connection attempt and CONNACK of a gateway's client in this process, if any. */
export function lastConnect(
  gatewayId: string,
): { attemptAt: number; connackAt?: number } | undefined {
  return connectTimes.get(gatewayId);
}

/** Calls `listener` for every alarm batch any gateway of this process publishes. Once per process. */
export function probeAlarmPublishes(listener: PublishListener): void {
  if (installed) {
    installed = listener;
    return;
  }
  installed = listener;
  // The two methods as plain functions of a client (what the prototype holds): read off it and
  // always called with apply(this), so each keeps its own `this`. The overloads of publish are
  // forwarded untouched; only the topic and payload are read.
  const proto: {
    publish: (this: MqttClient, ...args: Parameters<MqttClient['publish']>) => MqttClient;
    connect: (this: MqttClient) => MqttClient;
  } = MqttClient.prototype;
  const original = proto.publish;
  proto.publish = function (this: MqttClient, ...args: Parameters<MqttClient['publish']>) {
    const [topic, message] = args;
    if (topic.endsWith('/up/alarm')) {
      const at = preciseNow();
      const parsed = parseTopic(topic);
      if (parsed) installed?.(parsed.gatewayId, batchSeqs(message), at);
    }
    return original.apply(this, args);
  };
  // connect() opens each attempt's socket (the first, and every reconnect). One CONNACK listener
  // per client, first in line: the uplink publishes its alarm lane from its own 'connect' listener.
  const connect = proto.connect;
  const watched = new WeakSet<MqttClient>();
  proto.connect = function (this: MqttClient) {
    const id = this.options.clientId ?? '';
    connectTimes.set(id, { attemptAt: preciseNow() });
    if (!watched.has(this)) {
      watched.add(this);
      this.prependListener('connect', () => {
        const times = connectTimes.get(id);
        if (times) times.connackAt = preciseNow();
      });
    }
    return connect.apply(this);
  };
}
