/**
 * The parts of `modbus-serial` (yaacov/node-modbus-serial) this driver uses, loaded once and typed
 * here, so the Modbus frames are the library's and not a hand-written stack:
 *   - `crc16`                 utils/crc16.js (Modbus CRC-16, poly A001h, init FFFFh)
 *   - the client `ModbusRTU`  over a capture port: builds each request and checks/parses each reply
 *                             (address, function, length, CRC, exception codes) synchronously
 *   - the server's FC04 handler servers/servertcp_handler.js, which builds replies for the
 *                             simulator from a register vector (the same code ServerSerial/ServerTCP run)
 * The package is CommonJS with `export default` typings that NodeNext cannot construct, hence
 * createRequire with the package's own declarations.
 */
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { ModbusRTU, ReadRegisterResult } from 'modbus-serial/ModbusRTU.js';

const require = createRequire(import.meta.url);

export const ModbusRtuClient = require('modbus-serial') as typeof ModbusRTU;
export type ModbusRtuClient = ModbusRTU;

const crcModule: unknown = require('modbus-serial/utils/crc16.js');
if (typeof crcModule !== 'function')
  throw new Error('modbus-serial/utils/crc16.js is not a function');
const crcFn = crcModule as (buffer: Buffer) => number;

/** Modbus RTU CRC-16 of bytes [start, end) (sent low byte first). */
export function crc16(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crcFn(Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start));
}

/** Appends the CRC (low byte first) to a PDU with its unit id. */
export function withCrc(frame: Uint8Array): Uint8Array {
  const out = new Uint8Array(frame.length + 2);
  out.set(frame, 0);
  const crc = crc16(frame);
  out[frame.length] = crc & 0xff;
  out[frame.length + 1] = crc >> 8;
  return out;
}

/** A register vector as modbus-serial servers take it (only what the SDM simulator needs). */
export interface InputRegisterVector {
  getInputRegister(address: number, unitId: number): number;
}

type HandlerCallback = (err: { modbusErrorCode?: number } | null, response?: Buffer) => void;
interface ServerHandlers {
  readInputRegisters(
    request: Buffer,
    vector: InputRegisterVector,
    unitId: number,
    cb: HandlerCallback,
  ): void;
}
const handlersModule: unknown = require('modbus-serial/servers/servertcp_handler.js');
function isHandlers(x: unknown): x is ServerHandlers {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as Record<string, unknown>)['readInputRegisters'] === 'function'
  );
}
if (!isHandlers(handlersModule)) throw new Error('modbus-serial server handlers not found');
const handlers = handlersModule;

/**
 * Answers one FC04 request (8 bytes with CRC) with modbus-serial's server handler. Returns the
 * reply frame (unit, function, byte count, data, CRC) or an exception frame, or undefined when the
 * handler gives no answer (e.g. wrong request length). Synchronous for a synchronous vector.
 */
export function answerReadInputRegisters(
  request: Uint8Array,
  vector: InputRegisterVector,
): Uint8Array | undefined {
  const unitId = request[0] ?? 0;
  let reply: Uint8Array | undefined;
  handlers.readInputRegisters(Buffer.from(request), vector, unitId, (err, response) => {
    if (err) {
      // As modbus-serial's ServerSerial does: the error's modbusErrorCode, else 04 device failure.
      reply = withCrc(Uint8Array.of(unitId, 0x84, err.modbusErrorCode ?? 0x04));
      return;
    }
    if (!response) return;
    response[0] = unitId;
    response[1] = 0x04;
    reply = withCrc(response.subarray(0, response.length - 2));
  });
  return reply;
}

/**
 * A "serial port" for the modbus-serial client that only records what the client writes and lets
 * the session hand it complete reply frames: the gateway owns the real port and the timing.
 */
export class CapturePort extends EventEmitter {
  readonly isOpen = true;
  /** Transaction slots the client keys its requests by (it reads these two fields). */
  _transactionIdRead = 1;
  _transactionIdWrite = 1;
  private written: Uint8Array[] = [];

  open(callback: (err: Error | null) => void): void {
    callback(null);
  }

  close(callback?: (err: Error | null) => void): void {
    callback?.(null);
  }

  write(data: Buffer): void {
    this.written.push(Uint8Array.from(data));
  }

  takeWritten(): Uint8Array {
    const all = Buffer.concat(this.written);
    this.written = [];
    return Uint8Array.from(all);
  }
}

/** A modbus-serial client bound to a capture port. */
export function captureClient(): { client: ModbusRTU; port: CapturePort } {
  const port = new CapturePort();
  const client = new ModbusRtuClient(port);
  client.open(() => undefined);
  return { client, port };
}

/**
 * The exact FC04 request modbus-serial's client sends (unit, 04, start, count, CRC). The callback
 * receives the parsed reply when the matching frame is later emitted on the port.
 */
export function buildFc04(
  client: ModbusRTU,
  unitId: number,
  start: number,
  count: number,
  next: (err: Error | null, result?: ReadRegisterResult) => void,
): void {
  client.writeFC4(unitId, start, count, next);
}
