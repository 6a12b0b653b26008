/**
 * A DL/T 645-2007 meter on a simulated bus: it answers read-data (11H) requests addressed to it,
 * and read-address (13H) requests with the AA…AA wildcard, exactly as a meter does, from the
 * master's real request frames. Unknown DIs get an abnormal reply (D1H, ERR bit1 "no data
 * requested"). A three-phase meter (`phases: 3`) also answers phases B and C, and its phase blocks
 * (02 01 FF 00, 02 02 FF 00) carry all three (a single-phase meter's carry A and FF filler). Every
 * meter keeps four time-of-use tariff registers and answers the energy blocks (00 01 FF 00,
 * 00 02 FF 00) with the total and each tariff, as Chinese smart meters do. Consumption follows a
 * day profile (kettle and cooking peaks); scenarios:
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
  encodeBlock,
  encodeDlt645,
  encodeItemValue,
  findDlt645Block,
  findDlt645Item,
  type Dlt645Frame,
} from './codec.js';
import { phaseLoads, tariffAt, type PhaseLoad } from './tariffs.js';

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
  /** 1 (single-phase, default) or 3 (three-phase: answers phases B, C and the phase blocks). */
  phases?: 1 | 3;
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
  readonly phases: 1 | 3;
  /** Forward active energy per tariff 1–4, kWh; the total register is their sum. */
  private readonly tariffKwh: number[];
  private lastMs: number;
  private mode: 'normal' | 'idle' = 'normal';
  private kettleUntilMs = 0;
  private running = true;

  constructor(options: Dlt645SimulatorOptions = {}) {
    this.address = options.address ?? '000000000001';
    const energy = options.energyKwh ?? 1234.56;
    // Spread over tariffs 1–4 (sharp 10 %, peak 30 %, flat the rest, valley 25 %), rounded to
    // the register's 0.01 kWh; flat takes the remainder so that the tariffs add up to the total.
    const reg = (share: number) => Math.round(energy * share * 100) / 100;
    const [sharp, peak, valley] = [reg(0.1), reg(0.3), reg(0.25)];
    this.tariffKwh = [
      sharp,
      peak,
      Math.round((energy - sharp - peak - valley) * 100) / 100,
      valley,
    ];
    this.phases = options.phases ?? 1;
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

  /** Energy register, kWh (advances with the clock): the sum of the tariff registers. */
  energy(): number {
    this.advance();
    return this.tariffKwh.reduce((a, b) => a + b, 0);
  }

  /** Tariff registers 1–4, kWh. */
  tariffs(): number[] {
    this.advance();
    return [...this.tariffKwh];
  }

  private advance(): void {
    const t = this.now();
    if (t <= this.lastMs) return;
    if (this.mode !== 'idle') {
      const kettleEnd = Math.min(t, this.kettleUntilMs);
      const kettleWh = kettleEnd > this.lastMs ? (2000 * (kettleEnd - this.lastMs)) / 3_600_000 : 0;
      // Booked to the tariff in force now: the meter is read every minute or so, so an interval
      // that straddles a tariff change moves at most a minute's energy to the neighbour.
      const tariff = tariffAt(t, this.profile.utcOffsetMinutes);
      const used = (integrate(this.profile, this.lastMs, t) + kettleWh) / 1000;
      this.tariffKwh[tariff - 1] = (this.tariffKwh[tariff - 1] ?? 0) + used;
    }
    this.lastMs = t;
  }

  /** Power, voltage and current of each phase now (one phase on a single-phase meter). */
  private loads(): PhaseLoad[] {
    const t = this.now();
    const kettle = this.mode !== 'idle' && t < this.kettleUntilMs ? 2000 : 0;
    const base = this.mode === 'idle' ? 0 : rateAt(this.profile, t);
    return phaseLoads(this.phases, base, kettle);
  }

  /** Value of a known single DI right now, in the item's unit. */
  private valueOf(di: string): number | undefined {
    const p = this.powerW();
    const [a, b, c] = this.loads();
    const tariff = /^000[12]0([1-4])00$/.exec(di);
    if (tariff) return di.startsWith('0001') ? this.tariffs()[Number(tariff[1]) - 1] : 0;
    switch (di) {
      case '00010000':
        return this.energy();
      case '00020000':
        return 0;
      case '02010100':
        return a?.voltageV;
      case '02010200':
        return b?.voltageV;
      case '02010300':
        return c?.voltageV;
      case '02020100':
        return a?.currentA;
      case '02020200':
        return b?.currentA;
      case '02020300':
        return c?.currentA;
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

  /**
   * Members of a known block right now (undefined members go out as the FF filler), or undefined
   * when this meter has no such block. A single-phase meter answers the phase blocks with phase A
   * and FF for B and C, as the public single-phase reply [G] in three-phase.test.ts does.
   */
  private blockValues(di: string): (number | undefined)[] | undefined {
    const phases = (pick: (l: PhaseLoad) => number) => {
      const values = this.loads().map(pick);
      return this.phases === 3 ? values : [values[0], undefined, undefined];
    };
    switch (di) {
      case '0001FF00':
        return [this.energy(), ...this.tariffs()];
      case '0002FF00':
        return [0, 0, 0, 0, 0];
      case '0201FF00':
        return phases((l) => l.voltageV);
      case '0202FF00':
        return phases((l) => l.currentA);
      default:
        return undefined;
    }
  }

  /** The data after the DI for a DI this meter has, or undefined (→ "no data requested"). */
  private payloadOf(di: string): Uint8Array | undefined {
    const block = findDlt645Block(di);
    if (block) {
      const values = this.blockValues(di);
      return values && encodeBlock(block, values);
    }
    const item = findDlt645Item(di);
    const value = item && this.valueOf(di);
    return item && value !== undefined ? encodeItemValue(item, value) : undefined;
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
    const payload = this.payloadOf(di);
    if (payload === undefined) {
      // ERR bit1: no data requested (the meter does not know this DI).
      this.send({
        address: this.address,
        control: DLT645_CONTROL.readAbnormal,
        data: Uint8Array.of(0x02),
      });
      return;
    }
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
 * For the simulator registry: a meter matching a device's driver options (its `address` and
 * `phases`), so that
 * `anxin demo` and `anxin sim` pair a simulated meter with the configured device.
 */
export function createDlt645Simulator(options: Record<string, unknown> = {}): Dlt645Simulator {
  const address = options['address'];
  const energy = options['energyKwh'];
  const phases = options['phases'];
  return new Dlt645Simulator({
    ...(typeof address === 'string' && /^[0-9]{12}$/.test(address) ? { address } : {}),
    ...(typeof energy === 'number' ? { energyKwh: energy } : {}),
    ...(phases === 3 ? { phases: 3 as const } : {}),
  });
}
