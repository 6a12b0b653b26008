/**
 * A DL/T 645-2007 meter on a simulated bus: it answers read-data (11H) requests addressed to it,
 * and read-address (13H) requests with the AA…AA wildcard, exactly as a meter does, from the
 * master's real request frames. Unknown DIs get an abnormal reply (D1H, ERR bit1 "no data
 * requested"). Consumption follows a day profile (kettle and cooking peaks); scenarios:
 *   'idle'   nothing is used (power 0, energy stands still) — the inactivity case;
 *   'normal' back to the day profile;
 *   'kettle' a 2 kW kettle boils for the next 4 minutes.
 * Several simulators can share one bus: each answers only its own address.
 */
import { addressFromString } from '../common/bcd.js';
import { StatsCounter } from '../common/stats.js';
import { ELECTRICITY_DAY, integrate, rateAt, type DayProfile } from '../common/profile.js';
import type { SimulatedDevice } from '../driver.js';
import {
  DLT645_CONTROL,
  DLT645_WILDCARD_ADDRESS,
  Dlt645Decoder,
  encodeDlt645,
  encodeItemValue,
  findDlt645Item,
  type Dlt645Frame,
} from './codec.js';

export interface Dlt645SimulatorOptions {
  /** 12-digit address (default "000000000001"). */
  address?: string;
  /** Energy register at start, kWh. */
  energyKwh?: number;
  profile?: DayProfile;
  /** Clock, epoch ms (tests inject one). */
  now?: () => number;
  /** FE wake-up bytes before each reply (default 2; real meters send 0–4). */
  wakeUp?: number;
}

export class Dlt645Simulator implements SimulatedDevice {
  readonly driverId = 'dlt645';
  readonly scenarios = ['normal', 'idle', 'kettle'] as const;
  readonly address: string;
  private readonly decoder = new Dlt645Decoder(new StatsCounter());
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly now: () => number;
  private readonly profile: DayProfile;
  private readonly wakeUp: number;
  private energyKwh: number;
  private lastMs: number;
  private mode: 'normal' | 'idle' = 'normal';
  private kettleUntilMs = 0;
  private running = true;

  constructor(options: Dlt645SimulatorOptions = {}) {
    this.address = options.address ?? '000000000001';
    this.energyKwh = options.energyKwh ?? 1234.56;
    this.profile = options.profile ?? ELECTRICITY_DAY;
    this.now = options.now ?? Date.now;
    this.wakeUp = options.wakeUp ?? 2;
    this.lastMs = this.now();
  }

  receive(bytes: Uint8Array): void {
    for (const frame of this.decoder.push(bytes)) this.answer(frame);
  }

  onTransmit(listener: (bytes: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

  /** A polled meter has no output of its own: start/stop switch answering on and off (offline). */
  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
  }

  trigger(scenario: string): boolean {
    this.advance();
    switch (scenario) {
      case 'normal':
        this.mode = 'normal';
        this.kettleUntilMs = 0;
        return true;
      case 'idle':
        this.mode = 'idle';
        this.kettleUntilMs = 0;
        return true;
      case 'kettle':
        this.mode = 'normal';
        this.kettleUntilMs = this.now() + 4 * 60_000;
        return true;
      default:
        return false;
    }
  }

  /** Present power, W. */
  powerW(): number {
    const t = this.now();
    if (this.mode === 'idle') return 0;
    return rateAt(this.profile, t) + (t < this.kettleUntilMs ? 2000 : 0);
  }

  /** Energy register, kWh (advances with the clock). */
  energy(): number {
    this.advance();
    return this.energyKwh;
  }

  private advance(): void {
    const t = this.now();
    if (t <= this.lastMs) return;
    if (this.mode !== 'idle') {
      const kettleEnd = Math.min(t, this.kettleUntilMs);
      const kettleWh = kettleEnd > this.lastMs ? (2000 * (kettleEnd - this.lastMs)) / 3_600_000 : 0;
      this.energyKwh += (integrate(this.profile, this.lastMs, t) + kettleWh) / 1000;
    }
    this.lastMs = t;
  }

  /** Value of a known DI right now, in the item's unit. */
  private valueOf(di: string): number | undefined {
    const p = this.powerW();
    const voltage = this.mode === 'idle' ? 230.1 : 229.4 - p / 2000; // sags a little under load
    switch (di) {
      case '00010000':
        return this.energy();
      case '00020000':
        return 0;
      case '02010100':
        return voltage;
      case '02020100':
        return p / voltage / 0.98;
      case '02030000':
        return p / 1000;
      case '02060000':
        return p > 0 ? 0.98 : 1;
      case '02800002':
        return 50.01;
      default:
        return undefined;
    }
  }

  private answer(frame: Dlt645Frame): void {
    if (!this.running || (frame.control & 0x80) !== 0) return;
    if (frame.control === DLT645_CONTROL.readAddress && frame.address === DLT645_WILDCARD_ADDRESS) {
      const addr = addressFromString(this.address, 6) ?? new Uint8Array(6);
      this.send({ address: this.address, control: DLT645_CONTROL.readAddressReply, data: addr });
      return;
    }
    // Reads to the AA…AA wildcard are answered too (point-to-point use with one meter on the bus).
    const forMe = frame.address === this.address || frame.address === DLT645_WILDCARD_ADDRESS;
    if (!forMe || frame.control !== DLT645_CONTROL.read) return;
    if (frame.data.length < 4) {
      this.send({
        address: this.address,
        control: DLT645_CONTROL.readAbnormal,
        data: Uint8Array.of(0x01),
      });
      return;
    }
    const diBytes = frame.data.subarray(0, 4);
    const di = [...diBytes]
      .reverse()
      .map((b) => b.toString(16).padStart(2, '0'))
      .join('')
      .toUpperCase();
    const item = findDlt645Item(di);
    const value = this.valueOf(di);
    if (!item || value === undefined) {
      // ERR bit1: no data requested (the meter does not know this DI).
      this.send({
        address: this.address,
        control: DLT645_CONTROL.readAbnormal,
        data: Uint8Array.of(0x02),
      });
      return;
    }
    const payload = encodeItemValue(item, value);
    const data = new Uint8Array(4 + payload.length);
    data.set(diBytes, 0);
    data.set(payload, 4);
    this.send({ address: this.address, control: DLT645_CONTROL.readReply, data });
  }

  private send(frame: Dlt645Frame): void {
    const bytes = encodeDlt645(frame, { wakeUp: this.wakeUp });
    for (const l of this.listeners) l(bytes);
  }
}

/**
 * For the simulator registry: a meter matching a device's driver options (its `address`), so that
 * `anxin demo` and `anxin sim` pair a simulated meter with the configured device.
 */
export function createDlt645Simulator(options: Record<string, unknown> = {}): Dlt645Simulator {
  const address = options['address'];
  const energy = options['energyKwh'];
  return new Dlt645Simulator({
    ...(typeof address === 'string' && /^[0-9]{12}$/.test(address) ? { address } : {}),
    ...(typeof energy === 'number' ? { energyKwh: energy } : {}),
  });
}
