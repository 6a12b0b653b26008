/**
 * Opens a TCP serial server (`tcp://host:port`): an RS-485/RS-232-to-Ethernet converter in
 * transparent ("raw socket") mode, where the TCP stream carries the serial bytes unchanged.
 */
import { connect, type Socket } from 'node:net';
import type { ByteLink, LinkOpener } from './byte-transport.js';

export function parseTcpPort(port: string): { host: string; port: number } | null {
  const match = /^tcp:\/\/([^/:]+):(\d{1,5})$/.exec(port);
  if (!match) return null;
  const number = Number(match[2]);
  if (number < 1 || number > 65535) return null;
  return { host: match[1] ?? '', port: number };
}

export function tcpSerialOpener(host: string, port: number, connectTimeoutMs = 10_000): LinkOpener {
  return (handlers) =>
    new Promise<ByteLink>((resolve, reject) => {
      const socket: Socket = connect({ host, port });
      let connected = false;
      let ended = false;
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timeout after ${connectTimeoutMs} ms`)),
        connectTimeoutMs,
      );
      socket.on('connect', () => {
        clearTimeout(timer);
        connected = true;
        socket.setNoDelay(true);
        // Converters often vanish without a FIN (power cut); keepalive finds out eventually.
        socket.setKeepAlive(true, 15_000);
        resolve({
          write: (bytes) =>
            new Promise<void>((done, fail) => {
              socket.write(bytes, (err) => (err ? fail(err) : done()));
            }),
          close: () =>
            new Promise<void>((done) => {
              ended = true;
              if (socket.destroyed) {
                done();
                return;
              }
              socket.once('close', () => done());
              socket.destroy();
            }),
        });
      });
      socket.on('data', (chunk: Buffer) => handlers.onData(chunk));
      let lastError: Error | undefined;
      socket.on('error', (err) => {
        lastError = err;
        if (!connected) {
          clearTimeout(timer);
          reject(err);
        }
      });
      socket.on('close', () => {
        if (!connected || ended) return;
        ended = true;
        handlers.onClose(lastError ?? new Error('connection closed by the serial server'));
      });
    });
}
