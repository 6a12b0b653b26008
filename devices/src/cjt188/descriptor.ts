/**
 * CJ/T 188-2004 cold-water meter (type 10H) as the gateway sees it: an RS-485 / M-Bus slave the
 * gateway polls as master with read data 901FH. Defaults 2400 bit/s 8E1 (the byte format of the
 * standard's physical layer: one start bit, 8 data bits, even parity, one stop bit).
 *
 * Per-device options, because real meters disagree:
 *   diOrder       'high-first' sends 90 1F, 'low-first' sends 1F 90 (both accepted on receive)
 *   statusLayout  'standard' | 'msb-first' | { byte, valveBits: [d0, d1], batteryBit }
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
  CJT188_COLD_WATER,
  CJT188_WILDCARD_ADDRESS,
  Cjt188Decoder,
  STATUS_LAYOUTS,
  buildReadDataRequest,
  inspectCjt188,
  interpretCjt188,
  type Cjt188Frame,
  type DiOrder,
  type StatusLayout,
} from './codec.js';

export interface Cjt188Options {
  /**
   * 14 hex digits as printed on the meter (e.g. "78331505104145"). Without one the session reads
   * through the AA…AA wildcard, which only works with a single meter on the bus.
   */
  address: string;
  meterType: number;
  diOrder: DiOrder;
  statusLayout: StatusLayout;
  wakeUp: number;
  intervalMs: number;
  replyTimeoutMs: number;
}

export class Cjt188OptionError extends Error {
  readonly code = 'BAD_DRIVER_OPTIONS';
}

function parseLayout(v: unknown): StatusLayout {
  if (v === undefined || v === 'standard') return STATUS_LAYOUTS.standard;
  if (v === 'msb-first') return STATUS_LAYOUTS['msb-first'];
  if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    const bit = (x: unknown) => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 7;
    const vb = o['valveBits'];
    if (
      (o['byte'] === 0 || o['byte'] === 1) &&
      Array.isArray(vb) &&
      vb.length === 2 &&
      bit(vb[0]) &&
      bit(vb[1]) &&
      bit(o['batteryBit'])
    ) {
      return {
        byte: o['byte'],
        valveBits: [vb[0] as number, vb[1] as number],
        batteryBit: o['batteryBit'] as number,
      };
    }
  }
  throw new Cjt188OptionError(
    "options.statusLayout must be 'standard', 'msb-first' or { byte: 0|1, valveBits: [d0, d1], batteryBit }",
  );
}

export function parseCjt188Options(raw: Record<string, unknown>): Cjt188Options {
  const address = raw['address'] ?? CJT188_WILDCARD_ADDRESS;
  if (typeof address !== 'string' || !/^[0-9a-fA-F]{14}$/.test(address)) {
    throw new Cjt188OptionError('options.address must be the 14-digit meter address');
  }
  const diOrder = raw['diOrder'] ?? 'high-first';
  if (diOrder !== 'high-first' && diOrder !== 'low-first') {
    throw new Cjt188OptionError(
      "options.diOrder must be 'high-first' (90 1F) or 'low-first' (1F 90)",
    );
  }
  const num = (key: string, dflt: number, min: number, max: number): number => {
    const v = raw[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new Cjt188OptionError(`options.${key} must be an integer from ${min} to ${max}`);
    }
    return v;
  };
  return {
    address: address.toUpperCase(),
    meterType: num('meterType', CJT188_COLD_WATER, 0x10, 0x19),
    diOrder,
    statusLayout: parseLayout(raw['statusLayout']),
    wakeUp: num('wakeUp', 2, 0, 8),
    intervalMs: num('intervalMs', 60_000, 1_000, 86_400_000),
    replyTimeoutMs: num('replyTimeoutMs', 1_500, 100, 10_000),
  };
}

export function createCjt188Session(ctx: DriverContext): PollSession {
  const options = parseCjt188Options(ctx.options);
  const counter = new StatsCounter();
  const decoder = new Cjt188Decoder(counter);
  let ser = 0;
  /** Last battery state reported, so that low_battery is raised and cleared on change only. */
  let batteryLow: boolean | undefined;

  function handle(frame: Cjt188Frame): { done: boolean; readings: DeviceReading[] } {
    if ((frame.control & 0x80) === 0) return { done: false, readings: [] }; // our own echo
    if (options.address !== CJT188_WILDCARD_ADDRESS && frame.address !== options.address) {
      counter.reject('WRONG_ADDRESS');
      return { done: false, readings: [] };
    }
    const reply = interpretCjt188(frame, options.statusLayout);
    const readings: DeviceReading[] = [];
    switch (reply.kind) {
      case 'data': {
        const { currentFlow, status, invalidFields } = reply.data;
        for (const f of invalidFields) counter.reject(`BAD_FIELD_${f}`);
        if (currentFlow?.m3 !== undefined) {
          readings.push({ type: 'telemetry', fields: { water_m3: currentFlow.m3 } });
        } else if (currentFlow) {
          counter.reject('UNIT');
        }
        if (status && status.batteryLow !== batteryLow) {
          if (status.batteryLow || batteryLow === true) {
            readings.push({
              type: 'alarm',
              kind: 'low_battery',
              action: status.batteryLow ? 'raise' : 'clear',
              detail: { valve: status.valve, st: status.raw },
            });
          }
          batteryLow = status.batteryLow;
        }
        return { done: true, readings };
      }
      case 'abnormal':
        counter.reject('ABNORMAL_REPLY');
        return { done: true, readings };
      case 'invalid':
        counter.reject(reply.code);
        return { done: true, readings };
      default:
        return { done: true, readings };
    }
  }

  return {
    mode: 'poll',
    intervalMs: options.intervalMs,
    nextPoll(): PollRequest[] {
      decoder.flush();
      ser = (ser + 1) & 0xff;
      return [
        {
          bytes: buildReadDataRequest(options.address, {
            diOrder: options.diOrder,
            wakeUp: options.wakeUp,
            meterType: options.meterType,
            ser,
          }),
          timeoutMs: options.replyTimeoutMs,
        },
      ];
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

export const cjt188Driver: DriverDescriptor = {
  id: 'cjt188',
  name: 'CJ/T 188-2004 cold-water meter',
  models: [
    'CJ/T 188-2004 RS-485 / M-Bus cold-water meters (meter type 10H), e.g. DN15–DN25 household meters',
  ],
  reference:
    'CJ/T 188-2004 Data transmission technical conditions of household metering instruments',
  transport: 'serial',
  serial: { baudRate: 2400, dataBits: 8, parity: 'even', stopBits: 1 },
  telemetry: ['water_m3'],
  alarms: ['low_battery'],
  createSession: (ctx) => createCjt188Session(ctx),
  inspect: (bytes) => inspectCjt188(bytes),
};
