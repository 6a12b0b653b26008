/**
 * Eastron SDM120 / SDM230 as the gateway sees it: a Modbus RTU slave polled as master through the
 * ordinary PollSession. Each cycle reads the two SDM_POLL_BLOCKS with function 04; requests are
 * built, and replies checked and parsed, by modbus-serial's client (library.ts) over a capture port
 * — the gateway still owns the real port, the half-duplex timing and the retries.
 *
 * Serial defaults: the SDM120 ships at 2400 bit/s 8N1, unit id 1 (Tasmota xnrg_08_sdm120.ino:
 * "default SDM120 baud rate: 2400, default SDM220 baud rate: 9600"); an SDM220/SDM230 port is set
 * to 9600 by the installer (port settings override these defaults).
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
  ModbusReplyDecoder,
  SDM_POLL_BLOCKS,
  SDM_REGISTERS,
  decodeFloat32s,
  findSdmRegister,
  inspectModbusSdm,
  roundFloat32,
  type ModbusReplyFrame,
} from './codec.js';
import { buildFc04, captureClient } from './library.js';

export interface SdmOptions {
  /** Modbus unit id (slave address) 1..247. */
  unitId: number;
  intervalMs: number;
  /** Reply timeout: the 69-byte reply of the first block alone takes 288 ms at 2400 bit/s 8N1. */
  replyTimeoutMs: number;
}

export class SdmOptionError extends Error {
  readonly code = 'BAD_DRIVER_OPTIONS';
}

export function parseSdmOptions(raw: Record<string, unknown>): SdmOptions {
  const num = (key: string, dflt: number | undefined, min: number, max: number): number => {
    const v = raw[key] ?? dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new SdmOptionError(`options.${key} must be an integer from ${min} to ${max}`);
    }
    return v;
  };
  return {
    unitId: num('unitId', 1, 1, 247),
    intervalMs: num('intervalMs', 60_000, 1_000, 86_400_000),
    replyTimeoutMs: num('replyTimeoutMs', 1_000, 50, 10_000),
  };
}

/** Canonical telemetry fields of a block's float32 values. */
export function fieldsOfBlock(start: number, payload: Uint8Array): Record<string, number> {
  const fields: Record<string, number> = {};
  decodeFloat32s(payload).forEach((v, i) => {
    const reg = findSdmRegister(start + i * 2);
    if (reg?.field && Number.isFinite(v)) fields[reg.field] = roundFloat32(v, reg.digits);
  });
  return fields;
}

export function createSdmSession(ctx: DriverContext): PollSession {
  const options = parseSdmOptions(ctx.options);
  const counter = new StatsCounter();
  const decoder = new ModbusReplyDecoder(options.unitId, counter);
  const { client, port } = captureClient();
  /** What modbus-serial's client handed back for the frame just emitted to it. */
  let result: { readings: DeviceReading[] } | undefined;

  /** Builds each block's request with the client; transaction id = block index + 1. */
  function buildRequests(): PollRequest[] {
    return SDM_POLL_BLOCKS.map((block, i) => {
      port._transactionIdWrite = i + 1;
      buildFc04(client, options.unitId, block.start, block.count, (err, res) => {
        if (err || !res) {
          const code = (err as { modbusCode?: unknown } | null)?.modbusCode;
          counter.reject(typeof code === 'number' ? `EXCEPTION_${code}` : 'CLIENT_REJECTED');
          result = { readings: [] };
          return;
        }
        const fields = fieldsOfBlock(block.start, Uint8Array.from(res.buffer));
        result = {
          readings: Object.keys(fields).length > 0 ? [{ type: 'telemetry', fields }] : [],
        };
      });
      return { bytes: port.takeWritten(), timeoutMs: options.replyTimeoutMs };
    });
  }

  function handle(frame: ModbusReplyFrame): DeviceReading[] {
    // A reply does not name its registers; the blocks' byte counts differ, so the count does.
    const index =
      frame.kind === 'reply'
        ? SDM_POLL_BLOCKS.findIndex((b) => b.count * 2 === frame.payload.length)
        : 0;
    if (index < 0) {
      counter.reject('UNEXPECTED_LENGTH');
      return [];
    }
    result = undefined;
    port._transactionIdRead = index + 1;
    port.emit('data', Buffer.from(frame.raw));
    const out = result as { readings: DeviceReading[] } | undefined;
    return out?.readings ?? [];
  }

  return {
    mode: 'poll',
    intervalMs: options.intervalMs,
    nextPoll(): PollRequest[] {
      decoder.flush();
      return buildRequests();
    },
    push(chunk: Uint8Array) {
      const readings: DeviceReading[] = [];
      let done = false;
      for (const frame of decoder.push(chunk)) {
        readings.push(...handle(frame));
        done = true;
      }
      return { done, readings };
    },
    timeout(): void {
      decoder.flush();
    },
    stats: () => counter.snapshot(),
  };
}

export const sdmDriver: DriverDescriptor = {
  id: 'modbus-sdm',
  name: 'Eastron SDM120/SDM230 Modbus energy meter',
  models: ['Eastron SDM120-Modbus', 'Eastron SDM120M', 'Eastron SDM230-Modbus'],
  reference: 'Eastron SDM120 / SDM230 Modbus protocol (input registers, IEEE 754 float32)',
  transport: 'serial',
  serial: { baudRate: 2400, dataBits: 8, parity: 'none', stopBits: 1 },
  telemetry: [...new Set(SDM_REGISTERS.flatMap((r) => (r.field ? [r.field] : [])))],
  alarms: [],
  createSession: (ctx) => createSdmSession(ctx),
  inspect: (bytes, options) => inspectModbusSdm(bytes, options),
};
