/**
 * Simulator registry (data, like DRIVERS): which simulated device speaks which driver's protocol
 * over bytes. Used by `anxin sim device`, `anxin demo` and the tests. (Zigbee2MQTT devices are
 * simulated by Zigbee2MqttSimulator, which publishes to a broker instead.)
 */
import { createCjt188Simulator } from './cjt188/simulator.js';
import { createDlt645Simulator } from './dlt645/simulator.js';
import type { SimulatedDevice } from './driver.js';
import { createSdmSimulator } from './modbus-sdm/simulator.js';
import { createMr60fda1Simulator } from './mr60fda1/simulator.js';
import { createMr60fda2Simulator } from './mr60fda2/simulator.js';

export interface SimulatorEntry {
  driverId: string;
  /** `options` are the device's driver options (e.g. a meter's address), so the pair matches. */
  create(options: Record<string, unknown>): SimulatedDevice;
}

export const SIMULATORS: readonly SimulatorEntry[] = [
  { driverId: 'mr60fda1', create: () => createMr60fda1Simulator() },
  { driverId: 'mr60fda2', create: () => createMr60fda2Simulator() },
  { driverId: 'dlt645', create: (options) => createDlt645Simulator(options) },
  { driverId: 'cjt188', create: (options) => createCjt188Simulator(options) },
  { driverId: 'modbus-sdm', create: (options) => createSdmSimulator(options) },
];

export function findSimulator(driverId: string): SimulatorEntry | undefined {
  return SIMULATORS.find((s) => s.driverId === driverId);
}
