/**
 * One configured device made runnable: its monitor (always, so health reports it) and its driver
 * session, or a stable code saying why it cannot run (unknown driver, a driver that refuses its
 * options, an MQTT driver without local MQTT, a serial driver without a port). A device that
 * cannot run is logged and disabled; the others run regardless.
 */
import type { Logger } from 'pino';
import type { DriverDescriptor, DriverSession } from '@anxin/devices';
import type { DeviceConfig, GatewayConfig } from '../config.js';
import type { GatewayErrorCode } from '../errors.js';
import { DeviceMonitor } from './device-monitor.js';
import type { Configured } from './port-unit.js';
import { errorMessage } from '@anxin/protocol';

export function expectedMs(device: DeviceConfig): number | null {
  return device.expectedIntervalS !== undefined ? device.expectedIntervalS * 1000 : null;
}

/** Marks the device as unable to run (health shows the code) and logs why. */
export function disable(
  logger: Logger,
  monitor: DeviceMonitor,
  code: GatewayErrorCode,
  message: string,
): void {
  monitor.error = code;
  logger.error({ code, deviceId: monitor.deviceId, driver: monitor.driver }, message);
}

/** A session and monitor for a device; `entry` null (disabled, reported) when it cannot run. */
export function createEntry(
  device: DeviceConfig,
  findDriver: (id: string) => DriverDescriptor | undefined,
  config: GatewayConfig,
  logger: Logger,
): { monitor: DeviceMonitor; entry: Configured | null } {
  const monitor = new DeviceMonitor(
    device.id,
    device.driver,
    expectedMs(device),
    device.port ?? null,
  );
  const refuse = (code: GatewayErrorCode, message: string) => {
    disable(logger, monitor, code, message);
    return { monitor, entry: null };
  };
  const driver = findDriver(device.driver);
  if (!driver) return refuse('UNKNOWN_DRIVER', `no driver "${device.driver}" is registered`);
  let session: DriverSession;
  try {
    session = driver.createSession({ deviceId: device.id, options: device.options });
  } catch (err) {
    return refuse('DRIVER_ERROR', `createSession failed: ${errorMessage(err)}`);
  }
  monitor.setStatsSource(() => session.stats());
  if (session.mode === 'mqtt') {
    if (!config.localMqtt)
      return refuse('NO_LOCAL_MQTT', 'driver needs localMqtt.url in the config');
  } else if (!device.port) {
    return refuse('NO_PORT', 'serial driver needs a port');
  }
  return { monitor, entry: { config: device, driver, session, monitor } };
}
