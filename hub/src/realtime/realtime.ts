/**
 * Socket.IO for consoles, installers and families: connections are authenticated by the same
 * session cookie as REST (unauthenticated connections are refused at the handshake) and joined
 * only to the rooms their scope allows (auth/scope.ts: everything, their areas, or their homes),
 * so `alarm:new` / `alarm:updated` reach only those who may see the alarm. `alarms:sync` answers
 * with every unresolved alarm in scope, in queue order, which clients call on each (re)connect.
 */
import type { Server as HttpServer } from 'node:http';
import { fastifyCookie } from '@fastify/cookie';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import {
  SESSION_COOKIE,
  type AlarmDto,
  type ClientToServerEvents,
  type EscalationDto,
  type GatewayCommandDto,
  type GatewayControlDto,
  type OpsChangeKind,
  type OpsChangedEvent,
  type ServerToClientEvents,
} from '@anxin/protocol';
import type { AlarmCareFields } from '../alarms/rows.js';
import { mayDo, type ReadAction } from '../auth/policy.js';
import type { HubEvents } from '../events/hub-events.js';
import { userRoom, type Scope, type ScopeResolver } from '../auth/scope.js';
import type { Authenticator } from '../http/auth.js';
import type { SessionInfo } from '../store/users.js';
import type { HubPart } from '../lifecycle.js';
import { preciseNow } from '../ingest/alarm-trace.js';

/** Who may hear of a change: whoever may read that kind of record (auth/policy.ts). */
const READ_ACTION: Record<OpsChangeKind, ReadAction> = {
  service_request: 'service_request.read',
  welfare_check: 'welfare.read',
  welfare_plan: 'welfare.read',
  work_order: 'work_order.read',
};

interface SocketData {
  session: SessionInfo;
  scope: Scope;
}

export class Realtime implements HubPart {
  readonly name = 'realtime';
  /** The chain that keeps alarm pushes in order (see alarmsChanged). */
  private pushes: Promise<void> = Promise.resolve();
  /** When the last alarm push was emitted (preciseNow): the alarm trace's pushedAt. */
  private lastAlarmEmitAt = 0;
  /** Pushes in the chain not yet emitted: while any wait, a new push queues behind them. */
  private waiting = 0;
  private io:
    | Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>
    | undefined;

