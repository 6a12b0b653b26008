/**
 * DL/T 645 meter simulators sharing one RS-485 bus, as meters are wired in a home's meter box: a
 * socat pseudo-terminal pair whose device end every meter hears and answers only when addressed,
 * at the standard's default 2400 bit/s, 8E1 (as devices/src/dlt645/descriptor.ts). The gateway
 * opens the other end. `garble` is noise on the line: an answer it picks arrives with its checksum
 * byte flipped (the frame's second-to-last), so the gateway's decoder must count it and drop it.
 */
import { SerialPort } from 'serialport';
import type { Dlt645Simulator } from '@anxin/devices';
import type { Cleanups } from './managed.js';
import { openPtyPair, type PtyPair } from './pty.js';

export async function openMeterBus(
  cleanups: Cleanups,
  meters: readonly Dlt645Simulator[],
  garble: (meter: Dlt645Simulator) => boolean = () => false,
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
    meter.onTransmit((bytes) => {
      const line = Buffer.from(bytes);
      if (garble(meter) && line.length >= 2) line[line.length - 2] = (line.at(-2) ?? 0) ^ 0xff;
      bus.write(line);
    });
    bus.on('data', (chunk: Buffer) => meter.receive(new Uint8Array(chunk)));
  }
  return pty;
}
