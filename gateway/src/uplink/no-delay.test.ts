/**
 * The uplink's socket runs with Nagle's algorithm off (TCP_NODELAY), on its first connection and
 * on every reconnect: otherwise an alarm written while an earlier segment waits for the hub's
 * delayed ACK leaves up to 40 ms late (connection.ts, disableNagle; issue 12).
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startUplinkRig, type UplinkRig } from '../test-support/uplink-fixture.js';
import { waitFor } from '../test-support/util.js';

describe('uplink: TCP_NODELAY', () => {
  let rig: UplinkRig<null> | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await rig?.stop();
  });

  it('turns Nagle off on the socket to the hub, again after a reconnect', async () => {
    const setNoDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
    rig = await startUplinkRig(
      'gw-nodelay',
      { devices: [{ id: 'radar1', driver: 'none' }] },
      { hub: false },
    );
    const { broker, gateway } = rig;
    const port = broker.port;
    /** Sockets to the broker (not the broker's own side) that were switched to no-delay. */
    const toBroker = () =>
      setNoDelay.mock.contexts.filter(
        (socket, i) =>
          socket instanceof Socket &&
          socket.remotePort === port &&
          setNoDelay.mock.calls[i]?.[0] === true,
      ).length;
    expect(toBroker()).toBe(0);
    await rig.connect();
    expect(toBroker()).toBe(1);

    expect(broker.cutClient('gw-nodelay')).toBe(true);
    await waitFor(() => gateway.health().uplink.connects === 2, 'reconnected', 5000);
    expect(toBroker()).toBe(2);
  });
});