  constructor(
    private readonly deps: {
      auth: Authenticator;
      scopes: ScopeResolver;
      /** Unresolved alarms in the scope, in queue order. */
      unresolvedAlarms: (scope: Scope) => Promise<AlarmDto[]>;
      /**
       * Adds the care-model fields (residentId, responders) to alarms about to be pushed, so
       * `alarm:new` / `alarm:updated` carry what REST and `alarms:sync` carry (ScopedAlarms).
       */
      enrichAlarms: (alarms: readonly AlarmDto[]) => Promise<AlarmDto[]>;
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
      this.deps.auth
        .sessionFromToken(token, Date.now())
        .then(async (session) =>
          session ? { session, scope: await this.deps.scopes.scopeOf(session.user) } : undefined,
        )
        .then(
          (found) => {
            if (!found) return next(new Error('UNAUTHENTICATED'));
            socket.data.session = found.session;
            socket.data.scope = found.scope;
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
      void socket.join([...this.deps.scopes.roomsForScope(socket.data.scope), userRoom(user.id)]);
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
        this.deps.unresolvedAlarms(socket.data.scope).then(
          (alarms) => reply({ alarms, serverTime: new Date().toISOString() }),
          (err: unknown) => this.deps.log.error({ err }, 'alarms:sync failed'),
        );
      });
    });
    this.io = io;
  }

  /**
   * Several hubs (cluster/redis-adapter.ts): rooms span every hub, so a push from any hub reaches
   * every console in scope. Called after attach(), before consoles connect.
   */
  useAdapter(adapter: Parameters<NonNullable<Realtime['io']>['adapter']>[0]): void {
    this.io?.adapter(adapter);
  }

  alarmNew(alarm: AlarmDto): void {
    this.alarmsChanged([alarm], []);
  }

  alarmUpdated(alarm: AlarmDto): void {
    this.alarmsChanged([], [alarm]);
  }

  /**
   * Pushes created (`alarm:new`) and changed (`alarm:updated`) alarms with their care-model fields
   * (residentId, responders). Pushes leave in the order they were made (one chain), so an alarm's
   * `alarm:new` is never overtaken by its first `alarm:updated`.
   *
   * `careFields` are the fields the alarm's writer already knows (a device's new alarm: see
   * alarms/device-batches.ts); when every alarm has them and no push is waiting ahead, the push is
   * emitted at once, with no SQL read between the commit and the console. The others are read in
   * one batch (ScopedAlarms.enrichMany); if that fails the alarm still goes out as it is: a
   * console must hear of an alarm even without its resident.
   */
  alarmsChanged(
    created: readonly AlarmDto[],
    updated: readonly AlarmDto[],
    careFields: ReadonlyMap<string, AlarmCareFields> = new Map(),
  ): void {
    if (created.length === 0 && updated.length === 0) return;
    const all = [...created, ...updated];
    if (this.waiting === 0 && all.every((a) => careFields.has(a.id))) {
      try {
        this.emitAlarms(withCareFields(all, careFields, []), created.length);
      } catch (err) {
        this.deps.log.error({ err }, 'alarm push failed');
      }
      return;
    }
    this.waiting += 1;
    this.pushes = this.pushes
      .then(() => this.readCareFields(all.filter((a) => !careFields.has(a.id))))
      .then((read) => this.emitAlarms(withCareFields(all, careFields, read), created.length))
      .catch((err: unknown) => this.deps.log.error({ err }, 'alarm push failed'))
      .finally(() => {
        this.waiting -= 1;
      });
  }

  /** The missing alarms enriched by SQL, in the same order; as they are if that fails. */
  private async readCareFields(missing: AlarmDto[]): Promise<AlarmDto[]> {
    if (missing.length === 0) return [];
    return this.deps.enrichAlarms(missing).catch((err: unknown) => {
      this.deps.log.warn({ err }, 'alarm push not enriched (sent as it is)');
      return missing;
    });
  }

  private emitAlarms(alarms: readonly AlarmDto[], createdCount: number): void {
    alarms.forEach((alarm, i) => {
      const event = i < createdCount ? 'alarm:new' : 'alarm:updated';
      this.io?.to(this.deps.scopes.roomsForHome(alarm.homeId)).emit(event, alarm);
    });
    this.lastAlarmEmitAt = preciseNow();
  }

  /** Resolves when every push made so far has been sent (tests, shutdown). */
  flushPushes(): Promise<void> {
    return this.pushes;
  }

  /** As flushPushes, with the moment (preciseNow) the last alarm push was emitted (the trace). */
  async pushesEmittedAt(): Promise<number> {
    await this.pushes;
    return this.lastAlarmEmitAt;
  }

  /** Drops a user's sockets (scope or rights changed); they reconnect with the new scope. */
  /**
   * An escalation step (escalation/escalator.ts): to supervisors and admins whose scope holds the
   * home, and to the named users (family contacts being called).
   */
  escalation(escalation: EscalationDto, userIds: string[]): void {
    const io = this.io;
    if (!io) return;
    io.in(this.deps.scopes.roomsForHome(escalation.homeId))
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          const role = s.data.session.user.role;
          if (role === 'supervisor' || role === 'admin') s.emit('alarm:escalation', escalation);
        }
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'escalation push failed'));
    if (userIds.length > 0) io.to(userIds.map(userRoom)).emit('alarm:escalation', escalation);
  }

  /**
   * A gateway's command result or configuration state (issue 10): to the staff whose scope holds
   * the home (the roles that see gateways), not to family members.
   */
  gatewayControl(
    homeId: string,
    push:
      | { event: 'gateway:command'; payload: GatewayCommandDto }
      | { event: 'gateway:control'; payload: GatewayControlDto },
  ): void {
    const io = this.io;
    if (!io) return;
    io.in(this.deps.scopes.roomsForHome(homeId))
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          if (!mayDo(s.data.session.user.role, 'gateway.list')) continue;
          if (push.event === 'gateway:command') s.emit('gateway:command', push.payload);
          else s.emit('gateway:control', push.payload);
        }
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'gateway control push failed'));
  }

  /**
   * A care-operation record changed (issue 13): `ops:changed` with its ids only, to the sockets
   * the alarm of its home would reach (same rooms) whose role may read that kind of record, and
   * of family members only those following its resident (as the REST lists scope them).
   */
  operationsChanged(change: HubEvents['operations:changed']): void {
    const io = this.io;
    if (!io) return;
    const payload: OpsChangedEvent = { kind: change.kind, id: change.id, areaId: change.areaId };
    const { residentId } = change;
    io.in(this.deps.scopes.roomsForHome(change.homeId))
      .fetchSockets()
      .then((sockets) => {
        for (const s of sockets) {
          if (!mayDo(s.data.session.user.role, READ_ACTION[change.kind])) continue;
          const scope = s.data.scope;
          const byResident = scope.kind === 'homes' && scope.residentIds !== undefined;
          if (
            byResident &&
            (residentId === null || !this.deps.scopes.residentInScope(scope, residentId))
          )
            continue;
          s.emit('ops:changed', payload);
        }
      })
      .catch((err: unknown) => this.deps.log.error({ err }, 'operations push failed'));
  }

  disconnectUser(userId: string): void {
    this.io?.in(userRoom(userId)).disconnectSockets(true);
  }

  get clientCount(): number {
    return this.io?.engine.clientsCount ?? 0;
  }

  /**
   * Nothing to start: Socket.IO is attached to the HTTP server at build and answers once that
   * server listens (the hub's last part).
   */
  start(): Promise<void> {
    return Promise.resolve();
  }

  /** Disconnects this hub's consoles after the pushes under way. */
  async stop(): Promise<void> {
    const io = this.io;
    if (!io) return;
    await this.pushes;
    // Only this hub's sockets: with the Redis adapter, io.disconnectSockets would reach every hub.
    io.local.disconnectSockets(true);
    // io.close() would also close the HTTP server; Fastify does that.
    io.engine.close();
    this.io = undefined;
  }
}

/**
 * `all` with their care fields: from `known` where the writer knew them, else the next of `read`
 * (the others enriched by SQL, in the same order).
 */
function withCareFields(
  all: readonly AlarmDto[],
  known: ReadonlyMap<string, AlarmCareFields>,
  read: readonly AlarmDto[],
): AlarmDto[] {
  let next = 0;
  return all.map((alarm) => {
    const fields = known.get(alarm.id);
    if (fields)
      return { ...alarm, residentId: fields.residentId, responders: [...fields.responders] };
    const enriched = read[next];
    next += 1;
    return enriched ?? alarm;
  });
}
