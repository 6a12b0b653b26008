/**
 * A gateway managed by a (fake) hub over a real broker, as the gateway's tests set it up: the
 * broker and the hub's client (`startHubSide`), a gateway on a fresh data directory
 * (`gatewayOnDisk`), hub configurations in the contract's shape (`hubConfig`, `publishHubConfig`),
 * and all of it started and connected for the control-plane tests (`startManagedGateway`).
 * Every part is stopped through the test's `cleanups`, last made first stopped.
 */
import {
  downlinkTopic,
  encodeDownlink,
  type GatewayConfigDevice,
  type GatewayConfigMessage,
} from '@anxin/protocol';
import type { GatewayConfig } from '../config.js';
import { createGateway, type Gateway, type GatewayOptions } from '../gateway.js';
import { startBroker, type TestBroker, type TestBrokerOptions } from './broker.js';
import { FakeHub } from './fake-hub.js';
import { FAKE_DRIVERS } from './fake-drivers.js';
import { silentLogger, tempDir, testConfig, waitFor } from './util.js';

export type Cleanups = (() => Promise<void> | void)[];

/** Nothing listens here: a gateway pointed at it records events and never delivers them. */
export const NO_HUB_URL = 'mqtt://127.0.0.1:1';

/** A real broker on a loopback port and a fake hub connected to it. */
export async function startHubSide(
  cleanups: Cleanups,
  brokerOptions: TestBrokerOptions = {},
): Promise<{ broker: TestBroker; hub: FakeHub }> {
  const broker = await startBroker(brokerOptions);
  cleanups.push(() => broker.stop());
  const hub = await FakeHub.connect(broker.url);
  cleanups.push(() => hub.close());
  return { broker, hub };
}

export interface GatewayOnDisk {
  config: GatewayConfig;
  /** The data directory (outbox, saved configuration). */
  dir: string;
  /** A gateway on that directory, not started; a second one on the same directory is a restart. */
  make: (options?: GatewayOptions) => Gateway;
}

/**
 * A gateway's validated configuration on a fresh data directory: `gatewayId`, the hub at
 * `hubUrl` (`overrides.hub` adds to it: password, TLS) and `overrides`. Gateways log nothing
 * unless `options` give a logger, and use the driver registry unless they give drivers.
 */
export function gatewayOnDisk(
  gatewayId: string,
  hubUrl: string,
  cleanups: Cleanups,
  overrides: Record<string, unknown> & { hub?: Record<string, unknown> } = {},
  options: GatewayOptions = {},
): GatewayOnDisk {
  const dir = tempDir();
  cleanups.push(() => dir.remove());
  const config = testConfig({
    gatewayId,
    dataDir: dir.path,
    ...overrides,
    hub: { url: hubUrl, ...overrides.hub },
  });
  const make = (more: GatewayOptions = {}): Gateway => {
    const gateway = createGateway(config, { logger: silentLogger(), ...options, ...more });
    cleanups.push(() => gateway.stop());
    return gateway;
  };
  return { config, dir: dir.path, make };
}

/** A configuration message from the hub for `gatewayId` (version, devices, other fields). */
export function hubConfig(
  gatewayId: string,
  version: number,
  devices: GatewayConfigDevice[],
  extra: Partial<GatewayConfigMessage> = {},
): GatewayConfigMessage {
  return {
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
  };
}

/** Publishes a configuration (retained, as the hub does), or raw bytes to see them refused. */
export function publishHubConfig(
  hub: FakeHub,
  gatewayId: string,
  message: GatewayConfigMessage | string | Buffer,
): Promise<unknown> {
  return hub.client.publishAsync(
    downlinkTopic(gatewayId, 'config'),
    typeof message === 'string' || Buffer.isBuffer(message)
      ? message
      : encodeDownlink('config', message),
    { qos: 1, retain: true },
  );
}

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

/** Starts everything with the fake drivers (unless `options` give others), connected. */
export async function startManagedGateway(
  gatewayId: string,
  cleanups: Cleanups,
  gatewayConfig: Record<string, unknown> = {},
  options: GatewayOptions = {},
): Promise<ManagedGateway> {
  const { broker, hub } = await startHubSide(cleanups);
  const gateway = gatewayOnDisk(gatewayId, broker.url, cleanups, {
    reconnect: { minMs: 50, maxMs: 200 },
    devices: [],
    ...gatewayConfig,
  }).make({ drivers: FAKE_DRIVERS, ...options });
  await gateway.start();
  await waitFor(() => gateway.health().connected, 'connected');
  const publishConfig: ManagedGateway['publishConfig'] = (version, devices, extra = {}) =>
    publishHubConfig(hub, gatewayId, hubConfig(gatewayId, version, devices, extra));
  return { hub, gateway, publishConfig };
}
