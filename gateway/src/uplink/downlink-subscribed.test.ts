/**
 * Telemetry waits for this connection's SUBACK; alarms do not (uplink.ts onConnect). A broker
 * that grants SUBSCRIBE late (here: 400 ms) routes the PUBLISHes read with it meanwhile, and the
 * hub's acks for them find no subscription: the hub's embedded aedes does exactly this in a
 * reconnect storm. With the old behaviour the telemetry batch went at once, its ack was lost,
 * and the lane sat out its ack timeout.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { uplinkTopic } from '@anxin/protocol';
import { startUplinkRig, type UplinkRig } from '../test-support/uplink-fixture.js';
import { readOutbox, unackedInOutbox, waitFor } from '../test-support/util.js';

const GATEWAY = 'gw-suback';
const ACK_TIMEOUT_MS = 2000;

describe('uplink: telemetry waits for the downlink subscription, alarms do not', () => {
  let rig: UplinkRig | undefined;
  afterEach(() => rig?.stop());

  /** Batches the hub had received on each lane when the gateway's subscription was granted. */
  const atSuback: { alarm: number; telemetry: number }[] = [];
  const sent = (channel: 'alarm' | 'telemetry') =>
    (rig?.hub.messages ?? []).filter((m) => m.topic === uplinkTopic(GATEWAY, channel)).length;

  async function startRig(ackTimeoutMs = ACK_TIMEOUT_MS, holdMs = 400): Promise<UplinkRig> {
    atSuback.length = 0;
    rig = await startUplinkRig(
      GATEWAY,
      {
        outbox: { ackTimeoutMs },
        devices: [
          { id: 'sos1', driver: 'none' },
          { id: 'meter1', driver: 'none' },
        ],
      },
      {
        broker: {
          holdSubscribe: { clientId: GATEWAY, ms: holdMs },
          connectDelayMs: 200,
          onSubscribe: (clientId, topic) => {
            if (clientId === GATEWAY && topic.endsWith('/down/ack'))
              atSuback.push({ alarm: sent('alarm'), telemetry: sent('telemetry') });
          },
        },
      },
    );
    return rig;
  }

  it('a fresh session: telemetry goes after the SUBACK and is acked; the alarm goes at once', async () => {
    const { gateway, hub, dir } = await startRig();
    await gateway.start();
    // Queued before the connection is accepted (the broker holds CONNECT 200 ms).
    const reading = gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 2 } });
    const alarm = gateway.ingest('sos1', { type: 'alarm', kind: 'sos', action: 'raise' });
    expect(gateway.health().uplink.connected).toBe(false);

    // Telemetry is acked without an ack timeout (resends 0 below): its ack found the subscription.
    await waitFor(
      () => unackedInOutbox(gateway, dir, 'telemetry').length === 0,
      'telemetry acked',
      ACK_TIMEOUT_MS * 2,
    );
    expect(atSuback).toHaveLength(1);
    expect(atSuback[0]?.telemetry).toBe(0); // nothing of telemetry before the subscription stood
    expect(atSuback[0]?.alarm).toBe(1); // the alarm did not wait for it
    expect(hub.distinctSeqs('telemetry')).toEqual([reading.seq]);
    expect(gateway.health().uplink.lanes.telemetry.resends).toBe(0);
    // The alarm's ack found no subscription: it is sent again after its ack timeout, and acked.
    await waitFor(() => readOutbox(dir, 'alarm').length === 0, 'alarm acked', ACK_TIMEOUT_MS * 2);
    expect(sent('alarm')).toBe(2);
    expect(hub.distinctSeqs('alarm')).toEqual([alarm.seq]);
    expect(gateway.health().uplink.lanes.alarm.resends).toBe(1);
  });

  it('a session the broker kept: the alarm goes once, telemetry still after the SUBACK', async () => {
    const { broker, gateway, hub, dir } = await startRig();
    await rig?.connect();
    await waitFor(() => atSuback.length === 1, 'first subscription');

    // The connection drops; the broker keeps the session (clean session false) and with it the
    // subscription, so acks reach the gateway before this connection's SUBACK too.
    expect(broker.cutClient(GATEWAY)).toBe(true);
    await waitFor(() => !gateway.health().uplink.connected, 'disconnected');
    const reading = gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 3 } });
    const alarm = gateway.ingest('sos1', { type: 'alarm', kind: 'sos', action: 'raise' });
    await waitFor(
      () =>
        readOutbox(dir, 'alarm').length === 0 &&
        unackedInOutbox(gateway, dir, 'telemetry').length === 0,
      'both lanes acked after the reconnect',
      ACK_TIMEOUT_MS * 2,
    );
    // aedes grants the kept subscriptions again before its CONNACK, then this connection's own.
    const ownSuback = atSuback.at(-1);
    expect(atSuback.length).toBeGreaterThan(1);
    expect(ownSuback?.telemetry).toBe(0);
    expect(ownSuback?.alarm).toBe(1);
    expect(hub.distinctSeqs('alarm')).toEqual([alarm.seq]);
    expect(sent('alarm')).toBe(1); // acked through the kept subscription: not sent again
    expect(hub.distinctSeqs('telemetry')).toEqual([reading.seq]);
  });

  it('no SUBACK within the ack timeout: telemetry goes anyway, and is acked in the end', async () => {
    // The broker grants the subscription only after 3 s; the lane waits 1 s (ackTimeoutMs).
    const { gateway, hub, dir } = await startRig(1000, 3000);
    await gateway.start();
    const reading = gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 4 } });
    await waitFor(() => sent('telemetry') > 0, 'telemetry sent without a SUBACK', 2500);
    expect(atSuback).toHaveLength(0);
    await waitFor(
      () => unackedInOutbox(gateway, dir, 'telemetry').length === 0,
      'acked once subscribed',
      6000,
    );
    expect(atSuback.length).toBeGreaterThan(0);
    expect(hub.distinctSeqs('telemetry')).toEqual([reading.seq]);
  });
});
