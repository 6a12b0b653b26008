/**
 * Users with roles and scopes, and the audit log of who saw or changed what. Part of the care
 * contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import type { UserDto } from '../api.js';
import { USER_ROLES } from '../roles.js';
import { stringEnum } from '../schema.js';
import { CareId, Name } from './common.js';

/** A user as admins see them (UserDto plus scope). */
export interface CareUserDto extends UserDto {
  /** operator, supervisor, installer (where they may register homes), admin (informational). */
  areaIds: string[];
  /** family: the residents they may follow. */
  residentIds: string[];
  /** installer: homes assigned to them (read-only here; set with PUT /homes/:id/installers). */
  homeIds: string[];
  disabled: boolean;
  createdAt: string;
}

export const USERNAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$';

export const CreateUserRequestSchema = Type.Object(
  {
    username: Type.String({ pattern: USERNAME_PATTERN }),
    displayName: Type.Optional(Name),
    role: stringEnum(USER_ROLES),
    password: Type.String({ minLength: 8, maxLength: 256 }),
    areaIds: Type.Optional(Type.Array(CareId, { maxItems: 100 })),
    residentIds: Type.Optional(Type.Array(CareId, { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type CreateUserRequest = Static<typeof CreateUserRequestSchema>;

export const UpdateUserRequestSchema = Type.Object(
  {
    displayName: Type.Optional(Name),
    role: Type.Optional(stringEnum(USER_ROLES)),
    password: Type.Optional(Type.String({ minLength: 8, maxLength: 256 })),
    areaIds: Type.Optional(Type.Array(CareId, { maxItems: 100 })),
    residentIds: Type.Optional(Type.Array(CareId, { maxItems: 20 })),
    /** Disabling ends the user's sessions. */
    disabled: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateUserRequest = Static<typeof UpdateUserRequestSchema>;

export const UserListQuerySchema = Type.Object(
  { role: Type.Optional(stringEnum(USER_ROLES)) },
  { additionalProperties: false },
);

export interface UserListResponse {
  users: CareUserDto[];
}
export interface CareUserResponse {
  user: CareUserDto;
}

/** What the logged-in user may do, for showing or hiding controls (the server checks anyway). */
export interface MeResponse {
  user: CareUserDto;
  expiresAt: string;
  can: {
    acknowledgeAlarms: boolean;
    respondToAlarms: boolean;
    seeKeySafeCode: boolean;
    editHomes: boolean;
    claimGateways: boolean;
    manageUsers: boolean;
    readAudit: boolean;
  };
}

// ───────────────────────────── Audit ─────────────────────────────

export interface AuditEntryDto {
  id: number;
  at: string;
  userId: string | null;
  username: string | null;
  /**
   * e.g. `session.login`, `alarm.acknowledge`, `home.card_read`, `resident.read`,
   * `resident.update`, `gateway.claim`, `access.denied`, `mqtt.refused`.
   */
  action: string;
  targetType: string;
  targetId: string | null;
  detail: unknown;
}

export const AuditQuerySchema = Type.Object(
  {
    userId: Type.Optional(Type.String({ maxLength: 64 })),
    username: Type.Optional(Type.String({ maxLength: 64 })),
    action: Type.Optional(Type.String({ maxLength: 64 })),
    targetType: Type.Optional(Type.String({ maxLength: 64 })),
    targetId: Type.Optional(Type.String({ maxLength: 128 })),
    /** ISO 8601 bounds on `at` (inclusive from, exclusive to). */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Paging: entries with id < before (use the last id of the previous page). */
    before: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type AuditQuery = Static<typeof AuditQuerySchema>;

export interface AuditListResponse {
  entries: AuditEntryDto[];
}
