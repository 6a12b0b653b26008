/**
 * An Eastron SDM120-like meter on a simulated RS-485 bus: it answers function 04 requests to its
 * unit id with modbus-serial's own server handler (library.ts) from a register vector holding the
 * SDM map as big-endian float32 pairs. Parameters not in the map read as zero (as Eastron's
 * manuals say); more than 40 parameters in one request, or an address past the map, is answered
 * with exception 02; other functions with exception 01.
 *
 * Consumption follows the electricity day profile; scenarios 'idle', 'normal', 'kettle'.
 */
import { ELECTRICITY_DAY, integrate, rateAt, type DayProfile } from '../common/profile.js';
import type { SimulatedDevice } from '../driver.js';
import { SDM_REGISTERS, encodeFloat32 } from './codec.js';
import { answerReadInputRegisters, crc16, withCrc, type InputRegisterVector } from './library.js';

export interface SdmSimulatorOptions {
  unitId?: number;
  importKwh?: number;
  profile?: DayProfile;
  now?: () => number;
}

/** Highest register of the SDM120 map (total reactive energy, 0x0158–0x0159). */
const LAST_REGISTER = 0x0159;
/** Eastron: at most 40 parameters (80 registers) per request. */
const MAX_REGISTERS = 80;

export class SdmSimulator implements SimulatedDevice {
  readonly driverId = 'modbus-sdm';
  readonly scenarios = ['normal', 'idle', 'kettle'] as const;
  readonly unitId: number;
  private buf: Uint8Array = new Uint8Array(0);
  private readonly listeners: ((bytes: Uint8Array) => void)[] = [];
  private readonly now: () => number;
  private readonly profile: DayProfile;
  private importKwh: number;
  private lastMs: number;
  private mode: 'normal' | 'idle' = 'normal';
  private kettleUntilMs = 0;
  private running = true;

  constructor(options: SdmSimulatorOptions = {}) {
    this.unitId = options.unitId ?? 1;
    this.importKwh = options.importKwh ?? 2345.6;
    this.profile = options.profile ?? ELECTRICITY_DAY;
    this.now = options.now ?? Date.now;
    this.lastMs = this.now();
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
        this.mode = scenario;
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

  powerW(): number {
    const t = this.now();
    if (this.mode === 'idle') return 0;
    return rateAt(this.profile, t) + (t < this.kettleUntilMs ? 2000 : 0);
  }

  private advance(): void {
    const t = this.now();
    if (t <= this.lastMs) return;
    if (this.mode !== 'idle') {
      const kettleEnd = Math.min(t, this.kettleUntilMs);
      const kettleWh = kettleEnd > this.lastMs ? (2000 * (kettleEnd - this.lastMs)) / 3_600_000 : 0;
      this.importKwh += (integrate(this.profile, this.lastMs, t) + kettleWh) / 1000;
    }
    this.lastMs = t;
  }

  /** Present float value of each mapped parameter. */
  private snapshot(): Map<number, number> {
    this.advance();
    const p = this.powerW();
    const v = this.mode === 'idle' ? 230.1 : 229.4 - p / 2000;
    const pf = p > 0 ? 0.98 : 1;
    const values: Record<string, number> = {
      voltage: v,
      current: p / v / pf,
      'active power': p,
      'apparent power': p / pf,
      'reactive power': (p / pf) * Math.sqrt(1 - pf * pf),
      'power factor': pf,
      'phase angle': (Math.acos(pf) * 180) / Math.PI,
      frequency: 50.01,
      'import active energy': this.importKwh,
      'export active energy': 0,
      'import reactive energy': this.importKwh * 0.2,
      'export reactive energy': 0,
      'total active energy': this.importKwh,
      'total reactive energy': this.importKwh * 0.2,
    };
    return new Map(SDM_REGISTERS.map((r) => [r.address, values[r.name] ?? 0]));
  }

  receive(bytes: Uint8Array): void {
    const joined = new Uint8Array(this.buf.length + bytes.length);
    joined.set(this.buf, 0);
    joined.set(bytes, this.buf.length);
    this.buf = joined;
    // Requests to read (functions 01–06) are 8 bytes; look for one with a valid CRC. Anything else
    // on the bus (other protocols, replies of other meters) is skipped byte by byte.
    while (this.buf.length >= 8) {
      const crc = crc16(this.buf, 0, 6);
      const fn = this.buf[1] ?? 0;
      if (fn >= 1 && fn <= 6 && this.buf[6] === (crc & 0xff) && this.buf[7] === crc >> 8) {
        this.answer(this.buf.slice(0, 8));
        this.buf = this.buf.subarray(8);
      } else {
        this.buf = this.buf.subarray(1);
      }
    }
    if (this.buf.length > 7) this.buf = this.buf.slice(this.buf.length - 7);
  }

  private answer(request: Uint8Array): void {
    if (!this.running || request[0] !== this.unitId) return;
    const fn = request[1] ?? 0;
    let reply: Uint8Array | undefined;
    if (fn !== 0x04) {
      reply = withCrc(Uint8Array.of(this.unitId, fn | 0x80, 0x01));
    } else {
      const start = ((request[2] ?? 0) << 8) | (request[3] ?? 0);
      const count = ((request[4] ?? 0) << 8) | (request[5] ?? 0);
      if (count > MAX_REGISTERS || start + count - 1 > LAST_REGISTER) {
        reply = withCrc(Uint8Array.of(this.unitId, 0x84, 0x02));
      } else {
        const values = this.snapshot();
        const vector: InputRegisterVector = {
          getInputRegister: (address: number) => {
            const base = address - (address % 2);
            const bytes = encodeFloat32(values.get(base) ?? 0);
            return address % 2 === 0
              ? ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0)
              : ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
          },
        };
        reply = answerReadInputRegisters(request, vector);
      }
    }
    if (!reply) return;
    for (const l of this.listeners) l(reply);
  }
}

/** For the simulator registry: an SDM meter answering the device's `unitId`. */
export function createSdmSimulator(options: Record<string, unknown> = {}): SdmSimulator {
  const unitId = options['unitId'];
  return new SdmSimulator(
    typeof unitId === 'number' && Number.isInteger(unitId) && unitId >= 1 && unitId <= 247
      ? { unitId }
      : {},
  );
}
