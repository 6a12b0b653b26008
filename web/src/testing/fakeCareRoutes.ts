/** The care routes of the fake hub (protocol/src/care.ts, figures.ts), scope-checked like the hub. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  DEVICE_KINDS,
  type AlarmDto,
  type AlarmResponderDto,
  type ApiErrorCode,
  type DeviceKind,
  type GatewayControlDto,
  type HomeDto,
  type ResidentDto,
} from '@anxin/protocol';
import type { FakeCare, FakeUser } from './fakeCare';

export interface CareContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  user: FakeUser;
  care: FakeCare;
  alarms: Map<string, AlarmDto>;
  readBody: (req: IncomingMessage) => Promise<unknown>;
  sendJson: (res: ServerResponse, status: number, body: unknown) => void;
  sendError: (res: ServerResponse, status: number, code: ApiErrorCode, message: string) => void;
  update: (id: string, patch: Partial<AlarmDto>) => AlarmDto;
  broadcast: (event: 'alarm:new' | 'alarm:updated', alarm: AlarmDto) => void;
}

const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Returns true when it answered the request. */
export async function handleCareRoute(ctx: CareContext): Promise<boolean> {
  const { req, res, user, care } = ctx;
  const url = new URL(req.url ?? '/', 'http://localhost');
  const path = ctx.path.replace(/\/+$/, '');
  const method = req.method ?? 'GET';
  const ok = (body: unknown, status = 200) => ctx.sendJson(res, status, body);
  const notFound = () => ctx.sendError(res, 404, 'NOT_FOUND', 'not found');
  const forbidden = () => ctx.sendError(res, 403, 'FORBIDDEN', 'not allowed for this role');
  const invalid = (message: string) => ctx.sendError(res, 400, 'VALIDATION_FAILED', message);
  const canEdit = user.role === 'admin' || user.role === 'installer';
  const homeOf = (id: string): HomeDto | null => {
    const home = care.homes.get(id);
    return home && care.inScope(user, id) ? home : null;
  };

  if (path === '/api/v1/areas' && method === 'GET') {
    ok({ areas: care.areas });
    return true;
  }
  if (path === '/api/v1/care-figures' && method === 'GET') {
    if (user.role !== 'supervisor' && user.role !== 'admin') forbidden();
    else
      ok({
        from: url.searchParams.get('from') ?? '',
        to: url.searchParams.get('to') ?? '',
        areaId: null,
        serviceRequests: [],
        welfare: [],
        workOrders: [],
      });
    return true;
  }
  if (path === '/api/v1/figures' && method === 'GET') {
    if (user.role !== 'supervisor' && user.role !== 'admin') forbidden();
    else {
      const from =
        url.searchParams.get('from') ?? new Date(Date.now() - 7 * 86_400_000).toISOString();
      ok(care.figures([...ctx.alarms.values()], from, new Date().toISOString()));
    }
    return true;
  }
  if (path === '/api/v1/alarms' && method === 'GET') {
    const statuses = (url.searchParams.get('status') ?? 'open,acknowledged').split(',');
    const alarms = [...ctx.alarms.values()]
      .filter((a) => statuses.includes(a.status) && care.inScope(user, a.homeId))
      .sort((a, b) => (a.raisedAt < b.raisedAt ? 1 : -1))
      .slice(0, Number(url.searchParams.get('limit') ?? 200));
    ok({ alarms });
    return true;
  }
  let m = /^\/api\/v1\/alarms\/([^/]+)\/responding$/.exec(path);
  if (m && method === 'POST') {
    const alarm = ctx.alarms.get(decodeURIComponent(m[1] ?? ''));
    if (!alarm || !care.inScope(user, alarm.homeId)) return (notFound(), true);
    const body = record(await ctx.readBody(req));
    const responder: AlarmResponderDto = {
      userId: user.id,
      username: user.username,
      displayName: user.displayName,
      role: user.role,
      at: new Date().toISOString(),
      etaMinutes: typeof body.etaMinutes === 'number' ? body.etaMinutes : null,
      note: str(body.note),
    };
    const updated = ctx.update(alarm.id, {
      responders: [...(alarm.responders ?? []).filter((r) => r.userId !== user.id), responder],
    });
    ok({ alarm: updated });
    ctx.broadcast('alarm:updated', updated);
    return true;
  }
  if (path === '/api/v1/homes' && method === 'GET') {
    const homes = [...care.homes.values()]
      .filter((h) => care.inScope(user, h.id))
      .map((h) => ({
        id: h.id,
        areaId: h.areaId,
        address: h.address,
        floor: h.floor,
        room: h.room,
        testMode: h.testMode,
        residentNames: [...care.residents.values()]
          .filter((r) => r.homeId === h.id)
          .map((r) => r.name),
        gatewayIds: care.homeGateways(h.id).map((g) => g.id),
        unresolvedAlarms: [...ctx.alarms.values()].filter(
          (a) => a.homeId === h.id && a.status !== 'resolved',
        ).length,
      }));
    ok({ homes, total: homes.length });
    return true;
  }
  if (path === '/api/v1/homes' && method === 'POST') {
    if (!canEdit) return (forbidden(), true);
    const body = record(await ctx.readBody(req));
    const address = str(body.address);
    const areaId = str(body.areaId);
    if (address === null || address.trim() === '' || areaId === null)
      return (invalid('/address and /areaId are required'), true);
    const now = new Date().toISOString();
    const code = str(body.keySafeCode);
    const home: HomeDto = {
      id: care.nextId('home-new'),
      areaId,
      address,
      floor: str(body.floor),
      room: str(body.room),
      accessNotes: str(body.accessNotes),
      hasKeySafeCode: code !== null,
      keySafeCode: code,
      testMode: false,
      testModeSince: null,
      installerIds: [user.id],
      gatewayIds: [],
      createdAt: now,
      updatedAt: now,
    };
    care.homes.set(home.id, home);
    if (user.role === 'installer') user.homeIds.push(home.id);
    ok({ home: care.homeView(home, user) }, 201);
    return true;
  }
  m = /^\/api\/v1\/homes\/([^/]+)(?:\/([a-z-]+))?$/.exec(path);
  if (m) {
    const home = homeOf(decodeURIComponent(m[1] ?? ''));
    if (!home) return (notFound(), true);
    const sub = m[2];
    const residents = () => [...care.residents.values()].filter((r) => r.homeId === home.id);
    if (sub === undefined && method === 'GET') ok({ home: care.homeView(home, user) });
    else if (sub === 'card' && method === 'GET') {
      if (user.role === 'installer') return (forbidden(), true);
      ok({
        home: care.homeView(home, user),
        residents: residents(),
        contacts: care.contacts.get(home.id) ?? [],
        plans: care.plans.get(home.id) ?? [],
        gateways: care.homeGateways(home.id),
        devices: care.homeDevices(home.id),
      });
    } else if (sub === 'residents' && method === 'GET') ok({ residents: residents() });
    else if (sub === 'residents' && method === 'POST') {
      if (!canEdit) return (forbidden(), true);
      const body = record(await ctx.readBody(req));
      const name = str(body.name);
      if (name === null || name.trim() === '') return (invalid('/name is required'), true);
      const now = new Date().toISOString();
      const resident: ResidentDto = {
        id: care.nextId('r'),
        homeId: home.id,
        name,
        photoUrl: null,
        birthYear: typeof body.birthYear === 'number' ? body.birthYear : null,
        languages: Array.isArray(body.languages)
          ? body.languages.filter((x): x is string => typeof x === 'string')
          : [],
        medicalNotes: str(body.medicalNotes),
        mobility: null,
        livesAlone: body.livesAlone === true,
        createdAt: now,
        updatedAt: now,
      };
      care.residents.set(resident.id, resident);
      ok({ resident }, 201);
    } else if (sub === 'contacts' && method === 'GET')
      ok({ contacts: care.contacts.get(home.id) ?? [] });
    else if (sub === 'plans' && method === 'GET') ok({ plans: care.plans.get(home.id) ?? [] });
    else if (sub === 'devices' && method === 'GET') ok({ devices: care.homeDevices(home.id) });
    else if (sub === 'device-residents' && method === 'GET')
      ok({
        devices: care.homeDevices(home.id).map((d) => ({
          gatewayId: d.gatewayId,
          deviceId: d.id,
          residentId: care.deviceResidents.get(`${d.gatewayId}/${d.id}`) ?? null,
        })),
      });
    else if (sub === 'test-mode' && method === 'PUT') {
      if (user.role === 'family' || user.role === 'operator') return (forbidden(), true);
      const body = record(await ctx.readBody(req));
      if (typeof body.enabled !== 'boolean') return (invalid('/enabled must be boolean'), true);
      home.testMode = body.enabled;
      home.testModeSince = body.enabled ? new Date().toISOString() : null;
      for (const g of care.homeGateways(home.id)) g.testMode = body.enabled;
      ok({ home: care.homeView(home, user) });
    } else if (sub === 'telemetry' && method === 'GET') {
      const fields = (url.searchParams.get('fields') ?? '').split(',');
      const from = Date.parse(url.searchParams.get('from') ?? '') || Date.now() - 86_400_000;
      const to = Date.parse(url.searchParams.get('to') ?? '') || Date.now();
      const deviceIds = new Set(care.homeDevices(home.id).map((d) => `${d.gatewayId}/${d.id}`));
      const series = care.telemetry
        .filter((s) => fields.includes(s.field) && deviceIds.has(`${s.gatewayId}/${s.deviceId}`))
        .map((s) => ({ ...s, points: s.points.filter(([t]) => t >= from && t <= to) }))
        .filter((s) => s.points.length > 0);
      ok({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), series });
    } else return (notFound(), true);
    return true;
  }
  m = /^\/api\/v1\/homes\/([^/]+)\/contacts\/([^/]+)$/.exec(path);
  if (m && method === 'PATCH') {
    const home = homeOf(decodeURIComponent(m[1] ?? ''));
    const contact = home
      ? (care.contacts.get(home.id) ?? []).find((c) => c.id === decodeURIComponent(m?.[2] ?? ''))
      : undefined;
    if (!home || !contact) return (notFound(), true);
    if (user.role === 'family' && contact.userId !== user.id) return (forbidden(), true);
    const body = record(await ctx.readBody(req));
    const phone = str(body.phone);
    if (phone !== null) {
      if (!/^[0-9+() -]{3,32}$/.test(phone))
        return (invalid('/phone must be a phone number'), true);
      contact.phone = phone;
    }
    if ('availability' in body) contact.availability = str(body.availability);
    ok({ contact });
    return true;
  }
  if (path === '/api/v1/gateways' && method === 'GET') {
    if (user.role === 'family') return (forbidden(), true);
    const homeId = url.searchParams.get('homeId');
    const state = url.searchParams.get('state');
    const gateways = [...care.gateways.values()].filter(
      (g) =>
        g.homeId !== null &&
        care.inScope(user, g.homeId) &&
        (homeId === null || g.homeId === homeId) &&
        (state === null || g.claimState === state),
    );
    ok({ gateways });
    return true;
  }
  if (path === '/api/v1/gateways/claim' && method === 'POST') {
    if (!canEdit) return (forbidden(), true);
    const body = record(await ctx.readBody(req));
    const gatewayId = str(body.gatewayId) ?? '';
    const home = homeOf(str(body.homeId) ?? '');
    const gateway = care.gateways.get(gatewayId);
    if (!home) return (notFound(), true);
    if (!gateway || care.claimCodes.get(gatewayId) !== str(body.claimCode)) {
      ctx.sendError(res, 404, 'CLAIM_CODE_INVALID', 'no gateway with this id and claim code');
      return true;
    }
    if (gateway.claimState === 'claimed') {
      ctx.sendError(res, 409, 'CLAIM_CODE_USED', 'this claim code has been used already');
      return true;
    }
    gateway.homeId = home.id;
    gateway.claimState = 'claimed';
    gateway.claimedAt = new Date().toISOString();
    gateway.claimedBy = user.id;
    gateway.configVersion += 1;
    // The demo gateway picks up its credentials and connects at once (zero-touch claim).
    gateway.credentialState = 'in_use';
    gateway.credentialsIssuedAt = new Date().toISOString();
    gateway.online = true;
    gateway.lastSeenAt = new Date().toISOString();
    for (const d of care.devices.values()) if (d.gatewayId === gateway.id) d.homeId = home.id;
    ok({
      gateway,
      config: {
        v: 1,
        configVersion: gateway.configVersion,
        gatewayId: gateway.id,
        homeId: home.id,
        issuedAt: Date.now(),
        testMode: home.testMode,
        heartbeatIntervalS: 30,
        devices: [],
        thresholds: {},
      },
    });
    return true;
  }
  // The installer's gateway control panel (issue 10): the fake runs no gateway, so nothing applied.
  m = /^\/api\/v1\/gateways\/([^/]+)\/control$/.exec(path);
  if (m && method === 'GET') {
    const gateway = care.gateways.get(decodeURIComponent(m[1] ?? ''));
    if (!gateway || gateway.homeId === null || !care.inScope(user, gateway.homeId))
      return (notFound(), true);
    const control: GatewayControlDto = {
      gatewayId: gateway.id,
      publishedVersion: 0,
      appliedVersion: null,
      refused: null,
      state: 'unknown',
      reportedAt: null,
      gatewayTestMode: gateway.gatewayTestMode,
    };
    ok({ control, commands: [] });
    return true;
  }
  // Service buttons (issue 13): the fake keeps none, so every press of its buttons is an SOS.
  m = /^\/api\/v1\/gateways\/([^/]+)\/service-buttons$/.exec(path);
  if (m && method === 'GET') {
    const gateway = care.gateways.get(decodeURIComponent(m[1] ?? ''));
    if (!gateway || gateway.homeId === null || !care.inScope(user, gateway.homeId))
      return (notFound(), true);
    ok({ serviceButtons: [] });
    return true;
  }
  m = /^\/api\/v1\/gateways\/([^/]+)\/devices\/([^/]+)\/resident$/.exec(path);
  if (m && method === 'PUT') {
    if (!canEdit) return (forbidden(), true);
    const gateway = care.gateways.get(decodeURIComponent(m[1] ?? ''));
    const deviceId = decodeURIComponent(m[2] ?? '');
    if (!gateway || gateway.homeId === null || !care.inScope(user, gateway.homeId))
      return (notFound(), true);
    if (!care.devices.has(`${gateway.id}/${deviceId}`)) return (notFound(), true);
    const residentId = str(record(await ctx.readBody(req)).residentId);
    if (residentId !== null && care.residents.get(residentId)?.homeId !== gateway.homeId)
      return (invalid('/residentId'), true);
    care.deviceResidents.set(`${gateway.id}/${deviceId}`, residentId);
    ok({ device: { gatewayId: gateway.id, deviceId, residentId } });
    return true;
  }
  m = /^\/api\/v1\/gateways\/([^/]+)\/devices$/.exec(path);
  if (m && method === 'POST') {
    if (!canEdit) return (forbidden(), true);
    const gateway = care.gateways.get(decodeURIComponent(m[1] ?? ''));
    if (!gateway || gateway.homeId === null || !care.inScope(user, gateway.homeId))
      return (notFound(), true);
    const body = record(await ctx.readBody(req));
    const id = str(body.id) ?? '';
    const kind = str(body.kind);
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(id))
      return (invalid('/id must be a device id'), true);
    if (kind === null || !(DEVICE_KINDS as readonly string[]).includes(kind))
      return (invalid('/kind'), true);
    if (care.devices.has(`${gateway.id}/${id}`)) {
      ctx.sendError(res, 409, 'CONFLICT', 'device exists');
      return true;
    }
    const device = care.addDevice(gateway.id, id, kind as DeviceKind, str(body.room), {
      driver: str(body.driver),
      lastSeenAt: null,
      online: null,
    });
    gateway.configVersion += 1;
    ok({ device }, 201);
    return true;
  }
  return false;
}
