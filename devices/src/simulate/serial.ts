/** Attaches a SimulatedDevice to a real serial port (a PTY end, or a USB-serial adapter). */
import type { Logger } from 'pino';
import { SerialPort } from 'serialport';
import type { SerialSettings, SimulatedDevice } from '../driver.js';

export interface AttachedSimulator {
  readonly path: string;
  /** Stops the device and closes the port. Idempotent. */
  close(): Promise<void>;
}

const DEFAULT_SETTINGS: SerialSettings = {
  baudRate: 9600,
  dataBits: 8,
  parity: 'none',
  stopBits: 1,
};

/**
 * Opens `path`, routes the device's bytes to the port and the port's bytes to `sim.receive`, and
 * starts the device. Rejects with the serialport error if the port cannot be opened.
 */
export async function attachToSerialPath(
  sim: SimulatedDevice,
  path: string,
  settings: Partial<SerialSettings> = {},
  logger?: Logger,
): Promise<AttachedSimulator> {
  const s = { ...DEFAULT_SETTINGS, ...settings };
  const port = await new Promise<SerialPort>((resolve, reject) => {
    const p: SerialPort = new SerialPort(
      {
        path,
        baudRate: s.baudRate,
        dataBits: s.dataBits,
        parity: s.parity,
        stopBits: s.stopBits,
        lock: false,
      },
      (err) => (err ? reject(err) : resolve(p)),
    );
  });
  let closed = false;
  port.on('data', (chunk: Buffer) => {
    if (!closed) sim.receive(new Uint8Array(chunk));
  });
  port.on('error', (err) => logger?.warn({ err, path }, 'simulated device: serial port error'));
  sim.onTransmit((bytes) => {
    // SimulatedDevice has no way to unsubscribe: after close, its bytes are dropped here.
    if (closed) return;
    port.write(Buffer.from(bytes), (err) => {
      if (err && !closed) logger?.warn({ err, path }, 'simulated device: write failed');
    });
  });
  sim.start();
  logger?.info({ path, driver: sim.driverId }, 'simulated device attached to serial port');
  return {
    path,
    close: async () => {
      if (closed) return;
      closed = true;
      sim.stop();
      if (!port.isOpen) return;
      await new Promise<void>((resolve) => port.close(() => resolve()));
    },
  };
}
