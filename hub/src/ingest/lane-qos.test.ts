/**
 * The hub's side of LANE_QOS (protocol/src/contract.ts), through its embedded broker: a telemetry
 * batch sent at QoS 0 (as gateways now send it) is stored and acked at QoS 0, an alarm batch is
 * acked at QoS 1, and a telemetry batch sent again (its ack lost) is acked again. The
 * gateway's side is gateway/src/uplink/lane-qos.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LANE_QOS, PROTOCOL_VERSION, uplinkTopic } from '@anxin/protocol';
import {
  alarmEvent,
  startHub,
  telemetryEvent,
  TestGateway,
  type RunningHub,
} from '../testing/harness.js';

const GW = 'gw-qos-1';
let h: RunningHub;
let gw: TestGateway;

beforeAll(async () => {
  h = await startHub();
  await h.hub.provisionGateway({ gatewayId: GW, secret: 'secret-qos-1', homeId: 'home-1' });
  gw = await TestGateway.connect(h.mqttUrl, GW, 'secret-qos-1');
});

afterAll(async () => {
  await gw?.close();
  await h?.close();
});

describe('acks at each lane’s QoS', () => {
  it('acks telemetry at QoS 0 and alarms at QoS 1, and acks a resent telemetry batch again', async () => {
    const batch = JSON.stringify({ v: PROTOCOL_VERSION, events: [telemetryEvent(1)] });
    await gw.client.publishAsync(uplinkTopic(GW, 'telemetry'), batch, { qos: LANE_QOS.telemetry });
    const first = await gw.waitForAck((a) => a.lane === 'telemetry' && a.acked.includes(1));
    await gw.sendAlarms([alarmEvent(2)]);
    const alarmAck = await gw.waitForAck((a) => a.lane === 'alarm' && a.acked.includes(2));
    expect(gw.ackQos[gw.acks.indexOf(first)]).toBe(0);
    expect(gw.ackQos[gw.acks.indexOf(alarmAck)]).toBe(1);
    expect(h.hub.stats().telemetryPointsWritten).toBeGreaterThan(0);

    // The same batch again (its ack lost): acked again, at QoS 0 (contract clause 4).
    await gw.client.publishAsync(uplinkTopic(GW, 'telemetry'), batch, { qos: 0 });
    const again = await gw.waitForAck(
      (a) => a !== first && a.lane === 'telemetry' && a.acked.includes(1),
    );
    expect(gw.ackQos[gw.acks.indexOf(again)]).toBe(0);
  });
});
