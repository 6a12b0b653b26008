/**
 * The care model's REST contract under /api/v1 (issue 5): areas, homes, residents, contacts,
 * response plans, gateways and devices, users with roles and scopes, the audit log, telemetry for
 * charts, gateway claim, test mode and family "I am going there". Additive to api.ts (whose routes
 * are unchanged, but scope-aware: see "Scopes" below). Request bodies, params and queries are
 * validated with these schemas; errors always use ApiError (realtime.ts).
 *
 *   GET    /api/v1/me                          → MeResponse (the user, their scope, what they may do)
 *   GET    /api/v1/openapi.json                → OpenAPI 3 document of every route (no session needed)
 *
 *   GET    /api/v1/areas                       → AreaListResponse (areas in scope, flat, parentId links)
 *   POST   /api/v1/areas                       CreateAreaRequest → AreaResponse            admin
 *   PATCH  /api/v1/areas/:id                   UpdateAreaRequest → AreaResponse            admin
 *
 *   GET    /api/v1/homes?areaId&q&limit&offset → HomeListResponse (homes in scope; areaId = subtree)
 *   POST   /api/v1/homes                       CreateHomeRequest → HomeResponse            admin, installer¹
 *   GET    /api/v1/homes/:id                   → HomeResponse
 *   PATCH  /api/v1/homes/:id                   UpdateHomeRequest → HomeResponse            admin, installer
 *   PUT    /api/v1/homes/:id/test-mode         SetTestModeRequest → HomeResponse           admin, installer, supervisor
 *   PUT    /api/v1/homes/:id/installers        SetInstallersRequest → HomeResponse         admin
 *   GET    /api/v1/homes/:id/card              → HomeCardResponse (audited read)           all but installer²
 *   GET    /api/v1/homes/:id/residents         → ResidentListResponse (audited read)
 *   POST   /api/v1/homes/:id/residents         CreateResidentRequest → ResidentResponse    admin, installer
 *   GET    /api/v1/residents/:id               → ResidentResponse (audited read)
 *   PATCH  /api/v1/residents/:id               UpdateResidentRequest → ResidentResponse    admin, installer, supervisor
 *   DELETE /api/v1/residents/:id               → 204                                       admin
 *   GET    /api/v1/homes/:id/contacts          → ContactListResponse (call order)
 *   PUT    /api/v1/homes/:id/contacts          ReplaceContactsRequest → ContactListResponse admin, installer, supervisor, operator
 *   PATCH  /api/v1/homes/:id/contacts/:contactId UpdateContactRequest → ContactResponse family (own contact:
 *                                              its userId is them), admin, installer, supervisor, operator
 *   GET    /api/v1/homes/:id/plans             → ResponsePlanListResponse
 *   PUT    /api/v1/homes/:id/plans/:kind       SetResponsePlanRequest → ResponsePlanResponse admin, supervisor
 *   GET    /api/v1/homes/:id/devices           → DeviceListResponse (every gateway of the home)
 *   GET    /api/v1/homes/:id/telemetry?from&to&fields&deviceId&maxPoints
 *                                              → TelemetryQueryResponse (series for charts)
 *   POST   /api/v1/homes/:id/commissioning     CreateCommissioningRecordRequest → CommissioningRecordResponse
 *                                              admin, supervisor, installer (the guided device test's result)
 *   GET    /api/v1/homes/:id/commissioning     → CommissioningRecordListResponse (newest first) admin, supervisor, installer
 *
 *   GET    /api/v1/gateways?homeId&state       → GatewayListResponse                       admin, supervisor, operator, installer (scope)
 *   POST   /api/v1/gateways                    CreateGatewayRequest → CreateGatewayResponse admin (claim code shown once)
 *   GET    /api/v1/gateways/:id                → GatewayResponse
 *   POST   /api/v1/gateways/claim              ClaimGatewayRequest → ClaimGatewayResponse  installer, admin
 *                                              (broker credentials shown once; config retained on down/config)
 *   POST   /api/v1/gateways/:id/decommission   DecommissionGatewayRequest → GatewayResponse admin
 *   POST   /api/v1/gateways/:id/devices        CreateDeviceRequest → DeviceResponse        admin, installer
 *   PATCH  /api/v1/gateways/:id/devices/:deviceId UpdateDeviceRequest → DeviceResponse     admin, installer
 *   DELETE /api/v1/gateways/:id/devices/:deviceId → 204                                    admin, installer
 *
 *   GET    /api/v1/users?role                  → UserListResponse                          admin
 *   POST   /api/v1/users                       CreateUserRequest → CareUserResponse        admin
 *   PATCH  /api/v1/users/:id                   UpdateUserRequest → CareUserResponse        admin
 *
 *   GET    /api/v1/audit?userId&username&action&targetType&targetId&from&to&before&limit
 *                                              → AuditListResponse (newest first)          admin
 *
 *   POST   /api/v1/alarms/:id/responding       RespondingRequest → AlarmResponse           family (own), operator, supervisor, admin
 *
 * ¹ An installer creates homes only in their own areas; the new home is assigned to them.
 * ² Installers read the home, residents, devices and contacts of homes assigned to them, not the
 *   card (medical notes are for the call centre and family). Families read the card of their
 *   relatives' homes, without the key-safe code.
 *
 * Scopes (checked on the server for every read and write):
 *  - admin: everything. operator, supervisor: homes in their areas (each area includes its
 *    subtree). installer: homes assigned to them. family: homes of their residents.
 *  - A read of something out of scope (or unknown) answers 404 NOT_FOUND, so nothing leaks.
 *    A write the role may never do answers 403 FORBIDDEN. Every refusal is audited
 *    (action `access.denied`).
 *  - Existing alarm routes: GET lists and details only alarms of homes in scope (family and
 *    installers may read too); acknowledge/resolve stay operator, supervisor, admin, in scope.
 *  - Socket.IO: each connection joins only the rooms of its scope (admin: all; operator and
 *    supervisor: their areas; family: their residents' homes; installers: assigned homes), so
 *    `alarm:new` / `alarm:updated` / `alarms:sync` carry only alarms it may see. Alarms of a
 *    gateway with no home reach admins, supervisors and operators with no area restriction.
 *  - keySafeCode is present in HomeDto only for KEY_SAFE_CODE_ROLES (`hasKeySafeCode` for all).
 */
