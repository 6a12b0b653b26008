/**
 * A stand-in for the hub, for the console's own browser test: serves web/dist, the REST routes
 * the console uses (protocol/src/api.ts) and a real Socket.IO server with the realtime contract
 * (protocol/src/realtime.ts), all on one loopback origin like the real hub. The lead's end-to-end
 * test runs the console against the real hub; this one lets web/ be tested on its own.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import {
  ALARM_OUTCOMES,
  ALARM_PRIORITY,
  SESSION_COOKIE,
  type AlarmDto,
  type AlarmKind,
  type AlarmTriggerDto,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@anxin/protocol';
import { Server as SocketServer } from 'socket.io';
import { FakeCare, FAKE_USERS, type FakeUser } from './fakeCare';
import { handleCareRoute } from './fakeCareRoutes';
import {
  CONTENT_TYPES,
  cookieValue,
  currentSequence,
  nextId,
  readBody,
  sendError,
  sendJson,
} from './fakeHttp';
import { matchFakeRoute } from './fakeRoutes';

export { FAKE_USERS } from './fakeCare';
/** The operator (the console test signs in as them). */
export const FAKE_USER = FAKE_USERS.operator;

export interface FakeHub {
  url: string;
  alarms: Map<string, AlarmDto>;
  care: FakeCare;
  /** Records a telemetry point (as a gateway would) for the live readings and charts. */
  telemetry(gatewayId: string, deviceId: string, field: string, value: number | boolean): void;
  /** Stores an alarm and pushes `alarm:new` (unless `push` is false: a push "lost" in transit). */
  raise(kind: AlarmKind, overrides?: Partial<AlarmDto>, push?: boolean): AlarmDto;
  /** Another operator takes the alarm; pushed only if `push`. */
  acknowledgeAs(id: string, user: string, push: boolean): AlarmDto;
  /** Another operator resolves the alarm; pushed only if `push`. */
  resolveAs(id: string, user: string, push: boolean): AlarmDto;
  /** Ends every session (as at expiry) and drops their sockets. */
  expireSessions(): void;
  /** Drops every socket and refuses new ones (hub unreachable for the console) until `true`. */
  setSocketsUp(up: boolean): void;
  socketCount(): number;
  loginAttempts: number;
  close(): Promise<void>;
}

