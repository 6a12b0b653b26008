/**
 * The rig of the uplink's tests (uplink/*.test.ts): a real broker on a loopback port, a fake hub
 * connected to it (unless `{ hub: false }`), and a gateway for it on a fresh data directory,
 * made but not started: a test sets the hub's policy, a spy or a fault first, then starts it with
 * `connect()` (start, then wait until the uplink is connected) or with `gateway.start()` when it
 * must not wait. `stop()` stops the gateway, removes the directory and stops the hub and the
 * broker, for the test's afterEach. These tests check what goes over a real MQTT connection
 * (QoS, socket writes, socket options, reconnects); the rig keeps that setup in one place.
 *
 * The gateway's configuration: `gatewayId`, the broker's url with password `pw`, reconnects after
 * 50-200 ms with no spread, and `config` on top. `config.hub` adds to the hub's settings;
 * any other key replaces the default (a `reconnect` given is the whole of it).
 */
import type { Gateway } from '../gateway.js';
import { startBroker, type TestBroker, type TestBrokerOptions } from './broker.js';
import { FakeHub } from './fake-hub.js';
import { gatewayOnDisk, type Cleanups } from './managed.js';
import { waitFor } from './util.js';

export type UplinkRigConfig = Record<string, unknown> & { hub?: Record<string, unknown> };

export interface UplinkRig<Hub extends FakeHub | null = FakeHub> {
  broker: TestBroker;
  /** Connected to the broker before the gateway was made; null with `{ hub: false }`. */
  hub: Hub;
  /** Made, not started. */
  gateway: Gateway;
  /** The gateway's data directory (its outbox). */
  dir: string;
  /** Starts the gateway and waits until its uplink is connected. */
  connect(): Promise<void>;
  /** Stops and removes everything (once; a second call does nothing). */
  stop(): Promise<void>;
}

export function startUplinkRig(gatewayId: string, config: UplinkRigConfig): Promise<UplinkRig>;
export function startUplinkRig(
  gatewayId: string,
  config: UplinkRigConfig,
  options: { hub: false; broker?: TestBrokerOptions },
): Promise<UplinkRig<null>>;
export function startUplinkRig(
  gatewayId: string,
  config: UplinkRigConfig,
  options: { broker: TestBrokerOptions },
): Promise<UplinkRig>;
export async function startUplinkRig(
  gatewayId: string,
  config: UplinkRigConfig,
  options: { hub?: boolean; broker?: TestBrokerOptions } = {},
): Promise<UplinkRig<FakeHub | null>> {
  const cleanups: Cleanups = [];
  const stop = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const broker = await startBroker(options.broker);
    cleanups.push(() => broker.stop());
    const hub = options.hub === false ? null : await FakeHub.connect(broker.url);
    if (hub) cleanups.push(() => hub.close());
    const { dir, make } = gatewayOnDisk(gatewayId, broker.url, cleanups, {
      reconnect: { minMs: 50, maxMs: 200, spreadMs: 0 },
      ...config,
      hub: { password: 'pw', ...config.hub },
    });
    const gateway = make();
    const connect = async () => {
      await gateway.start();
      await waitFor(() => gateway.health().uplink.connected, 'connected');
    };
    return { broker, hub, gateway, dir, connect, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