import { Type, type Static } from '@sinclair/typebox';
import { ALARM_KINDS, type AlarmKind } from './alarms.js';
import type { UserDto, UserRole } from './api.js';
import { USER_ROLES } from './api.js';
import { DEVICE_ID_PATTERN, FIELD_NAME_PATTERN } from './messages.js';
import { stringEnum } from './schema.js';
import { GATEWAY_ID_PATTERN } from './topics.js';

/** Roles that see the home's key-safe code (those who may send someone in). */
export const KEY_SAFE_CODE_ROLES = [
  'operator',
  'supervisor',
  'installer',
] as const satisfies readonly UserRole[];

/** Ids of areas, homes, residents, contacts: safe for URLs and topics. */
export const CARE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const CareId = Type.String({ pattern: CARE_ID_PATTERN });
const GatewayId = Type.String({ pattern: GATEWAY_ID_PATTERN });
const DeviceId = Type.String({ pattern: DEVICE_ID_PATTERN });
const Name = Type.String({ minLength: 1, maxLength: 200 });
const ShortText = Type.String({ maxLength: 200 });
const LongText = Type.String({ maxLength: 4000 });

// ───────────────────────────── Areas ─────────────────────────────

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

// ───────────────────────────── Residents ─────────────────────────────

export const MOBILITY_LEVELS = ['independent', 'walking_aid', 'wheelchair', 'bedridden'] as const;
export type Mobility = (typeof MOBILITY_LEVELS)[number];

export interface ResidentDto {
  id: string;
  homeId: string;
  name: string;
  /** URL of a photo (served elsewhere), or null. */
  photoUrl: string | null;
  birthYear: number | null;
  /** e.g. ["zh-CN", "yue"], first = preferred. */
  languages: string[];
  medicalNotes: string | null;
  mobility: Mobility | null;
  livesAlone: boolean;
  createdAt: string;
  updatedAt: string;
}

