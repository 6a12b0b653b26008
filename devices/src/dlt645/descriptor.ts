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
  DLT645_ITEMS,
  DLT645_WILDCARD_ADDRESS,
  Dlt645Decoder,
  buildReadRequest,
  findDlt645Item,
  inspectDlt645,
  interpretDlt645,
  type Dlt645Frame,
} from './codec.js';

export interface Dlt645Options {
  /**
   * Meter address, 12 digits as on the nameplate (e.g. "000000000001"). Without one the session
   * reads through the AA…AA wildcard, which only works with a single meter on the bus.
   */
  address: string;
  /** DIs to read each cycle (8 hex digits); default: every item of DLT645_ITEMS. */
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

/** Validates the gateway's per-device options; throws Dlt645OptionError naming the bad key. */
export function parseDlt645Options(raw: Record<string, unknown>): Dlt645Options {
  const address = raw['address'] ?? DLT645_WILDCARD_ADDRESS;
  if (typeof address !== 'string' || !/^([0-9]{12}|[aA]{12})$/.test(address)) {
    throw new Dlt645OptionError('options.address must be the 12-digit meter address');
  }
  const items = raw['items'] ?? DLT645_ITEMS.map((i) => i.di);
  if (!Array.isArray(items) || items.some((d) => typeof d !== 'string' || !findDlt645Item(d))) {
    throw new Dlt645OptionError(
      `options.items must list known DIs: ${DLT645_ITEMS.map((i) => i.di).join(', ')}`,
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
    items: (items as string[]).map((d) => d.toUpperCase()),
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
        if (!reply.item || reply.value === undefined) return { done: true, readings: [] };
        const { item, value } = reply;
        return {
          done: true,
          readings: [
            {
              type: 'telemetry',
              fields: { [item.field]: scaled(value, item.decimals, item.factor) },
            },
          ],
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
  ],
  reference: 'DL/T 645-2007 Multi-function watt-hour meter communication protocol',
  transport: 'serial',
  serial: { baudRate: 2400, dataBits: 8, parity: 'even', stopBits: 1 },
  telemetry: [...new Set(DLT645_ITEMS.map((i) => i.field))],
  alarms: [],
  createSession: (ctx) => createDlt645Session(ctx),
  inspect: (bytes) => inspectDlt645(bytes),
};
