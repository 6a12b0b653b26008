/**
 * Opens what `anxin scan` probes: a serial port by path (serialport) or a TCP serial server
 * (`tcp://host:port`, an RS-485-to-Ethernet converter in transparent mode), as a ScanPort.
 */
import { connect, type Socket } from 'node:net';
import type { ScanPort } from '@anxin/devices';
import { SerialPort } from 'serialport';

export interface OpenedScanPort extends ScanPort {
  close(): Promise<void>;
}

export interface SerialLineSettings {
  baudRate: number;
  parity: 'none' | 'even' | 'odd';
  dataBits: 7 | 8;
  stopBits: 1 | 2;
}

function listeners() {
  const set = new Set<(chunk: Uint8Array) => void>();
  return {
    emit: (chunk: Uint8Array) => set.forEach((cb) => cb(chunk)),
    onData: (cb: (chunk: Uint8Array) => void) => {
      set.add(cb);
      return () => void set.delete(cb);
    },
  };
}

export async function openScanPort(
  target: string,
  settings: SerialLineSettings,
): Promise<OpenedScanPort> {
  const data = listeners();
  const tcp = /^tcp:\/\/([^/:]+):(\d{1,5})$/.exec(target);
  if (tcp?.[1] && tcp[2]) {
    const socket: Socket = await new Promise((resolve, reject) => {
      const s = connect({ host: tcp[1], port: Number(tcp[2]) }, () => resolve(s));
      s.once('error', reject);
    });
    socket.on('data', (chunk: Buffer) => data.emit(chunk));
    socket.on('error', () => undefined); // surfaced as failed writes / no replies
    return {
      onData: data.onData,
      write: (bytes) =>
        new Promise((resolve, reject) =>
          socket.write(bytes, (err) => (err ? reject(err) : resolve())),
        ),
      close: () => new Promise((resolve) => socket.end(() => resolve())),
    };
  }
  const port = new SerialPort({ path: target, ...settings, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  port.on('data', (chunk: Buffer) => data.emit(chunk));
  return {
    onData: data.onData,
    write: (bytes) =>
      new Promise((resolve, reject) =>
        port.write(Buffer.from(bytes), (err) => (err ? reject(err) : port.drain(() => resolve()))),
      ),
    close: () => new Promise((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve())),
  };
}
