/**
 * Test scaffolding: a real aedes MQTT broker on a loopback TCP port, that can be stopped (all
 * connections cut) and started again on the same port.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type Client } from 'aedes';

export interface TestBroker {
  port: number;
  url: string;
  /** Cuts every connection and stops listening (the "broker went away" fault). */
  stop(): Promise<void>;
  /** Listens again on the same port with a fresh broker (sessions are gone, like a restart). */
  restart(): Promise<void>;
  /** Drops one client's TCP connection without a DISCONNECT (so its last will is published). */
  cutClient(clientId: string): boolean;
}

export interface TestBrokerOptions {
  port?: number;
  /** Returns true to accept; false makes the broker answer CONNACK 5 (not authorized). */
  authenticate?: (username: string | undefined, password: string | undefined) => boolean;
  /** PEM key and certificate: listen with TLS (mqtts://). */
  tls?: { key: string; cert: string };
  /**
   * Holds one client's SUBSCRIBEs this long before granting them (a busy broker): PUBLISHes read
   * with them are routed meanwhile, and what they cause finds no subscription yet.
   */
  holdSubscribe?: { clientId: string; ms: number };
  /** Holds every CONNECT this long before answering it (a broker slow to accept). */
  connectDelayMs?: number;
  /** Called as a client's subscription is granted (before the SUBACK is written). */
  onSubscribe?: (clientId: string, topic: string) => void;
}

export async function startBroker(options: TestBrokerOptions = {}): Promise<TestBroker> {
  let server: Server | null = null;
  let broker: Aedes | null = null;
  const sockets = new Set<Socket>();
  const clients = new Map<string, Client>();
  let port = options.port ?? 0;

  async function listen(): Promise<void> {
    const instance = await Aedes.createBroker({ maxClientsIdLength: 64 });
    const { authenticate: auth, connectDelayMs } = options;
    if (auth || connectDelayMs !== undefined) {
      instance.authenticate = (_client, username, password, done) => {
        setTimeout(() => {
          if (!auth || auth(username, password?.toString())) {
            done(null, true);
          } else {
            const err = Object.assign(new Error('not authorized'), { returnCode: 5 as const });
            done(err, false);
          }
        }, connectDelayMs ?? 0);
      };
    }
    const { holdSubscribe, onSubscribe } = options;
    if (holdSubscribe || onSubscribe) {
      instance.authorizeSubscribe = (client, sub, done) => {
        const holdMs = client?.id === holdSubscribe?.clientId ? (holdSubscribe?.ms ?? 0) : 0;
        setTimeout(() => {
          if (client) onSubscribe?.(client.id, sub.topic);
          done(null, sub);
        }, holdMs);
      };
    }
    instance.on('client', (client) => clients.set(client.id, client));
    const onSocket = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      instance.handle(socket);
    };
    const srv: Server = options.tls
      ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onSocket)
      : createServer(onSocket);
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(port, '127.0.0.1', () => resolve());
    });
    const address = srv.address();
    if (address && typeof address === 'object') port = address.port;
    server = srv;
    broker = instance;
  }

  async function stop(): Promise<void> {
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    const srv = server;
    const instance = broker;
    server = null;
    broker = null;
    if (srv) await new Promise<void>((resolve) => srv.close(() => resolve()));
    if (instance) await new Promise<void>((resolve) => instance.close(() => resolve()));
  }

  await listen();
  return {
    get port() {
      return port;
    },
    get url() {
      return `${options.tls ? 'mqtts' : 'mqtt'}://127.0.0.1:${port}`;
    },
    stop,
    restart: listen,
    cutClient(clientId) {
      const client = clients.get(clientId);
      if (!client) return false;
      clients.delete(clientId);
      client.conn.destroy();
      return true;
    },
  };
}
