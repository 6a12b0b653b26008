/**
 * Serves a SimulatedDevice over TCP the way an RS-485-to-Ethernet converter (a "TCP serial
 * server") does in transparent mode: every connected client sees the bus bytes, and what a
 * client sends goes onto the bus (here: into `sim.receive`).
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { SimulatedDevice } from '../driver.js';

export interface TcpSerialServer {
  host: string;
  /** The bound port (useful when 0 was asked for). */
  port: number;
  /** Stops the device, drops the clients and closes the listener. Idempotent. */
  close(): Promise<void>;
}

export interface TcpSerialOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Converters accept few clients; extra connections are refused (default 4). */
  maxClients?: number;
  /** A client that does not read is dropped once this many bytes wait for it (default 64 KiB). */
  maxBufferedBytes?: number;
  logger?: Logger;
}

export async function serveTcpSerial(
  sim: SimulatedDevice,
  options: TcpSerialOptions = {},
): Promise<TcpSerialServer> {
  const host = options.host ?? '127.0.0.1';
  const maxClients = options.maxClients ?? 4;
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024;
  const logger = options.logger;
  const clients = new Set<net.Socket>();
  let closed = false;

  const server = net.createServer((socket) => {
    if (closed || clients.size >= maxClients) {
      logger?.warn({ remote: socket.remoteAddress }, 'tcp serial server: client refused (limit)');
      socket.destroy();
      return;
    }
    clients.add(socket);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      if (!closed) sim.receive(new Uint8Array(chunk));
    });
    socket.on('error', (err) => logger?.debug({ err }, 'tcp serial server: client error'));
    socket.on('close', () => clients.delete(socket));
  });

  sim.onTransmit((bytes) => {
    if (closed) return;
    for (const socket of clients) {
      if (socket.writableLength > maxBuffered) {
        logger?.warn({ remote: socket.remoteAddress }, 'tcp serial server: slow client dropped');
        socket.destroy();
        continue;
      }
      socket.write(bytes);
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger?.error({ err }, 'tcp serial server error'));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  sim.start();
  logger?.info({ host, port, driver: sim.driverId }, 'simulated device served over TCP');

  return {
    host,
    port,
    close: async () => {
      if (closed) return;
      closed = true;
      sim.stop();
      for (const socket of clients) socket.destroy();
      clients.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
