/**
 * DL/T 645-2007 electricity meter as the gateway sees it: an RS-485 slave the gateway polls as
 * master. Physical layer defaults per DL/T 645-2007 (byte format 8 data bits, even parity, 1 stop
 * bit; default 2400 bit/s). One session per meter address; several meters share a bus and the
 * gateway serialises the bus (one request in flight at a time).
 */
import { StatsCounter } from '../common/stats.js';
import type {
  DeviceReading,
  DriverContext,
  DriverDescriptor,
  PollRequest,
  PollSession,
} from '../driver.js';
import {
  DLT645_BLOCKS,
  DLT645_ITEMS,
  DLT645_WILDCARD_ADDRESS,
  Dlt645Decoder,
  buildReadRequest,
  findDlt645Block,
  findDlt645Item,
  inspectDlt645,
  interpretDlt645,
  type Dlt645Frame,
} from './codec.js';

/**
 * What is read each cycle when the installer names no `items`, by the meter the district bought.
 * Single-phase (DDSU/DDZY): the totals and phase A, one item per request. Three-phase (DTSU/DTZY):
 * the blocks — energy total with every tariff (表 A.1 00 01 FF 00, 00 02 FF 00) and all phases'
 * voltages and currents (表 A.3 02 01 FF 00, 02 02 FF 00) — five requests fewer per cycle on a
 * 2400 bit/s bus than reading the same values one by one.
 */
export const DLT645_DEFAULT_ITEMS: Readonly<Record<1 | 3, readonly string[]>> = {
  1: ['00010000', '00020000', '02010100', '02020100', '02030000', '02060000', '02800002'],
  3: ['0001FF00', '0002FF00', '0201FF00', '0202FF00', '02030000', '02060000', '02800002'],
};

export interface Dlt645Options {
  /**
   * Meter address, 12 digits as on the nameplate (e.g. "000000000001"). Without one the session
   * reads through the AA…AA wildcard, which only works with a single meter on the bus.
   */
  address: string;
  /** 1 (single-phase, the default) or 3 (three-phase): picks the default `items`. */
  phases: 1 | 3;
  /** DIs to read each cycle (8 hex digits, items or blocks); default: by `phases`. */
  items: string[];
  /** FE wake-up bytes before each request (default 4). */
  wakeUp: number;
  intervalMs: number;
  /** Reply timeout per request: Td ≤ 500 ms plus the reply's own transmit time at 2400 bit/s. */
  replyTimeoutMs: number;
}

export class Dlt645OptionError extends Error {
  readonly code = 'BAD_DRIVER_OPTIONS';
}

/**
 * `items` as a list, or as one string ("0001FF00, 02-01-FF-00"): the hub's device options carry
 * scalars only, so an installer names the identifiers the district bought in one text field.
 * Dashes and spaces inside an identifier are how the standard's tables print them; both are
 * accepted.
 */
function itemList(raw: unknown): unknown[] | undefined {
  if (Array.isArray(raw)) return raw as unknown[];
  if (typeof raw !== 'string') return undefined;
  return raw
    .split(/[,;]/)
    .map((d) => d.replace(/[\s-]/g, ''))
    .filter((d) => d !== '');
}

const knownDis = (): string => [...DLT645_ITEMS, ...DLT645_BLOCKS].map((i) => i.di).join(', ');

/** Validates the gateway's per-device options; throws Dlt645OptionError naming the bad key. */
export function parseDlt645Options(raw: Record<string, unknown>): Dlt645Options {
  const address = raw['address'] ?? DLT645_WILDCARD_ADDRESS;
  if (typeof address !== 'string' || !/^([0-9]{12}|[aA]{12})$/.test(address)) {
    throw new Dlt645OptionError('options.address must be the 12-digit meter address');
  }
  const phases = raw['phases'] ?? 1;
  if (phases !== 1 && phases !== 3) {
    throw new Dlt645OptionError('options.phases must be 1 (single-phase) or 3 (three-phase)');
  }
  const items =
    raw['items'] === undefined ? [...DLT645_DEFAULT_ITEMS[phases]] : itemList(raw['items']);
  const unknown = items?.find(
    (d) => typeof d !== 'string' || (!findDlt645Item(d) && !findDlt645Block(d)),
  );
  if (!items || items.length === 0 || unknown !== undefined) {
    throw new Dlt645OptionError(
      `options.items must list known data identifiers` +
        (unknown !== undefined ? ` (${JSON.stringify(unknown)} is not one)` : '') +
        `: ${knownDis()}`,
    );
  }
  const num = (key: string, dflt: number, min: number, max: number): number => {
    const v = raw[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new Dlt645OptionError(`options.${key} must be a number from ${min} to ${max}`);
    }
    return v;
  };
  return {
    address: address.toUpperCase(),
    phases,
    items: [...new Set((items as string[]).map((d) => d.toUpperCase()))],
    wakeUp: num('wakeUp', 4, 0, 8),
    intervalMs: num('intervalMs', 60_000, 1_000, 86_400_000),
    replyTimeoutMs: num('replyTimeoutMs', 1_000, 100, 10_000),
  };
}

