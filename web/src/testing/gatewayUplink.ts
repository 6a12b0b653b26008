/**
 * What a gateway publishes when a device raises an alarm, for the browser tests that run a real
 * hub: one event in an AlarmBatch on the gateway's alarm uplink topic (QoS 1, as the box sends).
 */
import {
  newEventId,
  PROTOCOL_VERSION,
  uplinkTopic,
  type AlarmBatch,
  type AlarmEvent,
} from '@anxin/protocol';
import type { MqttClient } from 'mqtt';

export async function publishRaise(
  client: MqttClient | null,
  gatewayId: string,
  event: { seq: number; deviceId: string; kind: AlarmEvent['kind']; detail?: AlarmEvent['detail'] },
): Promise<void> {
  const batch: AlarmBatch = {
    v: PROTOCOL_VERSION,
    events: [
      {
        type: 'alarm',
        id: newEventId(),
        seq: event.seq,
        observedAt: Date.now(),
        deviceId: event.deviceId,
        kind: event.kind,
        action: 'raise',
        ...(event.detail !== undefined ? { detail: event.detail } : {}),
      },
    ],
  };
  if (!client) throw new Error('the gateway is not connected');
  await client.publishAsync(uplinkTopic(gatewayId, 'alarm'), JSON.stringify(batch), { qos: 1 });
}
