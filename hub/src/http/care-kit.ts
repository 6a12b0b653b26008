/**
 * The steps every care route repeats, in one place: the role check (403), the scope check that
 * answers 404 for anything unknown or out of scope, the record lookups behind it, and the audit
 * entry naming who did what. Each resource's plugin (care-*-routes.ts) builds on these.
 */
import type { FastifyRequest } from 'fastify';
import {
  KEY_SAFE_CODE_ROLES,
  type AlarmDto,
  type JsonValue,
  type ResidentDto,
  type UserDto,
  type UserRole,
} from '@anxin/protocol';
import type { Access } from '../auth/guard.js';
import type { ReadAction, WriteAction } from '../auth/policy.js';
import type { Actor } from '../auth/scope.js';
import type { ScopedAlarms } from '../care/alarm-scope.js';
import type { AuditLog } from '../care/audit.js';
import type { Provisioning } from '../care/provisioning.js';
import type { CareStore } from '../care/store.js';
import type { TelemetryReader } from '../care/telemetry-query.js';
import type { AlarmStore } from '../store/alarms.js';
import { HttpError } from './errors.js';

export interface CareRouteDeps {
  access: Access;
  care: CareStore;
  audit: AuditLog;
  provisioning: Provisioning;
  alarms: AlarmStore;
  scopedAlarms: ScopedAlarms;
  /** Creates a user with a hashed password (the hub's createUser). */
  createUser: (input: {
    username: string;
    password: string;
    role: UserRole;
    displayName?: string;
  }) => Promise<UserDto>;
  /** Pushes a changed alarm to the rooms allowed to see it. */
  alarmUpdated: (alarm: AlarmDto) => void;
  /** Drops a user's sockets (their scope or rights changed). */
  disconnectUser: (userId: string) => void;
  /** Telemetry for charts, when the configured store can be read back. */
  telemetry: TelemetryReader | undefined;
  /** The clock for timestamps and default time ranges (tests inject one); Date.now otherwise. */
  now?: () => number;
}

export type CareKit = ReturnType<typeof careKit>;

/**
 * A gateway the actor may see: admin any; others only gateways of homes in their scope. Any other
 * is 404 (audited): the care routes and the control routes answer alike.
 */
export function gatewayInScope(access: Access, care: CareStore) {
  return async (request: FastifyRequest, gatewayId: string, action: string) => {
    const actor = access.actor(request);
    const row = await care.getGatewayRow(gatewayId);
    if (!row || !access.scopes.homeInScope(actor.scope, row.home_id))
      return access.notFound(request, 'gateway', gatewayId, action, row !== undefined);
    return { actor, row };
  };
}

export function careKit(deps: CareRouteDeps) {
  const { access, care, audit } = deps;
  const scopes = access.scopes;

  const seesKeySafe = (actor: Actor): boolean =>
    (KEY_SAFE_CODE_ROLES as readonly UserRole[]).includes(actor.user.role);

  const gatewayOr404 = gatewayInScope(access, care);

  return {
    deps,
    access,
    care,
    scopes,
    now: deps.now ?? Date.now,
    /** Session required (401) before the handler runs. */
    authed: { preHandler: access.authenticate },
    seesKeySafe,

    /** One audit entry by this actor. */
    audit: (
      actor: Actor,
      action: string,
      targetType: string,
      targetId: string | null,
      detail?: JsonValue,
    ): Promise<void> =>
      audit.record({
        user: { id: actor.user.id, username: actor.user.username },
        action,
        targetType,
        targetId,
        ...(detail !== undefined ? { detail } : {}),
      }),

    /** A write on a home: the role may do it (403), and the home is in scope (404). */
    homeWrite: async (
      request: FastifyRequest,
      homeId: string,
      action: WriteAction | ReadAction,
    ): Promise<Actor> => {
      const actor = await access.requireRole(request, action, 'home', homeId);
      await access.requireHome(request, homeId, action);
      return actor;
    },

    /** The home, in scope, with the key-safe code only for roles that see it. */
    homeOr404: async (request: FastifyRequest, homeId: string, action: string) => {
      const actor = await access.requireHome(request, homeId, action);
      const home = await care.getHome(homeId, seesKeySafe(actor));
      if (!home) throw new HttpError('NOT_FOUND', `home ${homeId} not found`);
      return { actor, home };
    },

    /** The home as it is now, after a change (404 if it went meanwhile). */
    homeAfter: async (actor: Actor, homeId: string) => {
      const home = await care.getHome(homeId, seesKeySafe(actor));
      if (!home) throw new HttpError('NOT_FOUND', `home ${homeId} not found`);
      return { home };
    },

    /** Family members see only their own relatives among a home's residents. */
    visibleResidents: (actor: Actor, residents: ResidentDto[]) =>
      residents.filter((r) => scopes.residentInScope(actor.scope, r.id)),

    /** The resident must exist, its home be in scope, and (family) be one of theirs. */
    residentOr404: async (request: FastifyRequest, residentId: string, action: string) => {
      const actor = access.actor(request);
      const resident = await care.getResident(residentId);
      if (
        !resident ||
        !scopes.homeInScope(actor.scope, resident.homeId) ||
        !scopes.residentInScope(actor.scope, resident.id)
      )
        return access.notFound(request, 'resident', residentId, action, resident !== undefined);
      return { actor, resident };
    },

    gatewayOr404,

    /** Device writes: the gateway must be claimed into a home in scope (admins: every home). */
    writableGateway: async (request: FastifyRequest, gatewayId: string, action: string) => {
      const { actor, row } = await gatewayOr404(request, gatewayId, action);
      if (row.enabled !== 1)
        throw new HttpError('CONFLICT', `gateway ${gatewayId} is decommissioned`);
      return { actor, row };
    },
  };
}