const residentFields = {
  name: Name,
  photoUrl: Type.Optional(
    Type.Union([Type.String({ maxLength: 2000, pattern: '^(https?://|/)' }), Type.Null()]),
  ),
  birthYear: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1900, maximum: 2100 }), Type.Null()]),
  ),
  languages: Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 35 }), { maxItems: 10 }),
  ),
  medicalNotes: Type.Optional(Type.Union([LongText, Type.Null()])),
  mobility: Type.Optional(Type.Union([stringEnum(MOBILITY_LEVELS), Type.Null()])),
  livesAlone: Type.Optional(Type.Boolean()),
};

export const CreateResidentRequestSchema = Type.Object(
  { id: Type.Optional(CareId), ...residentFields },
  { additionalProperties: false },
);
export type CreateResidentRequest = Static<typeof CreateResidentRequestSchema>;

export const UpdateResidentRequestSchema = Type.Partial(Type.Object(residentFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateResidentRequest = Static<typeof UpdateResidentRequestSchema>;

export interface ResidentListResponse {
  residents: ResidentDto[];
}
export interface ResidentResponse {
  resident: ResidentDto;
}

// ───────────────────────────── Contacts ─────────────────────────────

export const CONTACT_RELATIONS = ['family', 'neighbour', 'community_worker', 'other'] as const;
export type ContactRelation = (typeof CONTACT_RELATIONS)[number];

export interface ContactDto {
  id: string;
  homeId: string;
  /** 1 = called first. */
  callOrder: number;
  name: string;
  relation: ContactRelation;
  phone: string;
  /** Free text, e.g. "weekdays after 18:00". */
  availability: string | null;
  /** The family user this contact is, when they have a login (escalation reaches them there too). */
  userId: string | null;
}

export const ContactInputSchema = Type.Object(
  {
    name: Name,
    relation: stringEnum(CONTACT_RELATIONS),
    phone: Type.String({ minLength: 3, maxLength: 32, pattern: '^[0-9+() -]+$' }),
    availability: Type.Optional(Type.Union([ShortText, Type.Null()])),
    userId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 64 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type ContactInput = Static<typeof ContactInputSchema>;

/** Replaces the home's contacts; the array order is the call order. */
export const ReplaceContactsRequestSchema = Type.Object(
  { contacts: Type.Array(ContactInputSchema, { maxItems: 20 }) },
  { additionalProperties: false },
);
export type ReplaceContactsRequest = Static<typeof ReplaceContactsRequestSchema>;

export interface ContactListResponse {
  contacts: ContactDto[];
}

/** A family member edits their own phone and availability (call order and relation stay). */
export const UpdateContactRequestSchema = Type.Object(
  {
    phone: Type.Optional(ContactInputSchema.properties.phone),
    availability: Type.Optional(Type.Union([ShortText, Type.Null()])),
  },
  { additionalProperties: false, minProperties: 1 },
);
export type UpdateContactRequest = Static<typeof UpdateContactRequestSchema>;

export const ContactParamsSchema = Type.Object(
  { id: CareId, contactId: CareId },
  { additionalProperties: false },
);

export interface ContactResponse {
  contact: ContactDto;
}

// ───────────────────────────── Response plans ─────────────────────────────

/** A plan per alarm kind, plus `default` for kinds without their own. */
export const PLAN_KINDS = ['default', ...ALARM_KINDS] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];

export interface ResponsePlanDto {
  homeId: string;
  kind: PlanKind;
  /** What the operator does, in order, e.g. "Call the resident", "Call contact 1", … */
  steps: string[];
  updatedAt: string;
  updatedBy: string | null;
}

export const PlanParamsSchema = Type.Object(
  { id: CareId, kind: stringEnum(PLAN_KINDS) },
  { additionalProperties: false },
);

export const SetResponsePlanRequestSchema = Type.Object(
  { steps: Type.Array(Type.String({ minLength: 1, maxLength: 1000 }), { maxItems: 30 }) },
  { additionalProperties: false },
);
export type SetResponsePlanRequest = Static<typeof SetResponsePlanRequestSchema>;

export interface ResponsePlanListResponse {
  plans: ResponsePlanDto[];
}
export interface ResponsePlanResponse {
  plan: ResponsePlanDto;
}

/** The plan for an alarm kind: its own, else `default`, else none. */
export function planFor(plans: ResponsePlanDto[], kind: AlarmKind): ResponsePlanDto | undefined {
  return plans.find((p) => p.kind === kind) ?? plans.find((p) => p.kind === 'default');
}

// ───────────────────────────── Gateways and devices ─────────────────────────────

export const GATEWAY_CLAIM_STATES = ['unclaimed', 'claimed', 'decommissioned'] as const;
export type GatewayClaimState = (typeof GATEWAY_CLAIM_STATES)[number];

/**
 * The gateway's broker credentials (zero-touch claim, claim.ts): none yet (unclaimed); claimed and
 * waiting for the gateway to pick them up; picked up, not heard from since; in use; revoked
 * (decommissioned).
 */
export const GATEWAY_CREDENTIAL_STATES = [
  'none',
  'awaiting_pickup',
  'picked_up',
  'in_use',
  'revoked',
] as const;
export type GatewayCredentialState = (typeof GATEWAY_CREDENTIAL_STATES)[number];

export interface GatewayDto {
  id: string;
  homeId: string | null;
  claimState: GatewayClaimState;
  claimedAt: string | null;
  claimedBy: string | null;
  credentialState: GatewayCredentialState;
  /** When the gateway picked up its credentials over the claim channel. */
  credentialsIssuedAt: string | null;
  decommissionedAt: string | null;
  lastSeenAt: string | null;
  online: boolean;
  /** Configuration version last published on down/config (0 = none yet). */
  configVersion: number;
  /** Configuration version the gateway reported in its last heartbeat, or null. */
  reportedConfigVersion: number | null;
  softwareVersion: string | null;
  testMode: boolean;
}

export const DEVICE_KINDS = [
  'fall_radar',
  'sos_button',
  'smoke',
  'gas',
  'water_leak',
  'door',
  'motion',
  'bed',
  'electricity_meter',
  'water_meter',
  'other',
] as const;
export type DeviceKind = (typeof DEVICE_KINDS)[number];

export interface DeviceDto {
  gatewayId: string;
  id: string;
  homeId: string | null;
  /** e.g. "bedroom". */
  room: string | null;
  kind: DeviceKind | null;
  /** A DRIVERS id (devices/src/registry.ts). */
  driver: string | null;
  /** Reported offline when silent longer than this; null = event-only device. */
  expectedIntervalS: number | null;
  /** True when registered by an installer (in the gateway's config), false when only heard of. */
  registered: boolean;
  lastSeenAt: string | null;
  online: boolean | null;
  batteryPct: number | null;
  signal: number | null;
}

export const GatewayListQuerySchema = Type.Object(
  {
    homeId: Type.Optional(CareId),
    state: Type.Optional(stringEnum(GATEWAY_CLAIM_STATES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type GatewayListQuery = Static<typeof GatewayListQuerySchema>;

export interface GatewayListResponse {
  gateways: GatewayDto[];
}

export interface GatewayResponse {
  gateway: GatewayDto;
  devices: DeviceDto[];
}

export const CLAIM_CODE_PATTERN = '^[A-Za-z0-9-]{8,64}$';

export const CreateGatewayRequestSchema = Type.Object(
  {
    id: GatewayId,
    /** The code printed on the box; generated (and returned once) when absent. */
    claimCode: Type.Optional(Type.String({ pattern: CLAIM_CODE_PATTERN })),
  },
  { additionalProperties: false },
);
export type CreateGatewayRequest = Static<typeof CreateGatewayRequestSchema>;

export interface CreateGatewayResponse {
  gateway: GatewayDto;
  /** Shown once; only its hash is stored. */
  claimCode: string;
}

export const ClaimGatewayRequestSchema = Type.Object(
  {
    gatewayId: GatewayId,
    claimCode: Type.String({ minLength: 1, maxLength: 64 }),
    homeId: CareId,
  },
  { additionalProperties: false },
);
export type ClaimGatewayRequest = Static<typeof ClaimGatewayRequestSchema>;

export interface ClaimGatewayResponse {
  gateway: GatewayDto;
  /**
   * Also published retained on the gateway's down/config topic. No credentials: the gateway picks
   * up its own over the claim channel (claim.ts); `gateway.credentialState` shows how far it got.
   */
  config: GatewayConfigMessage;
}

export const DecommissionGatewayRequestSchema = Type.Object(
  { reason: Type.Optional(ShortText) },
  { additionalProperties: false },
);
export type DecommissionGatewayRequest = Static<typeof DecommissionGatewayRequestSchema>;

export const DeviceParamsSchema = Type.Object(
  { id: GatewayId, deviceId: DeviceId },
  { additionalProperties: false },
);

const deviceFields = {
  driver: Type.String({ minLength: 1, maxLength: 64 }),
  kind: stringEnum(DEVICE_KINDS),
  room: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
  expectedIntervalS: Type.Optional(
    Type.Union([Type.Integer({ minimum: 1, maximum: 7 * 86_400 }), Type.Null()]),
  ),
  /** Serial port path or tcp://host:port (serial drivers only). */
  port: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200 }), Type.Null()])),
  /** Driver options (e.g. meter address); passed to the gateway as is. */
  options: Type.Optional(
    Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()]),
      {
        maxProperties: 32,
      },
    ),
  ),
};

