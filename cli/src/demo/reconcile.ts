/**
 * The demo follows the hub: it reads each home's gateway configuration as the hub builds it
 * (what an installer configured in the console), and starts, restarts or stops simulators so that
 * every configured device has one speaking on the port or Zigbee name it was given. A device
 * added in the installer's console therefore starts reporting within seconds: the simulator
 * starts here, the gateway applies the hub's configuration and opens it.
 */
import { errorMessage, type GatewayConfigDevice } from '@anxin/protocol';
import type { SimulatedHome } from './homes.js';
import { deviceKey, startSimulator } from './sims.js';

export interface HubView {
  /** The devices the hub would configure at this gateway now, and whether it was claimed. */
  read(gatewayId: string): Promise<{ devices: GatewayConfigDevice[]; claimed: boolean }>;
  /** Publishes the gateway's configuration (a new version, retained). */
  publish(gatewayId: string): Promise<void>;
}

/** How often the demo looks at the hub's configuration. */
export const WATCH_INTERVAL_MS = 1000;

/** Makes `home.devices` match `desired`: unchanged simulators keep running. */
export async function reconcileHome(
  home: SimulatedHome,
  desired: readonly GatewayConfigDevice[],
  failed: Map<string, string>,
  note: (line: string) => void,
): Promise<void> {
  const wanted = new Map(desired.map((d) => [d.id, d]));
  for (const handle of [...home.devices]) {
    const device = wanted.get(handle.id);
    if (device && deviceKey(device) === handle.key) continue;
    await handle.close();
    home.devices.splice(home.devices.indexOf(handle), 1);
    if (!device) note(`${home.gatewayId}: ${handle.id} was removed; its simulator stopped`);
  }
  const running = new Set(home.devices.map((h) => h.id));
  for (const device of desired) {
    const key = deviceKey(device);
    // A device that cannot be simulated is said once, until the installer changes it.
    if (running.has(device.id) || failed.get(device.id) === key) continue;
    const started = await startSimulator(device, {
      zigbee: home.zigbee,
      note: (line) => note(`${home.gatewayId}: ${line}`),
    });
    if ('reason' in started) {
      failed.set(device.id, key);
      note(`${home.gatewayId}: ${device.id} is not simulated: ${started.reason}`);
      continue;
    }
    failed.delete(device.id);
    home.devices.push(started);
    note(
      `${home.gatewayId}: simulating ${device.id} (${device.driver}` +
        `${device.port !== undefined ? ` on ${device.port}` : ''})`,
    );
  }
}

/**
 * Watches the hub's configuration of every home. The first look publishes each configuration (the
 * demo's devices have new ports on every start, and a gateway keeps the last hub configuration it
 * applied); later, a change is published here only for a gateway the hub does not publish for
 * itself (one provisioned without a claim, as by older demo data).
 */
export function watchHubConfig(
  homes: readonly SimulatedHome[],
  hub: HubView,
  note: (line: string) => void,
  intervalMs = WATCH_INTERVAL_MS,
): { stop(): Promise<void> } {
  const seen = new Map<string, string>();
  const failed = new Map<string, Map<string, string>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();

  const look = async (): Promise<void> => {
    for (const home of homes) {
      if (stopped) return;
      try {
        const { devices, claimed } = await hub.read(home.gatewayId);
        const key = JSON.stringify(devices);
        const first = !seen.has(home.gatewayId);
        if (seen.get(home.gatewayId) === key) continue;
        const own = failed.get(home.gatewayId) ?? new Map<string, string>();
        failed.set(home.gatewayId, own);
        // Simulators first, so the gateway finds them listening when it applies the change.
        await reconcileHome(home, devices, own, note);
        if (first || !claimed) await hub.publish(home.gatewayId);
        seen.set(home.gatewayId, key);
      } catch (err) {
        note(`${home.gatewayId}: configuration not followed (${errorMessage(err)})`);
      }
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = look().finally(schedule);
    }, intervalMs);
    timer.unref();
  };
  running = look().finally(schedule);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
