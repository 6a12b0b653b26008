/**
 * Areas (district → street → community) and homes: the places the care model hangs on. Part of the
 * care contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { stringEnum } from '../schema.js';
import { CareId, LongText, Name, ShortText } from './common.js';

export const AREA_KINDS = ['district', 'street', 'community'] as const;
export type AreaKind = (typeof AREA_KINDS)[number];

export interface AreaDto {
  id: string;
  /** null for a district (the roots of the tree). */
  parentId: string | null;
  kind: AreaKind;
  name: string;
}

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

export interface AreaListResponse {
  areas: AreaDto[];
}
export interface AreaResponse {
  area: AreaDto;
}

// ───────────────────────────── Homes ─────────────────────────────

export interface HomeDto {
  id: string;
  /** A community (or street/district) area. */
  areaId: string;
  address: string;
  /** e.g. "3" or "B1". */
  floor: string | null;
  /** Flat/room number, e.g. "302". */
  room: string | null;
  /** How to get in: gate code location, neighbour with key, dog, stairs … */
  accessNotes: string | null;
  /** True when a key-safe code is stored (whether or not it is shown to this user). */
  hasKeySafeCode: boolean;
  /** Present only for KEY_SAFE_CODE_ROLES. */
  keySafeCode?: string | null;
  /** Alarms are recorded and shown as tests, never dispatched or escalated. */
  testMode: boolean;
  testModeSince: string | null;
  /** User ids of installers assigned to this home. */
  installerIds: string[];
  /** Gateways currently attached to this home (not decommissioned). */
  gatewayIds: string[];
  createdAt: string;
  updatedAt: string;
}

/** One line of a home list. */
export interface HomeSummaryDto {
  id: string;
  areaId: string;
  address: string;
  floor: string | null;
  room: string | null;
  testMode: boolean;
  residentNames: string[];
  gatewayIds: string[];
  /** Unresolved (open or acknowledged) alarms of this home. */
  unresolvedAlarms: number;
}

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

export interface HomeListResponse {
  homes: HomeSummaryDto[];
  /** Homes in scope matching the filters (before limit/offset). */
  total: number;
}

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

export interface HomeResponse {
  home: HomeDto;
}
