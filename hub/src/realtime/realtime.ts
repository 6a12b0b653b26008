/**
 * Socket.IO for consoles: connections are authenticated by the same session cookie as REST
 * (unauthenticated or unauthorised connections are refused at the handshake), joined to the
 * consoles room, and sent `alarm:new` / `alarm:updated`. `alarms:sync` answers with every
 * unresolved alarm in queue order, which consoles call on each (re)connect (realtime.ts).
 */
import type { Server as HttpServer } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import {
  SESSION_COOKIE,
  type AlarmDto,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@anxin/protocol';
import type { Authenticator } from '../http/auth.js';
import { CONSOLE_ROLES } from '../http/auth.js';
import type { SessionInfo } from '../store/users.js';

interface SocketData {
  session: SessionInfo;
}

const CONSOLES_ROOM = 'consoles';

export class Realtime {
  private io:
    | Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
    | undefined;

  constructor(
    private readonly deps: {
      auth: Authenticator;
      unresolvedAlarms: () => Promise<AlarmDto[]>;
      log: Logger;
    },
  ) {}

  attach(server: HttpServer): void {
    const io = new Server<
      ClientToServerEvents,
      ServerToClientEvents,
      Record<string, never>,
      SocketData
    >(server, {
      serveClient: false,
      // Consoles are served by this hub (same origin). A browser page elsewhere must not ride on
      // an operator's cookie: refuse handshakes whose Origin is not this host (WebSockets are
      // not covered by CORS). Clients that send no Origin (tools, tests) are not browsers.
      allowRequest: (req, callback) => {
        const origin = req.headers.origin;
        if (!origin) return callback(null, true);
        let originHost = '';
        try {
          originHost = new URL(origin).host;
        } catch {
          return callback(null, false);
        }
        callback(null, originHost === req.headers.host);
      },
      maxHttpBufferSize: 64 * 1024,
    });
    io.use((socket, next) => {
      const header = socket.handshake.headers.cookie;
      const token = header ? fastifyCookie.parse(header)[SESSION_COOKIE] : undefined;
      this.deps.auth.sessionFromToken(token, Date.now()).then(
        (session) => {
          if (!session) return next(new Error('UNAUTHENTICATED'));
          if (!CONSOLE_ROLES.includes(session.user.role)) return next(new Error('FORBIDDEN'));
          socket.data.session = session;
          next();
        },
        (err: unknown) => {
          this.deps.log.error({ err }, 'socket session check failed');
          next(new Error('INTERNAL'));
        },
      );
    });
    io.on('connection', (socket) => {
      const { user, expiresAt } = socket.data.session;
      void socket.join(CONSOLES_ROOM);
      this.deps.log.info({ user: user.username, id: socket.id }, 'console connected');
      // A socket must not outlive its session.
      const expiry = setTimeout(
        () => socket.disconnect(true),
        Math.max(0, Math.min(expiresAt - Date.now(), 2 ** 31 - 1)),
      );
      socket.on('disconnect', (reason) => {
        clearTimeout(expiry);
        this.deps.log.info({ user: user.username, reason }, 'console disconnected');
      });
      socket.on('alarms:sync', (reply) => {
        if (typeof reply !== 'function') return;
        this.deps.unresolvedAlarms().then(
          (alarms) => reply({ alarms, serverTime: new Date().toISOString() }),
          (err: unknown) => this.deps.log.error({ err }, 'alarms:sync failed'),
        );
      });
    });
    this.io = io;
  }

  alarmNew(alarm: AlarmDto): void {
    this.io?.to(CONSOLES_ROOM).emit('alarm:new', alarm);
  }

  alarmUpdated(alarm: AlarmDto): void {
    this.io?.to(CONSOLES_ROOM).emit('alarm:updated', alarm);
  }

  get clientCount(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  async close(): Promise<void> {
    const io = this.io;
    if (!io) return;
    io.disconnectSockets(true);
    // io.close() would also close the HTTP server; Fastify does that.
    io.engine.close();
    this.io = undefined;
    await Promise.resolve();
  }
}
