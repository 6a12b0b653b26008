/** Opens a local serial port (USB-RS485 adapter, UART) by path with `serialport`. */
import { SerialPort } from 'serialport';
import type { SerialSettings } from '@anxin/devices';
import type { ByteLink, LinkOpener } from './byte-transport.js';

export function serialPortOpener(path: string, settings: SerialSettings): LinkOpener {
  return (handlers) =>
    new Promise<ByteLink>((resolve, reject) => {
      const port = new SerialPort({
        path,
        baudRate: settings.baudRate,
        dataBits: settings.dataBits,
        parity: settings.parity,
        stopBits: settings.stopBits,
        autoOpen: false,
      });
      let opened = false;
      // 'error' after open (e.g. EIO on an unplugged adapter) is followed by 'close' or not,
      // depending on the OS; treat either as the end of this link, once.
      let ended = false;
      const end = (err?: Error) => {
        if (ended || !opened) return;
        ended = true;
        if (port.isOpen) port.close(() => undefined);
        handlers.onClose(err);
      };
      port.on('data', (chunk: Buffer) => handlers.onData(chunk));
      port.on('error', (err: Error) => end(err));
      port.on('close', (err: Error | null) => end(err ?? undefined));
      port.open((err) => {
        if (err) {
          reject(err);
          return;
        }
        opened = true;
        resolve({
          write: (bytes) =>
            new Promise<void>((done, fail) => {
              port.write(Buffer.from(bytes), (writeErr) => {
                if (writeErr) fail(writeErr);
                else port.drain((drainErr) => (drainErr ? fail(drainErr) : done()));
              });
            }),
          close: () =>
            new Promise<void>((done) => {
              ended = true;
              if (!port.isOpen) {
                done();
                return;
              }
              port.close(() => done());
            }),
        });
      });
    });
}