export async function startFakeHub(distDir: string): Promise<FakeHub> {
  const alarms = new Map<string, AlarmDto>();
  const timelines = new Map<string, AlarmTriggerDto[]>();
  const sessions = new Map<string, FakeUser>();
  const care = new FakeCare();
  const users: FakeUser[] = Object.values(FAKE_USERS);
  let socketsUp = true;
  let failedLogins = 0;

  const userOf = (req: IncomingMessage): FakeUser | null => {
    const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
    return token === null ? null : (sessions.get(token) ?? null);
  };

  const sessionBody = (user: FakeUser) => ({
    user: { id: user.id, username: user.username, displayName: user.displayName, role: user.role },
    expiresAt: new Date(Date.now() + 12 * 3600_000).toISOString(),
  });

  const handleApi = async (
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
  ): Promise<void> => {
    // Only what fakeRoutes.ts lists (and the test checks against the hub) is answered.
    if (matchFakeRoute(req.method ?? 'GET', path) === undefined) {
      sendError(res, 404, 'NOT_FOUND', `the fake hub has no route ${req.method} ${path}`);
      return;
    }
    if (path === '/api/v1/session') {
      if (req.method === 'GET') {
        const user = userOf(req);
        if (user) sendJson(res, 200, sessionBody(user));
        else sendError(res, 401, 'UNAUTHENTICATED', 'not signed in');
        return;
      }
      if (req.method === 'POST') {
        hub.loginAttempts += 1;
        const body = await readBody(req);
        if (failedLogins >= 5) {
          sendError(res, 429, 'RATE_LIMITED', 'too many attempts', { 'retry-after': '42' });
          return;
        }
        const creds = body as { username?: unknown; password?: unknown } | null;
        const user = users.find(
          (u) => u.username === creds?.username && u.password === creds.password,
        );
        if (!user) {
          failedLogins += 1;
          sendError(res, 401, 'UNAUTHENTICATED', 'wrong username or password');
          return;
        }
        const token = `s-${nextId()}`;
        sessions.set(token, user);
        sendJson(res, 200, sessionBody(user), {
          'set-cookie': `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Lax`,
        });
        return;
      }
      if (req.method === 'DELETE') {
        const token = cookieValue(req.headers.cookie, SESSION_COOKIE);
        if (token !== null) sessions.delete(token);
        res.writeHead(204, { 'set-cookie': `${SESSION_COOKIE}=; Path=/; Max-Age=0` });
        res.end();
        return;
      }
    }
    const user = userOf(req);
    if (!user) {
      sendError(res, 401, 'UNAUTHENTICATED', 'not signed in');
      return;
    }
    const handled = await handleCareRoute({
      req,
      res,
      path,
      user,
      care,
      alarms,
      readBody,
      sendJson,
      sendError,
      update,
      broadcast,
    });
    if (handled) return;
    // Care operations (issue 13) are staged against the real hub (operations.browser.test.ts);
    // here their lists are empty so the pages that show them stay quiet.
    if (req.method === 'GET') {
      const empty: Record<string, unknown> = {
        '/api/v1/service-requests': { serviceRequests: [] },
        '/api/v1/work-orders': { workOrders: [] },
        '/api/v1/welfare-checks': { day: new Date().toISOString().slice(0, 10), checks: [] },
      };
      const body = empty[path];
      if (body !== undefined) {
        sendJson(res, 200, body);
        return;
      }
    }
    const match = /^\/api\/v1\/alarms\/([^/]+)(?:\/(acknowledge|resolve))?$/.exec(path);
    const alarm = match?.[1] !== undefined ? alarms.get(decodeURIComponent(match[1])) : undefined;
    if (!match || !alarm || !care.inScope(user, alarm.homeId)) {
      sendError(res, 404, 'NOT_FOUND', 'no such alarm');
      return;
    }
    const action = match[2];
    if (action !== undefined && (user.role === 'family' || user.role === 'installer')) {
      sendError(res, 403, 'FORBIDDEN', 'not for this role');
      return;
    }
    if (action === undefined && req.method === 'GET') {
      sendJson(res, 200, { alarm, timeline: timelines.get(alarm.id) ?? [] });
      return;
    }
    if (action === 'acknowledge' && req.method === 'POST') {
      await readBody(req);
      if (alarm.status !== 'open') {
        sendError(
          res,
          409,
          'CONFLICT',
          `already ${alarm.status} by ${alarm.acknowledgedBy ?? 'someone'}`,
        );
        return;
      }
      const updated = update(alarm.id, {
        status: 'acknowledged',
        acknowledgedAt: new Date().toISOString(),
        acknowledgedBy: user.displayName,
      });
      sendJson(res, 200, { alarm: updated });
      broadcast('alarm:updated', updated);
      return;
    }
    if (action === 'resolve' && req.method === 'POST') {
      const body = (await readBody(req)) as { outcome?: unknown; notes?: unknown } | null;
      if (!(ALARM_OUTCOMES as readonly unknown[]).includes(body?.outcome)) {
        sendError(res, 400, 'VALIDATION_FAILED', '/outcome must be one of the outcomes');
        return;
      }
      if (alarm.status === 'resolved') {
        sendError(res, 409, 'CONFLICT', 'already resolved');
        return;
      }
      const updated = update(alarm.id, {
        status: 'resolved',
        resolvedAt: new Date().toISOString(),
        resolvedBy: user.displayName,
        outcome: body?.outcome as AlarmDto['outcome'],
        notes: typeof body?.notes === 'string' ? body.notes : null,
      });
      sendJson(res, 200, { alarm: updated });
      broadcast('alarm:updated', updated);
      return;
    }
    sendError(res, 404, 'NOT_FOUND', 'no such route');
  };

  const serveStatic = async (res: ServerResponse, path: string): Promise<void> => {
    const relative = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
    if (relative.startsWith('..')) {
      sendError(res, 404, 'NOT_FOUND', 'not found');
      return;
    }
    try {
      const data = await readFile(join(distDir, relative));
      res.writeHead(200, {
        'content-type': CONTENT_TYPES[extname(relative)] ?? 'application/octet-stream',
      });
      res.end(data);
    } catch {
      const index = await readFile(join(distDir, 'index.html'));
      res.writeHead(200, { 'content-type': CONTENT_TYPES['.html'] ?? 'text/html' });
      res.end(index);
    }
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const work = path.startsWith('/api/') ? handleApi(req, res, path) : serveStatic(res, path);
    work.catch(() => {
      if (!res.headersSent) sendError(res, 400, 'VALIDATION_FAILED', 'bad request');
      else res.end();
    });
  });

  const io = new SocketServer<ClientToServerEvents, ServerToClientEvents>(server);
  io.use((socket, next) => {
    const user = userOf(socket.request);
    if (!socketsUp) next(new Error('hub unavailable'));
    else if (!user) next(new Error('UNAUTHENTICATED'));
    else {
      (socket.data as { user?: FakeUser }).user = user;
      next();
    }
  });
  /** Like the hub's rooms: each socket gets only alarms of homes in its user's scope. */
  function broadcast(event: 'alarm:new' | 'alarm:updated', alarm: AlarmDto): void {
    for (const socket of io.sockets.sockets.values()) {
      const user = (socket.data as { user?: FakeUser }).user;
      if (user && care.inScope(user, alarm.homeId)) socket.emit(event, alarm);
    }
  }
  io.on('connection', (socket) => {
    const user = (socket.data as { user?: FakeUser }).user;
    socket.on('alarms:sync', (reply) => {
      if (typeof reply !== 'function') return;
      reply({
        alarms: [...alarms.values()].filter(
          (a) => a.status !== 'resolved' && user !== undefined && care.inScope(user, a.homeId),
        ),
        serverTime: new Date().toISOString(),
      });
    });
  });

  function update(id: string, patch: Partial<AlarmDto>): AlarmDto {
    const current = alarms.get(id);
    if (!current) throw new Error(`no alarm ${id}`);
    const next = { ...current, ...patch };
    alarms.set(id, next);
    return next;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const hub: FakeHub = {
    url: `http://127.0.0.1:${port}`,
    alarms,
    care,
    telemetry(gatewayId, deviceId, field, value) {
      care.point(gatewayId, deviceId, field, value);
    },
    loginAttempts: 0,
    raise(kind, overrides = {}, push = true) {
      const now = new Date().toISOString();
      const homeId = overrides.homeId === undefined ? 'home-0001' : overrides.homeId;
      const testMode = homeId !== null && care.homes.get(homeId)?.testMode === true;
      const alarm: AlarmDto = {
        id: nextId(),
        gatewayId: 'gw-0001',
        deviceId: 'radar-1',
        homeId: 'home-0001',
        kind,
        priority: ALARM_PRIORITY[kind],
        status: 'open',
        test: testMode,
        gatewayTest: false,
        raisedAt: now,
        receivedAt: now,
        lastTriggerAt: now,
        triggerCount: 1,
        acknowledgedAt: null,
        acknowledgedBy: null,
        resolvedAt: null,
        resolvedBy: null,
        outcome: null,
        notes: null,
        cancelledByResidentAt: null,
        ...overrides,
      };
      alarms.set(alarm.id, alarm);
      timelines.set(alarm.id, [
        {
          eventId: nextId(),
          seq: currentSequence(),
          deviceId: alarm.deviceId ?? 'gateway',
          action: 'raise',
          observedAt: alarm.raisedAt,
          receivedAt: alarm.receivedAt,
          detail: kind === 'fall' ? { confidence: 0.93, room: 'bathroom' } : null,
          gatewayTest: alarm.gatewayTest,
        },
      ]);
      if (push) broadcast('alarm:new', alarm);
      return alarm;
    },
    acknowledgeAs(id, user, push) {
      const updated = update(id, {
        status: 'acknowledged',
        acknowledgedAt: new Date().toISOString(),
        acknowledgedBy: user,
      });
      if (push) broadcast('alarm:updated', updated);
      return updated;
    },
    resolveAs(id, user, push) {
      const updated = update(id, {
        status: 'resolved',
        resolvedAt: new Date().toISOString(),
        resolvedBy: user,
        outcome: 'false_alarm',
      });
      if (push) broadcast('alarm:updated', updated);
      return updated;
    },
    expireSessions() {
      sessions.clear();
      io.disconnectSockets(true);
    },
    setSocketsUp(up) {
      socketsUp = up;
      if (!up) io.disconnectSockets(true);
    },
    socketCount: () => io.engine.clientsCount,
    async close() {
      await io.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return hub;
}
