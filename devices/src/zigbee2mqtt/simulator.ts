/**
 * A simulated Zigbee2MQTT that publishes realistic messages to a real MQTT broker: the retained
 * bridge state and device list, per-device availability (JSON or legacy plain form), periodic
 * state reports with battery and link quality, and scenario events (an SOS press followed by the
 * empty action, a leak, smoke, gas, a door, motion, a fall, a bed mat, a low battery, a device
 * joining or leaving). Payload shapes follow codec.ts's sources.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  SIMULATED_KINDS,
  type SimulatedZigbeeDevice,
  type SimulatedZigbeeKind,
} from './sim-kinds.js';

export * from './sim-kinds.js';

export const ZIGBEE_SCENARIOS = [
  'sos',
  'leak',
  'leak_clear',
  'smoke',
  'smoke_clear',
  'gas',
  'gas_clear',
  'door_open',
  'door_close',
  'motion',
  'motion_clear',
  'fall',
  'fall_clear',
  'bed_in',
  'bed_out',
  'battery_low',
  'battery_ok',
  'offline',
  'online',
  'join',
  'leave',
] as const;

export interface Zigbee2MqttSimulatorOptions {
  /** Broker URL, e.g. mqtt://127.0.0.1:1883. */
  url: string;
  baseTopic?: string;
  devices: SimulatedZigbeeDevice[];
  /** `json` = {"state":"online"} (Zigbee2MQTT ≥ 1.30), `legacy` = plain online/offline. */
  availability?: 'json' | 'legacy';
  /** Period of the routine state report per device (default 60 000 ms; 0 = never). */
  reportMs?: number;
  username?: string;
  password?: string;
}

function ieeeFor(name: string): string {
  let h = 0x811c9dc5;
  for (const ch of name) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return `0x00124b00${h.toString(16).padStart(8, '0')}`;
}

export class Zigbee2MqttSimulator {
  readonly baseTopic: string;
  private client: MqttClient | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly states = new Map<string, Record<string, unknown>>();
  private readonly devices: (SimulatedZigbeeDevice & { ieeeAddress: string })[] = [];
  private readonly joined = new Set<string>();

  constructor(private readonly options: Zigbee2MqttSimulatorOptions) {
    this.baseTopic = options.baseTopic ?? 'zigbee2mqtt';
    this.devices.push(
      ...options.devices.map((d) => ({
        ...d,
        ieeeAddress: d.ieeeAddress ?? ieeeFor(d.friendlyName),
      })),
    );
    for (const d of this.devices) {
      this.states.set(d.friendlyName, { ...SIMULATED_KINDS[d.kind].initial, linkquality: 120 });
      this.joined.add(d.friendlyName);
    }
  }

  /** Connects and publishes the bridge's retained state, device list and availability. */
  async start(): Promise<void> {
    if (this.client) return;
    this.client = await mqtt.connectAsync(this.options.url, {
      clientId: `z2m-sim-${Math.random().toString(16).slice(2, 10)}`,
      reconnectPeriod: 1000,
      ...(this.options.username ? { username: this.options.username } : {}),
      ...(this.options.password ? { password: this.options.password } : {}),
      will: {
        topic: `${this.baseTopic}/bridge/state`,
        payload: Buffer.from('{"state":"offline"}'),
        retain: true,
        qos: 1,
      },
    });
    await this.publish('bridge/state', { state: 'online' }, true);
    await this.publishDevices();
    for (const d of this.devices) {
      await this.publishAvailability(d.friendlyName, 'online');
      await this.publishState(d.friendlyName);
    }
    const every = this.options.reportMs ?? 60_000;
    if (every > 0) {
      this.timer = setInterval(() => {
        void this.routineReport().catch(() => undefined);
      }, every);
      this.timer.unref();
    }
  }

  /**
   * Pairs a new device with the running bridge, as Zigbee2MQTT does when one joins: the join
   * events, the new device list, its availability and first state. False if the name is taken.
   */
  async addDevice(device: SimulatedZigbeeDevice): Promise<boolean> {
    if (this.devices.some((d) => d.friendlyName === device.friendlyName)) return false;
    this.devices.push({
      ...device,
      ieeeAddress: device.ieeeAddress ?? ieeeFor(device.friendlyName),
    });
    this.states.set(device.friendlyName, {
      ...SIMULATED_KINDS[device.kind].initial,
      linkquality: 120,
    });
    if (!this.client) {
      this.joined.add(device.friendlyName);
      return true;
    }
    await this.trigger(device.friendlyName, 'join');
    await this.publishAvailability(device.friendlyName, 'online');
    await this.publishState(device.friendlyName);
    return true;
  }

  /** The device leaves the network and is forgotten. False if there is no such device. */
  async removeDevice(friendlyName: string): Promise<boolean> {
    const index = this.devices.findIndex((d) => d.friendlyName === friendlyName);
    if (index < 0) return false;
    if (this.client) {
      await this.trigger(friendlyName, 'leave');
      // Clears the retained availability, as Zigbee2MQTT does for a removed device.
      await this.publish(`${friendlyName}/availability`, '', true);
    }
    this.devices.splice(index, 1);
    this.states.delete(friendlyName);
    this.joined.delete(friendlyName);
    return true;
  }

