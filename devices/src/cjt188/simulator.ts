/**
 * A CJ/T 188-2004 cold-water meter on a simulated bus. It answers read data 901FH addressed to it
 * and read address 810AH to the wildcard (T = 10H or AAH, address AA…AA), in whichever DI byte
 * order the master used, echoing the master's SER. Water use follows a day profile (morning and
 * evening washing, cooking); scenarios:
 *   'leak'     a running cistern on top of normal use (water flows in every half hour)
 *   'idle'     no water used at all (the wellbeing-check case)
 *   'normal'   back to the day profile
 *   'battery'  battery low bit set; 'battery_ok' clears it
 */
import { StatsCounter } from '../common/stats.js';
import {
  WATER_DAY,
  WATER_LEAK_RATE,
  integrate,
  type ConsumptionMode,
  type DayProfile,
} from '../common/profile.js';
import { integerToBcdLe } from '../common/bcd.js';
import type { SimulatedDevice } from '../driver.js';
import {
  CJT188_COLD_WATER,
  CJT188_CONTROL,
  CJT188_DI,
  CJT188_WILDCARD_ADDRESS,
  CJT188_WILDCARD_TYPE,
  Cjt188Decoder,
  STATUS_LAYOUTS,
  diBytes,
  encodeCjt188,
  encodeStatus,
  encodeTime,
  readDi,
  type Cjt188Frame,
  type StatusLayout,
} from './codec.js';

export interface Cjt188SimulatorOptions {
  address?: string;
  /** Cumulative volume at start, m³. */
  volumeM3?: number;
  profile?: DayProfile;
  statusLayout?: StatusLayout;
  /** Reply in litres (unit 29H) instead of m³ (2CH). */
  unitLitres?: boolean;
  /** Answer with FF in the fields a basic meter does not support (settlement flow, time). */
  basic?: boolean;
  now?: () => number;
  wakeUp?: number;
}

export class Cjt188Simulator implements SimulatedDevice {
  readonly driverId = 'cjt188';
  readonly scenarios = ['normal', 'idle', 'leak', 'battery', 'battery_ok'] as const;
  readonly address: string;
  private readonly decoder = new Cjt188Decoder(new StatsCounter());
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly now: () => number;
  private readonly profile: DayProfile;
  private readonly layout: StatusLayout;
  private litres: number;
  private lastMs: number;
  private mode: ConsumptionMode = 'normal';
  private batteryLow = false;
  private running = true;

  constructor(private readonly options: Cjt188SimulatorOptions = {}) {
    this.address = (options.address ?? '78331505104145').toUpperCase();
    this.litres = (options.volumeM3 ?? 123.45) * 1000;
    this.profile = options.profile ?? WATER_DAY;
    this.layout = options.statusLayout ?? STATUS_LAYOUTS.standard;
    this.now = options.now ?? Date.now;
    this.lastMs = this.now();
  }

  receive(bytes: Uint8Array): void {
    for (const frame of this.decoder.push(bytes)) this.answer(frame);
  }

  onTransmit(listener: (bytes: Uint8Array) => void): void {
    this.listeners.push(listener);
  }

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
      case 'idle':
      case 'leak':
        this.mode = scenario;
        return true;
      case 'battery':
        this.batteryLow = true;
        return true;
      case 'battery_ok':
        this.batteryLow = false;
        return true;
      default:
        return false;
    }
  }

  /** Cumulative volume, m³. */
  volumeM3(): number {
    this.advance();
    return this.litres / 1000;
  }

  private advance(): void {
    const t = this.now();
    if (t <= this.lastMs) return;
    this.litres += integrate(this.profile, this.lastMs, t, this.mode, WATER_LEAK_RATE);
    this.lastMs = t;
  }

  private answer(frame: Cjt188Frame): void {
    if (!this.running || (frame.control & 0x80) !== 0 || frame.data.length < 3) return;
    const di = readDi(frame.data[0] ?? 0, frame.data[1] ?? 0);
    if (!di) return;
    const ser = frame.data[2] ?? 0;
    const typeOk =
      frame.meterType === CJT188_COLD_WATER || frame.meterType === CJT188_WILDCARD_TYPE;
    if (frame.control === CJT188_CONTROL.readAddress && di.di === CJT188_DI.address) {
      if (!typeOk || frame.address !== CJT188_WILDCARD_ADDRESS) return;
      const data = new Uint8Array(3);
      data.set(diBytes(CJT188_DI.address, di.order), 0);
      data[2] = ser;
      this.send(CJT188_CONTROL.readAddressReply, data);
      return;
    }
    if (frame.control !== CJT188_CONTROL.read || di.di !== CJT188_DI.meterData) return;
    const forMe = frame.address === this.address || frame.address === CJT188_WILDCARD_ADDRESS;
    if (!typeOk || !forMe) return;
    const data = new Uint8Array(22);
    data.set(diBytes(CJT188_DI.meterData, di.order), 0);
    data[2] = ser;
    const litres = Math.floor(this.volumeM3() * 1000);
    // XXXXXX.XX in the reply's unit: m³ with 2 decimals, or litres with 2 decimals.
    const hundredths = this.options.unitLitres ? litres * 100 : Math.floor(litres / 10);
    data.set(integerToBcdLe(hundredths, 4), 3);
    data[7] = this.options.unitLitres ? 0x29 : 0x2c;
    if (this.options.basic) {
      data.fill(0xff, 8, 20);
    } else {
      data.set(integerToBcdLe(Math.floor(hundredths * 0.9), 4), 8);
      data[12] = data[7];
      // Meter clock: the home's local time (China, UTC+8), as meters are set.
      data.set(encodeTime(new Date(this.now() + 8 * 3_600_000)), 13);
    }
    data.set(encodeStatus({ valve: 'open', batteryLow: this.batteryLow }, this.layout), 20);
    this.send(CJT188_CONTROL.readReply, data);
  }

  private send(control: number, data: Uint8Array): void {
    const bytes = encodeCjt188(
      { meterType: CJT188_COLD_WATER, address: this.address, control, data },
      { wakeUp: this.options.wakeUp ?? 2 },
    );
    for (const l of this.listeners) l(bytes);
  }
}

/** For the simulator registry: a water meter matching a device's driver options. */
export function createCjt188Simulator(options: Record<string, unknown> = {}): Cjt188Simulator {
  const address = options['address'];
  const layout = options['statusLayout'];
  return new Cjt188Simulator({
    ...(typeof address === 'string' && /^[0-9a-fA-F]{14}$/.test(address) ? { address } : {}),
    ...(layout === 'msb-first' ? { statusLayout: STATUS_LAYOUTS['msb-first'] } : {}),
  });
}
