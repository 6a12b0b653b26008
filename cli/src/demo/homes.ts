/**
 * Simulated homes for `anxin demo`: per home, simulated devices that speak their real protocols —
 * serial ones on TCP serial servers (as RS-485/UART-to-Ethernet converters would), Zigbee ones
 * through a simulated Zigbee2MQTT on the home's own local MQTT broker — and a real gateway that
 * reads them and forwards to the hub over MQTT with its own credentials.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Zigbee2MqttSimulator } from '@anxin/devices';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import { validateConfig, type DeviceKind, type GatewayConfigDevice } from '@anxin/protocol';
import type { Logger } from 'pino';
import { startLocalBroker, type LocalBroker } from './local-broker.js';
import { deviceKey, startSimulator, type SimulatedDeviceHandle } from './sims.js';

export type { SimulatedDeviceHandle } from './sims.js';

/** A device the demo fits in every home, as the hub will know it. */
export interface PlannedDevice {
  id: string;
  driver: string;
  kind: DeviceKind;
  room: string;
  options: Record<string, string | number | boolean>;
}

/**
 * What every simulated home has fitted: a fall radar on UART and two meters on RS-485, each
 * behind its own TCP serial server, and four Zigbee sensors (SOS button, smoke detector, door
 * contact, bed mat) behind Zigbee2MQTT, each added one by one as an installer adds them. Meter
 * addresses differ per home, as on real nameplates; the demo polls every 15 s (real
 * installations: 60 s) so charts fill quickly.
 */
export function homeDevicePlan(index: number): PlannedDevice[] {
  const n = String(index + 1);
  const zigbee = (id: string, kind: DeviceKind, room: string): PlannedDevice => ({
    id,
    driver: 'zigbee2mqtt',
    kind,
    room,
    options: { friendlyName: id },
  });
  return [
    { id: 'radar-bedroom', driver: 'mr60fda1', kind: 'fall_radar', room: 'bedroom', options: {} },
    {
      id: 'meter-electric',
      driver: 'dlt645',
      kind: 'electricity_meter',
      room: 'hall',
      options: { address: n.padStart(12, '0'), intervalMs: 15_000 },
    },
    {
      id: 'meter-water',
      driver: 'cjt188',
      kind: 'water_meter',
      room: 'kitchen',
      options: { address: `2024${n.padStart(10, '0')}`, intervalMs: 15_000 },
    },
    zigbee('sos-button', 'sos_button', 'bedroom'),
    zigbee('smoke-kitchen', 'smoke', 'kitchen'),
    zigbee('door-front', 'door', 'hall'),
    zigbee('bed-mat', 'bed', 'bedroom'),
  ];
}

export interface SimulatedHome {
  gatewayId: string;
  secret: string;
  /** Live: the reconciler adds and removes devices an installer configures. */
  devices: SimulatedDeviceHandle[];
  /** The devices as configured at the gateway and registered at the hub (ports filled in). */
  configured: GatewayConfigDevice[];
  gateway: Gateway;
  zigbee: Zigbee2MqttSimulator;
  localBroker: LocalBroker;
}

export function gatewayIdFor(index: number): string {
  return `home-${String(index + 1).padStart(4, '0')}`;
}

/** Starts one home's simulated devices and its gateway; the hub must already know the secret. */
export async function startHome(
  index: number,
  options: {
    dataDir: string;
    mqttUrl: string;
    secret: string;
    logger: Logger;
    note: (line: string) => void;
  },
): Promise<SimulatedHome> {
  const gatewayId = gatewayIdFor(index);
  const localBroker = await startLocalBroker();
  const zigbee = new Zigbee2MqttSimulator({ url: localBroker.url, devices: [] });
  await zigbee.start();
  const ctx = { zigbee, note: (line: string) => options.note(`${gatewayId}: ${line}`) };
  const devices: SimulatedDeviceHandle[] = [];
  const configured: GatewayConfigDevice[] = [];
  for (const plan of homeDevicePlan(index)) {
    const started = await startSimulator(plan, ctx);
    if ('reason' in started) {
      ctx.note(`${plan.id} not simulated: ${started.reason}`);
      continue;
    }
    const device: GatewayConfigDevice = {
      ...plan,
      ...(started.port !== undefined ? { port: `tcp://127.0.0.1:${started.port}` } : {}),
    };
    // Keyed as the hub will send it back, so the reconciler leaves it running.
    started.key = deviceKey(device);
    devices.push(started);
    configured.push(device);
  }
  const config = validateConfig(
    GatewayConfigSchema,
    {
      gatewayId,
      dataDir: join(options.dataDir, 'gateways', gatewayId),
      hub: { url: options.mqttUrl, password: options.secret },
      localMqtt: { url: localBroker.url },
      devices: configured.map((d) => ({
        id: d.id,
        driver: d.driver,
        ...(d.port !== undefined ? { port: d.port } : {}),
        options: d.options,
      })),
    },
    `demo gateway ${gatewayId}`,
  );
  const gateway = createGateway(config, { logger: options.logger.child({ gatewayId }) });
  await gateway.start();
  return { gatewayId, secret: options.secret, devices, configured, gateway, zigbee, localBroker };
}

export function newGatewaySecret(): string {
  return randomBytes(18).toString('base64url');
}

/** Acts out `event` on the first device of the home whose simulator knows it. */
export function triggerInHome(
  home: SimulatedHome,
  event: string,
  deviceId?: string,
): SimulatedDeviceHandle | undefined {
  const device = home.devices.find(
    (d) => (deviceId === undefined || d.id === deviceId) && d.sim.scenarios.includes(event),
  );
  if (device && device.sim.trigger(event)) return device;
  return undefined;
}

export async function stopHome(home: SimulatedHome): Promise<void> {
  await home.gateway.stop();
  await Promise.all(home.devices.map((d) => d.close()));
  await home.zigbee.stop();
  await home.localBroker.close();
}
