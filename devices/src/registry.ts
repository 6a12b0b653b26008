/**
 * The driver registry is data: one entry per supported protocol. `registry.test.ts` checks that
 * every driver folder is registered and every entry is well-formed.
 */
import type { DriverDescriptor } from './driver.js';

export const DRIVERS: readonly DriverDescriptor[] = [];

export function findDriver(id: string): DriverDescriptor | undefined {
  return DRIVERS.find((d) => d.id === id);
}
