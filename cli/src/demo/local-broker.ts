/**
 * A home's local MQTT broker in the demo: where its Zigbee2MQTT (simulated) publishes and its
 * gateway subscribes, as a Mosquitto on the gateway box would be in a real home. Loopback only
 * and without accounts: nothing outside this machine can reach it, and in a home it is the
 * gateway's own broker, not the hub's.
 */
import { createServer, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface LocalBroker {
  url: string;
  close(): Promise<void>;
}

export async function startLocalBroker(): Promise<LocalBroker> {
  const broker = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    broker.handle(socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        // Clients that are still connected would keep the server open: cut them.
        for (const socket of sockets) socket.destroy();
        broker.close(() => server.close(() => resolve()));
      }),
  };
}