export const CreateDeviceRequestSchema = Type.Object(
  { id: DeviceId, ...deviceFields },
  { additionalProperties: false },
);
export type CreateDeviceRequest = Static<typeof CreateDeviceRequestSchema>;

export const UpdateDeviceRequestSchema = Type.Partial(Type.Object(deviceFields), {
  additionalProperties: false,
  minProperties: 1,
});
export type UpdateDeviceRequest = Static<typeof UpdateDeviceRequestSchema>;

export interface DeviceResponse {
  device: DeviceDto;
}
export interface DeviceListResponse {
  devices: DeviceDto[];
}

// ───────────────────────────── Gateway configuration (MQTT down/config) ─────────────────────────────

export const GATEWAY_CONFIG_VERSION = 1;

export const GatewayConfigDeviceSchema = Type.Object(
  {
    id: DeviceId,
    driver: Type.String({ minLength: 1, maxLength: 64 }),
    kind: Type.Optional(stringEnum(DEVICE_KINDS)),
    room: Type.Optional(Type.String({ maxLength: 64 })),
    port: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    options: Type.Record(
      Type.String({ maxLength: 64 }),
      Type.Union([Type.String({ maxLength: 200 }), Type.Number(), Type.Boolean()]),
      { maxProperties: 32 },
    ),
    expectedIntervalS: Type.Optional(Type.Integer({ minimum: 1 })),
  },
  { additionalProperties: false },
);
export type GatewayConfigDevice = Static<typeof GatewayConfigDeviceSchema>;

