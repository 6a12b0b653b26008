/**
 * After a reconnect storm a gateway's backoff can reach reconnect.maxMs (a minute); an alarm
 * raised meanwhile must not wait that long. A new alarm cuts the wait short; telemetry does not.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startUplinkRig, type UplinkRig } from '../test-support/uplink-fixture.js';
import { sleep, waitFor } from '../test-support/util.js';

describe('uplink: an alarm cuts a reconnect backoff short', () => {
  let rig: UplinkRig<null> | undefined;
  afterEach(() => rig?.stop());

  it('reconnects within ~1 s of a new alarm while waiting out a 30 s backoff', async () => {
    rig = await startUplinkRig(
      'gw-hurry',
      {
        hub: { connectTimeoutMs: 1000 },
        reconnect: { minMs: 30_000, maxMs: 60_000 },
        devices: [
          { id: 'radar1', driver: 'none' },
          { id: 'meter1', driver: 'none' },
        ],
      },
      { hub: false },
    );
    const { broker, gateway } = rig;
    await broker.stop(); // the hub is unreachable: the first connect fails
    await gateway.start();
    await waitFor(
      () => (gateway.health().uplink.nextRetryInMs ?? 0) > 20_000,
      'a long backoff',
      5000,
    );
    await broker.restart();

    gateway.ingest('meter1', { type: 'telemetry', fields: { energy_kwh: 1 } });
    await sleep(1500);
    expect(gateway.health().connected).toBe(false); // telemetry waits out the backoff

    gateway.ingest('radar1', { type: 'alarm', kind: 'fall', action: 'raise' });
    await waitFor(() => gateway.health().connected, 'early reconnect', 3000);
    expect(gateway.health().uplink.alarmReconnects).toBe(1);
  });
});
