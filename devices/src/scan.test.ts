import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { toHex } from './common/hex.js';
import type { SimulatedDevice } from './driver.js';
import { Cjt188Simulator } from './cjt188/simulator.js';
import { Dlt645Simulator } from './dlt645/simulator.js';
import { SdmSimulator } from './modbus-sdm/simulator.js';
import { createPtyPair, type PtyPair } from './simulate/pty.js';
import {
  cjt188ReplyParser,
  dlt645ReplyParser,
  modbusReplyParser,
  scanBus,
  scanProbes,
  type ScanPort,
} from './scan.js';

describe('scan probes and reply parsers (pure)', () => {
  it('sends the standard wildcard frames and one Modbus read per id', () => {
    const probes = scanProbes({ modbusIds: { from: 1, to: 3 } });
    expect(probes.map((p) => toHex(p.request))).toEqual([
      'FE FE FE FE 68 AA AA AA AA AA AA 68 13 00 DF 16',
      'FE FE FE 68 10 AA AA AA AA AA AA AA 03 03 81 0A 00 AF 16',
      'FE FE FE 68 10 AA AA AA AA AA AA AA 03 03 0A 81 00 AF 16',
      '01 04 00 00 00 02 71 CB',
      '02 04 00 00 00 02 71 F8',
      '03 04 00 00 00 02 70 29',
    ]);
    expect(scanProbes({ protocols: ['dlt645'] })).toHaveLength(1);
  });

  it('parses replies in any chunking and tells garbled from silent', () => {
    const dlt = dlt645ReplyParser();
    const reply = [
      0x68, 0x01, 0, 0, 0, 0, 0, 0x68, 0x93, 0x06, 0x34, 0x33, 0x33, 0x33, 0x33, 0x33, 0x9d, 0x16,
    ];
    let found;
    for (const b of reply) found ??= dlt.push(Uint8Array.of(b));
    expect(found).toEqual({ protocol: 'dlt645', address: '000000000001' });
    const cjt = cjt188ReplyParser();
    expect(
      cjt.push(
        Uint8Array.from([
          0xfe, 0xfe, 0x68, 0x10, 0x89, 0x67, 0x45, 0x23, 0x01, 0x33, 0x78, 0x83, 0x03, 0x0a, 0x81,
          0xa7, 0x34, 0x16,
        ]),
      ),
    ).toEqual({
      protocol: 'cjt188',
      address: '78330123456789',
      meterType: 0x10,
      diOrder: 'low-first',
    });
    const mb = modbusReplyParser(1);
    expect(mb.push(Uint8Array.from([1, 4, 4, 0x43, 0x66, 0x33, 0x34, 0x1b, 0x38]))).toEqual({
      protocol: 'modbus-sdm',
      unitId: 1,
      voltageV: 230.2,
    });
    const noisy = dlt645ReplyParser();
    expect(
      noisy.push(Uint8Array.from([0x68, 1, 2, 3, 4, 5, 6, 0x68, 0x93, 0, 0, 0x16])),
    ).toBeUndefined();
    expect(noisy.garbled()).toBe(true);
    expect(dlt645ReplyParser().garbled()).toBe(false);
  });

  it('reports no reply, garbled replies and write failures from a port in memory', async () => {
    const garbage: ScanPort = {
      write: () => Promise.resolve(),
      onData(cb) {
        const t = setTimeout(() => cb(Uint8Array.of(0x68, 0x00, 0x16, 0x68, 0x68)), 5);
        return () => clearTimeout(t);
      },
    };
    const r = await scanBus(garbage, {
      protocols: ['dlt645'],
      meterTimeoutMs: 40,
      turnaroundMs: 0,
    });
    expect(r).toMatchObject({ found: [], probes: [{ protocol: 'dlt645', outcome: 'garbled' }] });
    const broken: ScanPort = {
      write: () => Promise.reject(new Error('EIO')),
      onData: () => () => undefined,
    };
    const b = await scanBus(broken, {
      protocols: ['modbus-sdm'],
      modbusIds: { from: 1, to: 1 },
      turnaroundMs: 0,
    });
    expect(b.probes).toMatchObject([{ outcome: 'write failed' }]);
  });
});

/** Opens a serialport end of the PTY pair. */
function open(path: string): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const p: SerialPort = new SerialPort({ path, baudRate: 9600, lock: false }, (err) =>
      err ? reject(err) : resolve(p),
    );
  });
}

const closePort = (p: SerialPort) =>
  new Promise<void>((r) => (p.isOpen ? p.close(() => r()) : r()));

describe('scanBus over a real pseudo-terminal pair (socat + serialport)', () => {
  let pair: PtyPair | undefined;
  const ports: SerialPort[] = [];
  afterEach(async () => {
    for (const p of ports.splice(0)) await closePort(p);
    await pair?.close();
    pair = undefined;
  });

  it('finds a DL/T 645 meter, a CJ/T 188 water meter and two SDM meters on one bus', async () => {
    pair = await createPtyPair();
    const busEnd = await open(pair.a);
    const gatewayEnd = await open(pair.b);
    ports.push(busEnd, gatewayEnd);
    // Every simulated meter hears everything on the bus and answers only what is for it.
    const meters: SimulatedDevice[] = [
      new Dlt645Simulator({ address: '202611220001' }),
      new Cjt188Simulator({ address: '78331505104145' }),
      new SdmSimulator({ unitId: 3 }),
      new SdmSimulator({ unitId: 5 }),
    ];
    busEnd.on('data', (chunk: Buffer) => {
      for (const m of meters) m.receive(new Uint8Array(chunk));
    });
    for (const m of meters) m.onTransmit((b) => busEnd.write(Buffer.from(b)));

    const port: ScanPort = {
      write: (bytes) =>
        new Promise((resolve, reject) =>
          gatewayEnd.write(Buffer.from(bytes), (err) =>
            err ? reject(err) : gatewayEnd.drain(() => resolve()),
          ),
        ),
      onData(cb) {
        const listener = (chunk: Buffer) => cb(new Uint8Array(chunk));
        gatewayEnd.on('data', listener);
        return () => gatewayEnd.off('data', listener);
      },
    };
    const started = Date.now();
    const result = await scanBus(port, {
      modbusIds: { from: 1, to: 6 },
      meterTimeoutMs: 400,
      modbusTimeoutMs: 150,
      turnaroundMs: 10,
    });
    expect(result.found).toEqual([
      { protocol: 'dlt645', address: '202611220001' },
      { protocol: 'cjt188', address: '78331505104145', meterType: 0x10, diOrder: 'high-first' },
      { protocol: 'modbus-sdm', unitId: 3, voltageV: expect.any(Number) },
      { protocol: 'modbus-sdm', unitId: 5, voltageV: expect.any(Number) },
    ]);
    const sdm3 = result.found[2];
    if (sdm3?.protocol === 'modbus-sdm') expect(sdm3.voltageV).toBeGreaterThan(220);
    expect(result.probes.map((p) => p.outcome)).toEqual([
      'found',
      'found',
      'skipped',
      'no reply',
      'no reply',
      'found',
      'no reply',
      'found',
      'no reply',
    ]);
    // Silent ids cost their timeout; answered probes return as soon as the reply is complete.
    expect(Date.now() - started).toBeLessThan(4 * 150 + 2 * 400 + 2000);
  });
});
