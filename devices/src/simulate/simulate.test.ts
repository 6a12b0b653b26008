import { existsSync } from 'node:fs';
import net from 'node:net';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceReading } from '../driver.js';
import { encodeFrame } from '../mr60fda1/codec.js';
import { createMr60fda1Session } from '../mr60fda1/descriptor.js';
import { Mr60fda1Simulator } from '../mr60fda1/simulator.js';
import { Mr60fda2Decoder, encodeGetParameters, encodeSetInstallHeight } from '../mr60fda2/codec.js';
import { createMr60fda2Session } from '../mr60fda2/descriptor.js';
import { Mr60fda2Simulator } from '../mr60fda2/simulator.js';
import { createPtyPair } from './pty.js';
import { attachToSerialPath } from './serial.js';
import { serveTcpSerial } from './tcp.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out waiting');
}

const isFallRaise = (r: DeviceReading): boolean =>
  r.type === 'alarm' && r.kind === 'fall' && r.action === 'raise';

describe('createPtyPair', () => {
  it('gives two linked /dev/pts paths and removes them on close', async () => {
    const pair = await createPtyPair();
    expect(pair.a).toMatch(/^\/dev\/pts\/\d+$/);
    expect(pair.b).toMatch(/^\/dev\/pts\/\d+$/);
    expect(pair.a).not.toBe(pair.b);
    expect(existsSync(pair.a)).toBe(true);
    await pair.close();
    await pair.close();
    expect(existsSync(pair.a)).toBe(false);
  });
});

describe('attachToSerialPath', () => {
  it('MR60FDA1 simulator on one PTY end, serialport + decoder on the other, receives a fall', async () => {
    const pair = await createPtyPair();
    cleanups.push(() => pair.close());
    const sim = new Mr60fda1Simulator({ heartbeatMs: 200 });
    const attached = await attachToSerialPath(sim, pair.a, { baudRate: 115200 });
    cleanups.push(() => attached.close());

    const reader = await new Promise<SerialPort>((resolve, reject) => {
      const p: SerialPort = new SerialPort(
        { path: pair.b, baudRate: 115200, lock: false },
        (err) => (err ? reject(err) : resolve(p)),
      );
    });
    cleanups.push(() => new Promise<void>((r) => (reader.isOpen ? reader.close(() => r()) : r())));
    const session = createMr60fda1Session();
    const readings: DeviceReading[] = [];
    reader.on('data', (chunk: Buffer) => readings.push(...session.push(new Uint8Array(chunk))));

    // The heartbeat proves the link before the fall is acted out.
    await waitFor(() => (session.stats().framesOk > 0 ? true : undefined));
    sim.trigger('fall');
    await waitFor(() => readings.find(isFallRaise));
    expect(session.stats().decodeErrors).toBe(0);

    // Bytes written by the gateway side reach the device: the firmware version query is answered.
    const replies: Buffer[] = [];
    reader.on('data', (c: Buffer) => replies.push(c));
    reader.write(Buffer.from(encodeFrame(0x02, 0xa4, [0x0f])));
    await waitFor(() => (Buffer.concat(replies).includes('G60FD1SYv010104') ? true : undefined));
  });

  it('MR60FDA2 over a PTY: a fall arrives and configuration commands are answered', async () => {
    const pair = await createPtyPair();
    cleanups.push(() => pair.close());
    const sim = new Mr60fda2Simulator({ presenceMs: 200 });
    const attached = await attachToSerialPath(sim, pair.a, { baudRate: 115200 });
    cleanups.push(() => attached.close());
    const reader = await new Promise<SerialPort>((resolve, reject) => {
      const p: SerialPort = new SerialPort(
        { path: pair.b, baudRate: 115200, lock: false },
        (err) => (err ? reject(err) : resolve(p)),
      );
    });
    cleanups.push(() => new Promise<void>((r) => (reader.isOpen ? reader.close(() => r()) : r())));
    const session = createMr60fda2Session();
    const replies = new Mr60fda2Decoder();
    const readings: DeviceReading[] = [];
    const reports: string[] = [];
    reader.on('data', (chunk: Buffer) => {
      readings.push(...session.push(new Uint8Array(chunk)));
      for (const m of replies.push(new Uint8Array(chunk))) reports.push(JSON.stringify(m.report));
    });
    await waitFor(() => (session.stats().framesOk > 0 ? true : undefined));
    sim.trigger('fall');
    await waitFor(() => readings.find(isFallRaise));
    reader.write(Buffer.from(encodeSetInstallHeight(2.7, 0x8000)));
    reader.write(Buffer.from(encodeGetParameters(0x8001)));
    await waitFor(() =>
      reports.some((r) => r.includes('"installHeightM":2.7')) ? true : undefined,
    );
    expect(session.stats().decodeErrors).toBe(0);
  });

  it('rejects when the path does not exist', async () => {
    await expect(
      attachToSerialPath(new Mr60fda1Simulator(), '/dev/pts/does-not-exist'),
    ).rejects.toThrow();
  });
});

describe('serveTcpSerial', () => {
  it('streams device bytes to a TCP client and passes client bytes to the device', async () => {
    const sim = new Mr60fda1Simulator({ heartbeatMs: 100 });
    const server = await serveTcpSerial(sim, { host: '127.0.0.1', port: 0 });
    cleanups.push(() => server.close());
    expect(server.port).toBeGreaterThan(0);

    const socket = net.connect(server.port, '127.0.0.1');
    cleanups.push(() => {
      socket.destroy();
      return Promise.resolve();
    });
    const session = createMr60fda1Session();
    const readings: DeviceReading[] = [];
    const raw: Buffer[] = [];
    socket.on('data', (c: Buffer) => {
      raw.push(c);
      readings.push(...session.push(new Uint8Array(c)));
    });
    await new Promise<void>((r) => socket.once('connect', () => r()));
    await waitFor(() => (session.stats().framesOk > 0 ? true : undefined));
    sim.trigger('fall');
    await waitFor(() => readings.find(isFallRaise));
    socket.write(Buffer.from(encodeFrame(0x02, 0xa4, [0x0f])));
    await waitFor(() => (Buffer.concat(raw).includes('G60FD1SYv010104') ? true : undefined));
  });

  it('refuses clients beyond the limit and closes cleanly', async () => {
    const server = await serveTcpSerial(new Mr60fda1Simulator(), { maxClients: 1 });
    cleanups.push(() => server.close());
    const first = net.connect(server.port, '127.0.0.1');
    cleanups.push(() => {
      first.destroy();
      return Promise.resolve();
    });
    await new Promise<void>((r) => first.once('connect', () => r()));
    await new Promise((r) => setTimeout(r, 50));
    const second = net.connect(server.port, '127.0.0.1');
    const closed = await new Promise<boolean>((r) => {
      second.once('close', () => r(true));
      second.once('error', () => r(true));
    });
    expect(closed).toBe(true);
    await server.close();
    await expect(
      new Promise((resolve, reject) => {
        const s = net.connect(server.port, '127.0.0.1');
        s.once('connect', () => {
          s.destroy();
          resolve('connected');
        });
        s.once('error', reject);
      }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
