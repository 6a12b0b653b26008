/**
 * The uplink's socket runs with Nagle's algorithm off (TCP_NODELAY), on its first connection and
 * on every reconnect: otherwise an alarm written while an earlier segment waits for the hub's
 * delayed ACK leaves up to 40 ms late (connection.ts, disableNagle; issue 12).
 */
import { Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGateway, type Gateway } from '../gateway.js';
import { startBroker, type TestBroker } from '../test-support/broker.js';
import { silentLogger, tempDir, testConfig, waitFor } from '../test-support/util.js';

describe('uplink: TCP_NODELAY', () => {
  let broker: TestBroker | undefined;
  let gateway: Gateway | undefined;
  let dir: ReturnType<typeof tempDir> | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await gateway?.stop();
    await broker?.stop();
    dir?.remove();
  });

  it('turns Nagle off on the socket to the hub, again after a reconnect', async () => {
    broker = await startBroker();
    const port = broker.port;
    const setNoDelay = vi.spyOn(Socket.prototype, 'setNoDelay');
    /** Sockets to the broker (not the broker's own side) that were switched to no-delay. */
    const toBroker = () =>
      setNoDelay.mock.contexts.filter(
        (socket, i) =>
          socket instanceof Socket &&
          socket.remotePort === port &&
          setNoDelay.mock.calls[i]?.[0] === true,
      ).length;
    dir = tempDir();
    gateway = createGateway(
      testConfig({
        gatewayId: 'gw-nodelay',
        dataDir: dir.path,
        hub: { url: broker.url, password: 'pw' },
        reconnect: { minMs: 50, maxMs: 200, spreadMs: 0 },
        devices: [{ id: 'radar1', driver: 'none' }],
      }),
      { logger: silentLogger() },
    );
    expect(toBroker()).toBe(0);
    await gateway.start();
    await waitFor(() => gateway?.health().uplink.connected === true, 'connected');
    expect(toBroker()).toBe(1);

    expect(broker.cutClient('gw-nodelay')).toBe(true);
    await waitFor(() => gateway?.health().uplink.connects === 2, 'reconnected', 5000);
    expect(toBroker()).toBe(2);
  });
});
