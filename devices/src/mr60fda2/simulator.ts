/**
 * A simulated MR60FDA2 that writes real TinyFrame frames: presence reports, target reports while
 * someone is there, falls on demand; it answers the configuration commands of [ESPHOME]/[SEEED]
 * (acknowledgement without data, then the 1-byte result, [HLK] §1.3 note 1) and the parameter query.
 */
import type { SimulatedDevice } from '../driver.js';
import { Mr60fda2Decoder, TYPE, encodeFrame } from './codec.js';

export interface Mr60fda2SimulatorOptions {
  /** Period of the presence report, which doubles as a liveness signal (default 5000 ms). */
  presenceMs?: number;
  /** Period of the target report while someone is present (default 1000 ms). */
  targetMs?: number;
}

export const MR60FDA2_SCENARIOS = ['fall', 'fall_clear', 'presence', 'leave', 'motion'] as const;

/** Factory parameters after 0x2110 ([HLK] §2.2.9 table). */
const DEFAULTS = { height: 2.2, threshold: 0.5, sensitivity: 10, area: [0.5, 0.5, 0.5, 0.5] };

export class Mr60fda2Simulator implements SimulatedDevice {
  readonly driverId = 'mr60fda2';
  readonly scenarios: readonly string[] = MR60FDA2_SCENARIOS;
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly inbound = new Mr60fda2Decoder();
  private frameId = 0;
  private present = false;
  private moving = false;
  private params = { ...DEFAULTS, area: [...DEFAULTS.area] };

  constructor(private readonly options: Mr60fda2SimulatorOptions = {}) {}

  onTransmit(listener: (bytes: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

  start(): void {
    if (this.timers.length > 0) return;
    this.sendPresence();
    const presence = setInterval(() => this.sendPresence(), this.options.presenceMs ?? 5000);
    const targets = setInterval(() => {
      if (this.present) this.sendTargets();
    }, this.options.targetMs ?? 1000);
    presence.unref();
    targets.unref();
    this.timers.push(presence, targets);
  }

  stop(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
  }

  trigger(scenario: string): boolean {
    switch (scenario) {
      case 'presence':
        this.present = true;
        this.moving = false;
        this.sendPresence();
        return true;
      case 'motion':
        this.present = true;
        this.moving = true;
        this.sendPresence();
        this.sendTargets();
        return true;
      case 'leave':
        this.present = false;
        this.moving = false;
        this.sendPresence();
        return true;
      case 'fall':
        this.present = true;
        this.moving = false;
        this.sendPresence();
        this.send(TYPE.FALL, [1]);
        return true;
      case 'fall_clear':
        this.send(TYPE.FALL, [0]);
        return true;
      default:
        return false;
    }
  }

  receive(bytes: Uint8Array): void {
    for (const { frame, report } of this.inbound.push(bytes)) {
      if (report.kind === 'parameters_query') {
        this.send(frame.type, []);
        const p = this.params;
        const data = Buffer.alloc(28);
        data.writeFloatLE(p.height, 0);
        data.writeFloatLE(p.threshold, 4);
        data.writeUInt32LE(p.sensitivity, 8);
        p.area.forEach((v, i) => data.writeFloatLE(v, 12 + 4 * i));
        this.send(TYPE.PARAMETERS, data);
      } else if (report.kind === 'reset') {
        this.params = { ...DEFAULTS, area: [...DEFAULTS.area] };
        this.send(frame.type, []);
      } else if (report.kind === 'set_request') {
        const v = report.value;
        if (report.setting === 'install_height' && typeof v === 'number') this.params.height = v;
        if (report.setting === 'fall_threshold' && typeof v === 'number') this.params.threshold = v;
        if (report.setting === 'sensitivity' && typeof v === 'number') this.params.sensitivity = v;
        if (report.setting === 'alarm_area' && Array.isArray(v)) this.params.area = v;
        this.send(frame.type, []);
        this.send(frame.type, [1]);
      }
    }
  }

  private sendPresence(): void {
    this.send(TYPE.PEOPLE_EXIST, [this.present ? 1 : 0]);
  }

  private sendTargets(): void {
    const data = Buffer.alloc(24);
    data.writeInt32LE(1, 0);
    data.writeFloatLE(Math.round((Math.random() - 0.5) * 100) / 100, 4);
    data.writeFloatLE(Math.round((Math.random() - 0.5) * 100) / 100, 8);
    data.writeFloatLE(this.moving ? 1.2 : 0.9, 12);
    data.writeInt32LE(this.moving ? 1 + Math.floor(Math.random() * 5) : 0, 16);
    data.writeInt32LE(0, 20);
    this.send(TYPE.TARGET_INFO, data);
  }

  private send(type: number, data: Uint8Array | number[]): void {
    const frame = encodeFrame(type, data, this.frameId);
    // The radar's frame ids count 0…0x7FFF; the host side uses the high bit ([HLK] §1.1).
    this.frameId = (this.frameId + 1) & 0x7fff;
    for (const listener of this.listeners) listener(frame);
  }
}

export function createMr60fda2Simulator(options?: Mr60fda2SimulatorOptions): Mr60fda2Simulator {
  return new Mr60fda2Simulator(options);
}
