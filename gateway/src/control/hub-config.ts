/**
 * The hub's configuration (GatewayConfigMessage on down/config), turned into what the gateway
 * runs, and checked as a whole before anything is applied (pure). A configuration the gateway
 * cannot run — unknown driver, port conflict, invalid address — is refused with a stable code and
 * a reason for the installer; the last good one keeps running (issue 10).
 */
import type { DriverDescriptor } from '@anxin/devices';
import { errorMessage, type ConfigRefusalCode, type GatewayConfigMessage } from '@anxin/protocol';
import { PORT_PATTERN, type DeviceConfig } from '../config.js';

/** What a hub configuration asks the gateway to run. */
export interface DesiredConfig {
  version: number;
  devices: DeviceConfig[];
  heartbeatIntervalS: number;
  thresholds: Record<string, number>;
  testMode: boolean;
}

export interface Refusal {
  code: ConfigRefusalCode;
  reason: string;
}

export type CheckResult = { ok: true; desired: DesiredConfig } | ({ ok: false } & Refusal);

const portRe = new RegExp(PORT_PATTERN);
/** Poll retries of a device the hub configures (the file config's default). */
const HUB_POLL_RETRIES = 2;

export function desiredFromHub(message: GatewayConfigMessage, gatewayId: string): CheckResult {
  if (message.gatewayId !== gatewayId)
    return {
      ok: false,
      code: 'WRONG_GATEWAY',
      reason: `configuration is for gateway ${message.gatewayId}, this is ${gatewayId}`,
    };
  const devices: DeviceConfig[] = [];
  for (const d of message.devices) {
    if (d.port !== undefined && !portRe.test(d.port))
      return {
        ok: false,
        code: 'INVALID_PORT',
        reason: `device ${d.id}: port "${d.port}" is neither a device path (/dev/…) nor tcp://host:port`,
      };
    devices.push({
      id: d.id,
      driver: d.driver,
      ...(d.port !== undefined ? { port: d.port } : {}),
      options: { ...d.options },
      ...(d.expectedIntervalS !== undefined ? { expectedIntervalS: d.expectedIntervalS } : {}),
      pollRetries: HUB_POLL_RETRIES,
    });
  }
  return {
    ok: true,
    desired: {
      version: message.configVersion,
      devices,
      heartbeatIntervalS: message.heartbeatIntervalS,
      thresholds: { ...message.thresholds },
      testMode: message.testMode,
    },
  };
}

/**
 * Checks that every device can run, without opening anything: the driver exists, accepts the
 * device's address and options (its session is built and thrown away), has the transport it
 * needs, and no streaming device shares its port. The first problem refuses the whole list.
 */
export function checkDevices(
  devices: readonly DeviceConfig[],
  findDriver: (id: string) => DriverDescriptor | undefined,
  hasLocalMqtt: boolean,
): Refusal | null {
  const seen = new Set<string>();
  const byPort = new Map<string, { id: string; stream: boolean }[]>();
  for (const device of devices) {
    if (seen.has(device.id))
      return { code: 'DUPLICATE_DEVICE', reason: `device ${device.id} is listed twice` };
    seen.add(device.id);
    const driver = findDriver(device.driver);
    if (!driver)
      return {
        code: 'UNKNOWN_DRIVER',
        reason: `device ${device.id}: no driver "${device.driver}" on this gateway`,
      };
    let mode: 'stream' | 'poll' | 'mqtt';
    try {
      mode = driver.createSession({ deviceId: device.id, options: device.options }).mode;
    } catch (err) {
      return {
        code: 'INVALID_ADDRESS',
        reason: `device ${device.id}: ${errorMessage(err)}`.slice(0, 500),
      };
    }
    if (mode === 'mqtt') {
      if (!hasLocalMqtt)
        return {
          code: 'NO_LOCAL_MQTT',
          reason: `device ${device.id}: driver ${device.driver} needs the gateway's local broker (localMqtt.url)`,
        };
      continue;
    }
    if (!device.port)
      return {
        code: 'INVALID_PORT',
        reason: `device ${device.id}: driver ${device.driver} needs a serial port`,
      };
    const list = byPort.get(device.port) ?? [];
    list.push({ id: device.id, stream: mode === 'stream' });
    byPort.set(device.port, list);
  }
  for (const [port, list] of byPort) {
    const stream = list.find((d) => d.stream);
    if (stream && list.length > 1)
      return {
        code: 'PORT_CONFLICT',
        reason: `port ${port}: ${stream.id} streams and must have the port to itself, but ${list
          .filter((d) => d !== stream)
          .map((d) => d.id)
          .join(', ')} also use it`,
      };
  }
  return null;
}