/**
 * Retained on `anxin/v1/gw/{id}/down/config` (DESIGN.md contract clause 6). `configVersion`
 * increases with every change; the gateway reports the version it runs in its heartbeat and
 * ignores a message with a version lower than the one it has.
 */
export const GatewayConfigMessageSchema = Type.Object(
  {
    v: Type.Literal(GATEWAY_CONFIG_VERSION),
    configVersion: Type.Integer({ minimum: 1 }),
    gatewayId: GatewayId,
    homeId: Type.Union([CareId, Type.Null()]),
    issuedAt: Type.Integer({ minimum: 0 }),
    testMode: Type.Boolean(),
    heartbeatIntervalS: Type.Integer({ minimum: 1, maximum: 3600 }),
    devices: Type.Array(GatewayConfigDeviceSchema, { maxItems: 256 }),
    /** Named thresholds the gateway applies locally (e.g. `battery_low_pct`). */
    thresholds: Type.Record(Type.String({ pattern: FIELD_NAME_PATTERN }), Type.Number(), {
      maxProperties: 64,
    }),
  },
  { additionalProperties: false },
);
export type GatewayConfigMessage = Static<typeof GatewayConfigMessageSchema>;

// ───────────────────────────── Users ─────────────────────────────

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

// ───────────────────────────── Telemetry for charts ─────────────────────────────

