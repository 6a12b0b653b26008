/**
 * DL/T 645 meter simulators sharing one RS-485 bus, as meters are wired in a home's meter box: a
 * socat pseudo-terminal pair whose device end every meter hears and answers only when addressed,
 * at the standard's default 2400 bit/s, 8E1 (as devices/src/dlt645/descriptor.ts). The gateway
 * opens the other end.
 */
import { SerialPort } from 'serialport';
import type { Dlt645Simulator } from '@anxin/devices';
import type { Cleanups } from './managed.js';
import { openPtyPair, type PtyPair } from './pty.js';

export async function openMeterBus(
  cleanups: Cleanups,
  meters: readonly Dlt645Simulator[],
): Promise<PtyPair> {
  const pty = await openPtyPair();
  cleanups.push(() => pty.close());
  const bus = new SerialPort({
    path: pty.deviceSide,
    baudRate: 2400,
    parity: 'even',
    autoOpen: false,
  });
  await new Promise<void>((resolve, reject) => bus.open((err) => (err ? reject(err) : resolve())));
  cleanups.push(() => new Promise<void>((resolve) => bus.close(() => resolve())));
  for (const meter of meters) {
    meter.onTransmit((bytes) => bus.write(Buffer.from(bytes)));
    bus.on('data', (chunk: Buffer) => meter.receive(new Uint8Array(chunk)));
  }
  return pty;
}
