/**
 * Areas (district → street → community) and homes: the places the care model hangs on. Part of the
 * care contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { IsoTime, nullable } from '../operations-common.js';
import { stringEnum } from '../schema.js';
import { CareId, LongText, Name, ShortText } from './common.js';

export const AREA_KINDS = ['district', 'street', 'community'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

export const AreaSchema = Type.Object(
  {
    id: Type.String(),
    /** null for a district (the roots of the tree). */
    parentId: nullable(Type.String()),
    kind: stringEnum(AREA_KINDS),
    name: Type.String(),
  },
  { additionalProperties: false },
);
export type AreaDto = Static<typeof AreaSchema>;

export const CreateAreaRequestSchema = Type.Object(
  {
    /** Optional; generated when absent. */
    id: Type.Optional(CareId),
    /** Required for street (parent: district) and community (parent: street); absent for district. */
    parentId: Type.Optional(Type.Union([CareId, Type.Null()])),
    kind: stringEnum(AREA_KINDS),
    name: Name,
  },
  { additionalProperties: false },
);
export type CreateAreaRequest = Static<typeof CreateAreaRequestSchema>;

export const UpdateAreaRequestSchema = Type.Object(
  { name: Type.Optional(Name) },
  { additionalProperties: false },
);
export type UpdateAreaRequest = Static<typeof UpdateAreaRequestSchema>;

export const AreaListResponseSchema = Type.Object(
  { areas: Type.Array(AreaSchema) },
  { additionalProperties: false },
);
export type AreaListResponse = Static<typeof AreaListResponseSchema>;
export const AreaResponseSchema = Type.Object(
  { area: AreaSchema },
  { additionalProperties: false },
);
export type AreaResponse = Static<typeof AreaResponseSchema>;

// ───────────────────────────── Homes ─────────────────────────────

export const HomeSchema = Type.Object(
  {
    id: Type.String(),
    /** A community (or street/district) area. */
    areaId: Type.String(),
    address: Type.String(),
    /** e.g. "3" or "B1". */
    floor: nullable(Type.String()),
    /** Flat/room number, e.g. "302". */
    room: nullable(Type.String()),
    /** How to get in: gate code location, neighbour with key, dog, stairs … */
    accessNotes: nullable(Type.String()),
    /** True when a key-safe code is stored (whether or not it is shown to this user). */
    hasKeySafeCode: Type.Boolean(),
    /** Present only for KEY_SAFE_CODE_ROLES. */
    keySafeCode: Type.Optional(nullable(Type.String())),
    /** Alarms are recorded and shown as tests, never dispatched or escalated. */
    testMode: Type.Boolean(),
    testModeSince: nullable(IsoTime),
    /** User ids of installers assigned to this home. */
    installerIds: Type.Array(Type.String()),
    /** Gateways currently attached to this home (not decommissioned). */
    gatewayIds: Type.Array(Type.String()),
    createdAt: IsoTime,
    updatedAt: IsoTime,
  },
  { additionalProperties: false },
);
export type HomeDto = Static<typeof HomeSchema>;

/** One line of a home list. */
export const HomeSummarySchema = Type.Object(
  {
    id: Type.String(),
    areaId: Type.String(),
    address: Type.String(),
    floor: nullable(Type.String()),
    room: nullable(Type.String()),
    testMode: Type.Boolean(),
    residentNames: Type.Array(Type.String()),
    gatewayIds: Type.Array(Type.String()),
    /** Unresolved (open or acknowledged) alarms of this home. */
    unresolvedAlarms: Type.Integer(),
  },
  { additionalProperties: false },
);
export type HomeSummaryDto = Static<typeof HomeSummarySchema>;

export const HomeListQuerySchema = Type.Object(
  {
    areaId: Type.Optional(CareId),
    /** Case-insensitive substring of the address or a resident's name. */
    q: Type.Optional(Type.String({ maxLength: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
    offset: Type.Optional(Type.Integer({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type HomeListQuery = Static<typeof HomeListQuerySchema>;

export const HomeListResponseSchema = Type.Object(
  {
    homes: Type.Array(HomeSummarySchema),
    /** Homes in scope matching the filters (before limit/offset). */
    total: Type.Integer(),
  },
  { additionalProperties: false },
);
export type HomeListResponse = Static<typeof HomeListResponseSchema>;

export const CreateHomeRequestSchema = Type.Object(
  {
    /** Optional; generated when absent (the demo uses home-0001 …). */
    id: Type.Optional(CareId),
    areaId: CareId,
    address: Type.String({ minLength: 1, maxLength: 500 }),
    floor: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    room: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    accessNotes: Type.Optional(Type.Union([LongText, Type.Null()])),
    keySafeCode: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type CreateHomeRequest = Static<typeof CreateHomeRequestSchema>;

export const UpdateHomeRequestSchema = Type.Object(
  {
    areaId: Type.Optional(CareId),
    address: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
    floor: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    room: Type.Optional(Type.Union([Type.String({ maxLength: 20 }), Type.Null()])),
    accessNotes: Type.Optional(Type.Union([LongText, Type.Null()])),
    keySafeCode: Type.Optional(Type.Union([Type.String({ maxLength: 32 }), Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateHomeRequest = Static<typeof UpdateHomeRequestSchema>;

export const SetTestModeRequestSchema = Type.Object(
  {
    enabled: Type.Boolean(),
    /** Why (recorded in the audit log), e.g. "commissioning". */
    reason: Type.Optional(ShortText),
  },
  { additionalProperties: false },
);
export type SetTestModeRequest = Static<typeof SetTestModeRequestSchema>;

export const SetInstallersRequestSchema = Type.Object(
  { userIds: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 50 }) },
  { additionalProperties: false },
);
export type SetInstallersRequest = Static<typeof SetInstallersRequestSchema>;

export const HomeResponseSchema = Type.Object(
  { home: HomeSchema },
  { additionalProperties: false },
);
export type HomeResponse = Static<typeof HomeResponseSchema>;
