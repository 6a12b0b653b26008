/**
 * Users with roles and scopes, and the audit log of who saw or changed what. Part of the care
 * contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { UserSchema } from '../api.js';
import { JsonValueSchema } from '../json.js';
import { IsoTime, nullable } from '../operations-common.js';
import { USER_ROLES } from '../roles.js';
import { stringEnum } from '../schema.js';
import { CareId, Name } from './common.js';

/** A user as admins see them (UserDto plus scope). */
export const CareUserSchema = Type.Object(
  {
    ...UserSchema.properties,
    /** operator, supervisor, installer (where they may register homes), admin (informational). */
    areaIds: Type.Array(Type.String()),
    /** family: the residents they may follow. */
    residentIds: Type.Array(Type.String()),
    /** installer: homes assigned to them (read-only here; set with PUT /homes/:id/installers). */
    homeIds: Type.Array(Type.String()),
    disabled: Type.Boolean(),
    createdAt: IsoTime,
  },
  { additionalProperties: false },
);
export type CareUserDto = Static<typeof CareUserSchema>;

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

export const UserListResponseSchema = Type.Object(
  { users: Type.Array(CareUserSchema) },
  { additionalProperties: false },
);
export type UserListResponse = Static<typeof UserListResponseSchema>;
export const CareUserResponseSchema = Type.Object(
  { user: CareUserSchema },
  { additionalProperties: false },
);
export type CareUserResponse = Static<typeof CareUserResponseSchema>;

/** What the logged-in user may do, for showing or hiding controls (the server checks anyway). */
export const MeResponseSchema = Type.Object(
  {
    user: CareUserSchema,
    expiresAt: IsoTime,
    can: Type.Object(
      {
        acknowledgeAlarms: Type.Boolean(),
        respondToAlarms: Type.Boolean(),
        seeKeySafeCode: Type.Boolean(),
        editHomes: Type.Boolean(),
        claimGateways: Type.Boolean(),
        manageUsers: Type.Boolean(),
        readAudit: Type.Boolean(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type MeResponse = Static<typeof MeResponseSchema>;

// ───────────────────────────── Audit ─────────────────────────────

export const AuditEntrySchema = Type.Object(
  {
    id: Type.Integer(),
    at: IsoTime,
    userId: nullable(Type.String()),
    username: nullable(Type.String()),
    /**
     * e.g. `session.login`, `alarm.acknowledge`, `home.card_read`, `resident.read`,
     * `resident.update`, `gateway.claim`, `access.denied`, `mqtt.refused`.
     */
    action: Type.String(),
    targetType: Type.String(),
    targetId: nullable(Type.String()),
    /** Whatever the action recorded (any JSON, or null). */
    detail: JsonValueSchema,
  },
  { additionalProperties: false },
);
export type AuditEntryDto = Static<typeof AuditEntrySchema>;

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

export const AuditListResponseSchema = Type.Object(
  { entries: Type.Array(AuditEntrySchema) },
  { additionalProperties: false },
);
export type AuditListResponse = Static<typeof AuditListResponseSchema>;
