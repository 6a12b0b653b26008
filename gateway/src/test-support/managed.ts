/**
 * A gateway managed by a (fake) hub over a real broker, for the control-plane tests: the broker,
 * the hub's client, the gateway with the fake drivers, and a publisher of hub configurations.
 */
import {
  downlinkTopic,
  encodeDownlink,
  type GatewayConfigDevice,
  type GatewayConfigMessage,
} from '@anxin/protocol';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway.js';
import { startBroker } from './broker.js';
import { FakeHub } from './fake-hub.js';
import { FAKE_DRIVERS } from './fake-drivers.js';
import { silentLogger, tempDir, testConfig, waitFor } from './util.js';

export interface ManagedGateway {
  hub: FakeHub;
  gateway: Gateway;
  /** Publishes configuration `version` (retained) with these devices and overrides. */
  publishConfig: (
    version: number,
    devices: GatewayConfigDevice[],
    extra?: Partial<GatewayConfigMessage>,
  ) => Promise<unknown>;
}

/** Starts everything, connected; every part is stopped through `cleanups`. */
export async function startManagedGateway(
  gatewayId: string,
  cleanups: (() => Promise<void> | void)[],
  gatewayConfig: Record<string, unknown> = {},
  options: GatewayOptions = {},
): Promise<ManagedGateway> {
  const broker = await startBroker();
  cleanups.push(() => broker.stop());
  const hub = await FakeHub.connect(broker.url);
  cleanups.push(() => hub.close());
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const gateway = createGateway(
    testConfig({
      gatewayId,
      dataDir: dir.path,
      hub: { url: broker.url },
      reconnect: { minMs: 50, maxMs: 200 },
      devices: [],
      ...gatewayConfig,
    }),
    { logger: silentLogger(), drivers: FAKE_DRIVERS, ...options },
  );
  cleanups.push(() => gateway.stop());
  await gateway.start();
  await waitFor(() => gateway.health().connected, 'connected');
  const publishConfig: ManagedGateway['publishConfig'] = (version, devices, extra = {}) =>
    hub.client.publishAsync(
      downlinkTopic(gatewayId, 'config'),
      encodeDownlink('config', {
        v: 1,
        configVersion: version,
        gatewayId,
        homeId: 'home-0001',
        issuedAt: Date.now(),
        testMode: false,
        heartbeatIntervalS: 30,
        devices,
        thresholds: {},
        ...extra,
      }),
      { qos: 1, retain: true },
    );
  return { hub, gateway, publishConfig };
}