/** Rounds away binary noise: a value with `decimals` places times a power-of-ten factor. */
function scaled(value: number, decimals: number, factor: number): number {
  const places = Math.max(0, decimals - Math.round(Math.log10(factor)));
  return Number((value * factor).toFixed(places));
}

export function createDlt645Session(ctx: DriverContext): PollSession {
  const options = parseDlt645Options(ctx.options);
  const counter = new StatsCounter();
  const decoder = new Dlt645Decoder(counter);

  function handle(frame: Dlt645Frame): { done: boolean; readings: DeviceReading[] } {
    // A request on the line is our own echo (RS-485 adapters that echo) or another master: ignore.
    if ((frame.control & 0x80) === 0) return { done: false, readings: [] };
    if (options.address !== DLT645_WILDCARD_ADDRESS && frame.address !== options.address) {
      counter.reject('WRONG_ADDRESS');
      return { done: false, readings: [] };
    }
    const reply = interpretDlt645(frame);
    switch (reply.kind) {
      case 'data': {
        const fields: Record<string, number> = {};
        for (const v of reply.values ?? []) {
          if (v.field !== undefined) fields[v.field] = scaled(v.value, v.decimals, v.factor);
        }
        return {
          done: true,
          readings: Object.keys(fields).length > 0 ? [{ type: 'telemetry', fields }] : [],
        };
      }
      case 'abnormal':
        // The meter answered "no such data" or similar: counted, the request is finished.
        counter.reject('ABNORMAL_REPLY');
        return { done: true, readings: [] };
      case 'invalid':
        counter.reject(reply.code);
        return { done: true, readings: [] };
      default:
        return { done: true, readings: [] };
    }
  }

  return {
    mode: 'poll',
    intervalMs: options.intervalMs,
    nextPoll(): PollRequest[] {
      decoder.flush();
      return options.items.map((di) => ({
        bytes: buildReadRequest(options.address, di, { wakeUp: options.wakeUp }),
        timeoutMs: options.replyTimeoutMs,
      }));
    },
    push(chunk: Uint8Array) {
      const readings: DeviceReading[] = [];
      let done = false;
      for (const frame of decoder.push(chunk)) {
        const r = handle(frame);
        done ||= r.done;
        readings.push(...r.readings);
      }
      return { done, readings };
    },
    timeout(): void {
      decoder.flush();
    },
    stats: () => counter.snapshot(),
  };
}

export const dlt645Driver: DriverDescriptor = {
  id: 'dlt645',
  name: 'DL/T 645-2007 electricity meter',
  models: [
    'DL/T 645-2007 single-phase smart meters (e.g. CHINT DDSU666/DDZY, DELIXI DDSU606, Holley DDZY)',
    'DL/T 645-2007 three-phase smart meters with time-of-use tariffs (e.g. CHINT DTZY666, DELIXI DTSY606); options.phases: 3',
  ],
  reference: 'DL/T 645-2007 Multi-function watt-hour meter communication protocol',
  transport: 'serial',
  serial: { baudRate: 2400, dataBits: 8, parity: 'even', stopBits: 1 },
  telemetry: [...new Set(DLT645_ITEMS.map((i) => i.field))],
  alarms: [],
  createSession: (ctx) => createDlt645Session(ctx),
  inspect: (bytes) => inspectDlt645(bytes),
};