export const TelemetryQuerySchema = Type.Object(
  {
    /** ISO 8601; defaults: to = now, from = to − 24 h; at most 31 days. */
    from: Type.Optional(Type.String({ format: 'date-time' })),
    to: Type.Optional(Type.String({ format: 'date-time' })),
    /** Comma-separated canonical field names (telemetry.ts), e.g. `power_w,water_m3`. */
    fields: Type.String({ pattern: '^[a-z][a-z0-9_]{0,63}(,[a-z][a-z0-9_]{0,63}){0,15}$' }),
    deviceId: Type.Optional(DeviceId),
    /** Downsampled (mean per bucket for numbers, last for others) to at most this many points. */
    maxPoints: Type.Optional(Type.Integer({ minimum: 10, maximum: 5000 })),
  },
  { additionalProperties: false },
);
export type TelemetryQuery = Static<typeof TelemetryQuerySchema>;

export interface TelemetrySeriesDto {
  gatewayId: string;
  deviceId: string;
  field: string;
  /** From TELEMETRY_FIELDS, or null for a field outside the canonical list. */
  unit: string | null;
  /** [epoch ms, value] in time order. */
  points: [number, number | boolean | string][];
}

export interface TelemetryQueryResponse {
  from: string;
  to: string;
  series: TelemetrySeriesDto[];
}

// ───────────────────────────── Commissioning records ─────────────────────────────

export const COMMISSIONING_RESULTS = ['passed', 'failed', 'untested'] as const;
export type CommissioningResult = (typeof COMMISSIONING_RESULTS)[number];

/**
 * One device's step of the installer's guided test. (`null` comes first in these unions: the hub
 * coerces scalar types, and a string-first union would turn a JSON null into ''.)
 */
export const CommissioningStepSchema = Type.Object(
  {
    gatewayId: GatewayId,
    deviceId: DeviceId,
    kind: Type.Union([stringEnum(DEVICE_KINDS), Type.Null()]),
    result: stringEnum(COMMISSIONING_RESULTS),
    /** When the event that decided the step arrived; null when untested. */
    at: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
    /** Who ran the step (display name); null when untested. */
    by: Type.Union([Type.Null(), ShortText]),
    /** What arrived, e.g. "test alarm sos" or "motion=true". */
    evidence: Type.Optional(Type.Union([Type.Null(), ShortText])),
  },
  { additionalProperties: false },
);
export type CommissioningStep = Static<typeof CommissioningStepSchema>;

export const CreateCommissioningRecordRequestSchema = Type.Object(
  {
    startedAt: Type.String({ format: 'date-time' }),
    startedBy: Type.Optional(Type.Union([Type.Null(), ShortText])),
    finishedAt: Type.Optional(Type.Union([Type.Null(), Type.String({ format: 'date-time' })])),
    finishedBy: Type.Optional(Type.Union([Type.Null(), ShortText])),
    steps: Type.Array(CommissioningStepSchema, { maxItems: 512 }),
  },
  { additionalProperties: false },
);
export type CreateCommissioningRecordRequest = Static<
  typeof CreateCommissioningRecordRequestSchema
>;

/** A stored commissioning record (who recorded it and when are set by the hub). */
export interface CommissioningRecordDto {
  id: string;
  homeId: string;
  recordedAt: string;
  recordedBy: { userId: string; username: string; displayName: string };
  startedAt: string;
  startedBy: string | null;
  finishedAt: string | null;
  finishedBy: string | null;
  steps: CommissioningStep[];
}

export interface CommissioningRecordResponse {
  record: CommissioningRecordDto;
}
export interface CommissioningRecordListResponse {
  /** Newest first. */
  records: CommissioningRecordDto[];
}

// ───────────────────────────── Home card ─────────────────────────────

/** Everything an operator needs on one screen for a home (audited as `home.card_read`). */
export interface HomeCardResponse {
  home: HomeDto;
  residents: ResidentDto[];
  contacts: ContactDto[];
  plans: ResponsePlanDto[];
  gateways: GatewayDto[];
  devices: DeviceDto[];
}

// ───────────────────────────── Alarms: responding ─────────────────────────────

export const RespondingRequestSchema = Type.Object(
  {
    /** Minutes until they expect to be there. */
    etaMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 24 * 60 })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
export type RespondingRequest = Static<typeof RespondingRequestSchema>;

/** Someone who said "I am going there" (AlarmDto.responders). */
export interface AlarmResponderDto {
  userId: string;
  username: string;
  displayName: string;
  role: UserRole;
  at: string;
  etaMinutes: number | null;
  note: string | null;
}

// ───────────────────────────── Shared params ─────────────────────────────

export const IdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);
