/**
 * Simulator registry (data, like DRIVERS): which simulated device speaks which driver's protocol.
 * Used by `anxin sim device`, `anxin demo` and the tests.
 */
import type { SimulatedDevice } from './driver.js';
import { createMr60fda1Simulator } from './mr60fda1/simulator.js';

export interface SimulatorEntry {
  driverId: string;
  /** `options` are the device's driver options (e.g. a meter's address), so the pair matches. */
  create(options: Record<string, unknown>): SimulatedDevice;
}

export const SIMULATORS: readonly SimulatorEntry[] = [
  { driverId: 'mr60fda1', create: () => createMr60fda1Simulator() },
];

export function findSimulator(driverId: string): SimulatorEntry | undefined {
  return SIMULATORS.find((s) => s.driverId === driverId);
}
