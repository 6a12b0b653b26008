/**
 * Simulated homes for `anxin demo`: per home, simulated devices that speak their real protocols on
 * TCP serial servers (as RS-485/UART-to-Ethernet converters would), and a real gateway that reads
 * them and forwards to the hub over MQTT with its own credentials.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { findSimulator, serveTcpSerial, type SimulatedDevice } from '@anxin/devices';
import { createGateway, GatewayConfigSchema, type Gateway } from '@anxin/gateway';
import { validateConfig } from '@anxin/protocol';
import type { Logger } from 'pino';

/**
 * What every simulated home has fitted: a fall radar on UART and two meters on RS-485, each
 * behind its own TCP serial server. Meter addresses differ per home, as on real nameplates; the
 * demo polls every 15 s (real installations: 60 s) so charts fill quickly.
 */
export function homeDevicePlan(
  index: number,
): { id: string; driver: string; options: Record<string, unknown> }[] {
  const n = String(index + 1);
  return [
    { id: 'radar-bedroom', driver: 'mr60fda1', options: {} },
    {
      id: 'meter-electric',
      driver: 'dlt645',
      options: { address: n.padStart(12, '0'), intervalMs: 15_000 },
    },
    {
      id: 'meter-water',
      driver: 'cjt188',
      options: { address: `2024${n.padStart(10, '0')}`, intervalMs: 15_000 },
    },
  ];
}

export interface SimulatedDeviceHandle {
  id: string;
  driver: string;
  sim: SimulatedDevice;
  options: Record<string, unknown>;
  /** The TCP serial server port the gateway reads it through. */
  port: number;
  close(): Promise<void>;
}

export interface SimulatedHome {
  gatewayId: string;
  secret: string;
  devices: SimulatedDeviceHandle[];
  gateway: Gateway;
}

export function gatewayIdFor(index: number): string {
  return `home-${String(index + 1).padStart(4, '0')}`;
}

/** Starts one home's simulated devices and its gateway; the hub must already know the secret. */
export async function startHome(
  index: number,
  options: { dataDir: string; mqttUrl: string; secret: string; logger: Logger },
): Promise<SimulatedHome> {
  const gatewayId = gatewayIdFor(index);
  const devices: SimulatedDeviceHandle[] = [];
  for (const plan of homeDevicePlan(index)) {
    const entry = findSimulator(plan.driver);
    if (!entry) continue;
    const sim = entry.create(plan.options);
    const server = await serveTcpSerial(sim, { host: '127.0.0.1', port: 0 });
    sim.start();
    devices.push({
      id: plan.id,
      driver: plan.driver,
      sim,
      options: plan.options,
      port: server.port,
      close: async () => {
        sim.stop();
        await server.close();
      },
    });
  }
  const config = validateConfig(
    GatewayConfigSchema,
    {
      gatewayId,
      dataDir: join(options.dataDir, 'gateways', gatewayId),
      hub: { url: options.mqttUrl, password: options.secret },
      devices: devices.map((d) => ({
        id: d.id,
        driver: d.driver,
        port: `tcp://127.0.0.1:${d.port}`,
        options: d.options,
      })),
    },
    `demo gateway ${gatewayId}`,
  );
  const gateway = createGateway(config, { logger: options.logger.child({ gatewayId }) });
  await gateway.start();
  return { gatewayId, secret: options.secret, devices, gateway };
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
}
