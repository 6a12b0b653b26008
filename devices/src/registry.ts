/**
 * The driver registry is data: one entry per supported protocol. `registry.test.ts` checks that
 * every driver folder is registered and every entry is well-formed.
 */
import type { DriverDescriptor } from './driver.js';
import { mr60fda1Driver } from './mr60fda1/descriptor.js';
import { mr60fda2Driver } from './mr60fda2/descriptor.js';
import { zigbee2mqttDriver } from './zigbee2mqtt/descriptor.js';
import { dlt645Driver } from './dlt645/descriptor.js';
import { cjt188Driver } from './cjt188/descriptor.js';
import { sdmDriver } from './modbus-sdm/descriptor.js';

export const DRIVERS: readonly DriverDescriptor[] = [
  mr60fda1Driver,
  mr60fda2Driver,
  zigbee2mqttDriver,
  dlt645Driver,
  cjt188Driver,
  sdmDriver,
];

export function findDriver(id: string): DriverDescriptor | undefined {
  return DRIVERS.find((d) => d.id === id);
}
