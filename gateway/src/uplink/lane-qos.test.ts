/**
 * The gateway's side of LANE_QOS (protocol/src/contract.ts), over a real broker: telemetry batches
 * go at QoS 0 and alarm batches at QoS 1, and a telemetry batch whose ack never comes (nothing
 * at the MQTT level retries a QoS 0 message) is sent again after the ack timeout and then leaves
 * the outbox on the hub's ack. The hub's side (acks) is in hub/src/ingest/lane-qos.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { LANE_QOS, uplinkTopic } from '@anxin/protocol';
import { startUplinkRig, type UplinkRig } from '../test-support/uplink-fixture.js';
import { readOutbox, unackedInOutbox, waitFor } from '../test-support/util.js';

describe('uplink: each lane at its QoS', () => {
  let rig: UplinkRig | undefined;
  afterEach(() => rig?.stop());

  it('sends telemetry at QoS 0 and alarms at QoS 1; an unacked telemetry batch is sent again', async () => {
    expect(LANE_QOS).toEqual({ alarm: 1, telemetry: 0 });
    rig = await startUplinkRig('gw-qos', {
      outbox: { ackTimeoutMs: 300 },
      devices: [
        { id: 'sos1', driver: 'none' },
        { id: 'meter1', driver: 'none' },
      ],
    });
    const { hub, gateway, dir } = rig;
    hub.policy.telemetry = { mode: 'ignore' };
    await rig.connect();

    const reading = gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 1.5 } });
    gateway.ingest('sos1', { type: 'alarm', kind: 'sos', action: 'raise' });
    const qosOf = (channel: 'alarm' | 'telemetry') =>
      hub.messages.filter((m) => m.topic === uplinkTopic('gw-qos', channel)).map((m) => m.qos);
    await waitFor(() => qosOf('alarm').length > 0 && qosOf('telemetry').length > 0, 'both lanes');
    expect(qosOf('alarm')[0]).toBe(1);
    expect(qosOf('telemetry')[0]).toBe(0);
    await waitFor(() => readOutbox(dir, 'alarm').length === 0, 'alarm acked');

    // No ack for the telemetry: the lane sends it again after the ack timeout, at QoS 0 again.
    await waitFor(() => qosOf('telemetry').length >= 2, 'resent after the ack timeout');
    expect(new Set(qosOf('telemetry'))).toEqual(new Set([0]));
    expect(hub.distinctSeqs('telemetry')).toEqual([reading.seq]);
    expect(readOutbox(dir, 'telemetry').map((r) => r.seq)).toEqual([reading.seq]);
    hub.policy.telemetry = { mode: 'ack' };
    await waitFor(() => unackedInOutbox(gateway, dir, 'telemetry').length === 0, 'acked at last');
  });
});