  /** Acts out `scenario` on the named device; false if the device or scenario does not fit. */
  async trigger(friendlyName: string, scenario: string): Promise<boolean> {
    const device = this.devices.find((d) => d.friendlyName === friendlyName);
    const state = this.states.get(friendlyName);
    if (!device || !state) return false;
    const set = async (patch: Record<string, unknown>): Promise<boolean> => {
      Object.assign(state, patch);
      await this.publishState(friendlyName);
      return true;
    };
    const k = device.kind;
    switch (scenario) {
      case 'sos': {
        if (k !== 'sos_button' && k !== 'sos_button_heiman') return false;
        const action = k === 'sos_button' ? 'emergency' : 'single';
        // Zigbee2MQTT publishes the action, then (legacy action sensor) an empty follow-up.
        await this.publish(friendlyName, { ...state, action });
        await this.publish(friendlyName, { ...state, action: '' });
        return true;
      }
      case 'leak':
      case 'leak_clear':
        return k === 'water_leak' && set({ water_leak: scenario === 'leak' });
      case 'smoke':
      case 'smoke_clear':
        return (
          k === 'smoke' &&
          set({ smoke: scenario === 'smoke', smoke_density: scenario === 'smoke' ? 45 : 0 })
        );
      case 'gas':
      case 'gas_clear':
        return (
          k === 'gas' && set({ gas: scenario === 'gas', gas_density: scenario === 'gas' ? 80 : 0 })
        );
      case 'door_open':
      case 'door_close':
        return k === 'door' && set({ contact: scenario === 'door_close' });
      case 'motion':
      case 'motion_clear':
        return k === 'motion' && set({ occupancy: scenario === 'motion' });
      case 'fall':
        return k === 'fall_radar' && set({ status: 'falling', breathing_rate: 18 });
      case 'fall_clear':
        return k === 'fall_radar' && set({ status: 'occupied', breathing_rate: 16 });
      case 'bed_in':
      case 'bed_out':
        if (k === 'fall_radar')
          return set({ status: scenario === 'bed_in' ? 'on_the_bed' : 'occupied' });
        return k === 'bed_mat' && set({ contact: scenario === 'bed_out' });
      case 'battery_low':
      case 'battery_ok':
        return set({
          battery: scenario === 'battery_low' ? 8 : 100,
          ...('battery_low' in state ? { battery_low: scenario === 'battery_low' } : {}),
        });
      case 'offline':
      case 'online':
        await this.publishAvailability(friendlyName, scenario);
        return true;
      case 'join':
        this.joined.add(friendlyName);
        await this.publish('bridge/event', {
          type: 'device_joined',
          data: { friendly_name: friendlyName, ieee_address: device.ieeeAddress },
        });
        await this.publish('bridge/event', {
          type: 'device_interview',
          data: {
            friendly_name: friendlyName,
            ieee_address: device.ieeeAddress,
            status: 'successful',
            supported: true,
            definition: this.definition(k),
          },
        });
        await this.publishDevices();
        return true;
      case 'leave':
        this.joined.delete(friendlyName);
        await this.publish('bridge/event', {
          type: 'device_leave',
          data: { friendly_name: friendlyName, ieee_address: device.ieeeAddress },
        });
        await this.publishDevices();
        return true;
      default:
        return false;
    }
  }

  /** Publishes a raw payload under the base topic (for tests of malformed input). */
  async publishRaw(subtopic: string, payload: string | Buffer, retain = false): Promise<void> {
    if (!this.client) throw new Error('simulator not started');
    await this.client.publishAsync(`${this.baseTopic}/${subtopic}`, payload, { qos: 1, retain });
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (client) await client.endAsync();
  }

  private definition(kind: SimulatedZigbeeKind): Record<string, unknown> {
    const s = SIMULATED_KINDS[kind];
    return { model: s.model, vendor: s.vendor, description: s.description, exposes: [] };
  }

  private async publishDevices(): Promise<void> {
    const list = [
      {
        ieee_address: '0x00124b0000000001',
        friendly_name: 'Coordinator',
        type: 'Coordinator',
        interview_completed: true,
        supported: true,
        definition: null,
      },
      ...this.devices
        .filter((d) => this.joined.has(d.friendlyName))
        .map((d) => ({
          ieee_address: d.ieeeAddress,
          friendly_name: d.friendlyName,
          type: 'EndDevice',
          power_source: 'Battery',
          interview_completed: true,
          supported: true,
          definition: this.definition(d.kind),
        })),
    ];
    await this.publish('bridge/devices', list, true);
  }

  private async publishAvailability(
    friendlyName: string,
    state: 'online' | 'offline',
  ): Promise<void> {
    const payload = this.options.availability === 'legacy' ? state : { state };
    await this.publish(`${friendlyName}/availability`, payload, true);
  }

  private async publishState(friendlyName: string): Promise<void> {
    const state = this.states.get(friendlyName);
    if (state) await this.publish(friendlyName, state);
  }

  private async routineReport(): Promise<void> {
    for (const d of this.devices) {
      const state = this.states.get(d.friendlyName);
      if (!state || !this.joined.has(d.friendlyName)) continue;
      state.linkquality = 60 + Math.floor(Math.random() * 150);
      await this.publishState(d.friendlyName);
    }
  }

  private async publish(subtopic: string, payload: unknown, retain = false): Promise<void> {
    if (!this.client) throw new Error('simulator not started');
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    await this.client.publishAsync(`${this.baseTopic}/${subtopic}`, body, { qos: 1, retain });
  }
}
