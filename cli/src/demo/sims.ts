/**
 * Simulators for the devices a demo home's gateway is configured with: a serial device speaks
 * its real protocol on a TCP serial server at the device's configured `tcp://127.0.0.1:PORT` (as
 * an RS-485/UART-to-Ethernet converter would), a Zigbee device is paired with the home's
 * simulated Zigbee2MQTT under its `friendlyName`. Used for the demo's own devices at start-up and
 * for every device an installer adds later.
 */
import { findSimulator, serveTcpSerial, zigbeeScenariosFor } from '@anxin/devices';
import type { SimulatedZigbeeKind, Zigbee2MqttSimulator } from '@anxin/devices';
import { errorMessage, type DeviceKind, type GatewayConfigDevice } from '@anxin/protocol';

/** What `anxin sim trigger` needs of a simulated device. */
export interface DemoSim {
  readonly scenarios: readonly string[];
  trigger(event: string): boolean;
}

export interface SimulatedDeviceHandle {
  id: string;
  driver: string;
  sim: DemoSim;
  /** What the simulator was started for: a changed device is restarted. */
  key: string;
  /** The TCP serial server's port (serial devices). */
  port?: number;
  close(): Promise<void>;
}

export interface SimContext {
  zigbee: Zigbee2MqttSimulator;
  /** A line for the demo's output (something went wrong in the background). */
  note(line: string): void;
}

/** Zigbee device kind → the simulated model that plays it. */
const ZIGBEE_KIND: Partial<Record<DeviceKind, SimulatedZigbeeKind>> = {
  sos_button: 'sos_button',
  smoke: 'smoke',
  gas: 'gas',
  water_leak: 'water_leak',
  door: 'door',
  motion: 'motion',
  bed: 'bed_mat',
  fall_radar: 'fall_radar',
};

/** Friendlier names for `anxin sim trigger --event`. */
const ALIASES: Readonly<Record<string, string>> = { door: 'door_open', bed_exit: 'bed_out' };

/** A hazard that stays raised is cleared after this long, so the next one alarms again. */
const CLEAR_AFTER_MS = 30_000;

export function deviceKey(device: GatewayConfigDevice): string {
  return JSON.stringify([device.driver, device.port ?? null, device.options, device.kind ?? null]);
}

const LOOPBACK_PORT = /^tcp:\/\/(?:127\.0\.0\.1|localhost):([0-9]{1,5})$/;

/**
 * Starts the simulator for `device`, or says why the demo cannot simulate it. A serial device
 * without a port gets a free one (the demo's own devices; `port` on the handle says which).
 */
export async function startSimulator(
  device: GatewayConfigDevice,
  ctx: SimContext,
): Promise<SimulatedDeviceHandle | { reason: string }> {
  const key = deviceKey(device);
  if (device.driver === 'zigbee2mqtt') return startZigbee(device, key, ctx);
  const entry = findSimulator(device.driver);
  if (!entry) return { reason: `no simulator speaks ${device.driver}` };
  let port = 0;
  if (device.port !== undefined) {
    const m = LOOPBACK_PORT.exec(device.port);
    if (!m) return { reason: `only tcp://127.0.0.1:PORT can be simulated, not ${device.port}` };
    port = Number(m[1]);
  }
  const sim = entry.create(device.options);
  let server: Awaited<ReturnType<typeof serveTcpSerial>>;
  try {
    server = await serveTcpSerial(sim, { host: '127.0.0.1', port });
  } catch (err) {
    return { reason: `cannot listen on 127.0.0.1:${port}: ${errorMessage(err)}` };
  }
  sim.start();
  return {
    id: device.id,
    driver: device.driver,
    sim,
    key,
    port: server.port,
    close: async () => {
      sim.stop();
      await server.close();
    },
  };
}

async function startZigbee(
  device: GatewayConfigDevice,
  key: string,
  ctx: SimContext,
): Promise<SimulatedDeviceHandle | { reason: string }> {
  const kind = device.kind !== undefined ? ZIGBEE_KIND[device.kind] : undefined;
  if (!kind) return { reason: `no simulated Zigbee model for kind ${device.kind ?? '(none)'}` };
  const named = device.options['friendlyName'];
  const friendlyName = typeof named === 'string' && named !== '' ? named : device.id;
  if (!(await ctx.zigbee.addDevice({ friendlyName, kind })))
    return { reason: `Zigbee name ${friendlyName} is taken by another device` };
  const own = zigbeeScenariosFor(kind);
  const timers = new Set<NodeJS.Timeout>();
  const act = (scenario: string) =>
    ctx.zigbee.trigger(friendlyName, scenario).catch((err: Error) => {
      ctx.note(`${device.id}: ${scenario} not published (${err.message})`);
      return false;
    });
  const sim: DemoSim = {
    scenarios: [...own, ...Object.keys(ALIASES).filter((a) => own.includes(ALIASES[a] ?? ''))],
    trigger(event) {
      const scenario = ALIASES[event] ?? event;
      if (!own.includes(scenario)) return false;
      void act(scenario);
      if (own.includes(`${scenario}_clear`)) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          void act(`${scenario}_clear`);
        }, CLEAR_AFTER_MS);
        timer.unref();
        timers.add(timer);
      }
      return true;
    },
  };
  return {
    id: device.id,
    driver: device.driver,
    sim,
    key,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await ctx.zigbee.removeDevice(friendlyName).catch(() => false);
    },
  };
}
