/**
 * Gateways, their devices, and the configuration the hub retains on down/config. Part of the care
 * contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { FIELD_NAME_PATTERN } from '../messages.js';
import { IsoTime, nullable } from '../operations-common.js';
import { stringEnum } from '../schema.js';
import { CareId, DeviceId, GatewayId, ShortText } from './common.js';

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

/**
 * A gateway's own test flag as REST and pushes show it (the gateway control DTO has it too):
 * `command` for a set_test_mode window ending at `until`, `home` while the hub's configuration
 * has the home in test mode (`until` null). `until` may have passed since the gateway said it.
 */
export const GatewayTestModeDtoSchema = Type.Object(
  {
    source: Type.Union([Type.Literal('command'), Type.Literal('home')]),
    until: nullable(IsoTime),
  },
  { additionalProperties: false },
);
export type GatewayTestModeDto = Static<typeof GatewayTestModeDtoSchema>;

/**
 * A gateway as the REST API shows it. Response schemas here mirror the DTOs field for field: the
 * hub serializes answers with them, and a property they do not name is dropped from the answer.
 */
export const GatewaySchema = Type.Object(
  {
    id: Type.String(),
    homeId: nullable(Type.String()),
    claimState: stringEnum(GATEWAY_CLAIM_STATES),
    claimedAt: nullable(IsoTime),
    claimedBy: nullable(Type.String()),
    credentialState: stringEnum(GATEWAY_CREDENTIAL_STATES),
    /** When the gateway picked up its credentials over the claim channel. */
    credentialsIssuedAt: nullable(IsoTime),
    decommissionedAt: nullable(IsoTime),
    lastSeenAt: nullable(IsoTime),
    online: Type.Boolean(),
    /** Configuration version last published on down/config (0 = none yet). */
    configVersion: Type.Integer(),
    /** Configuration version the gateway reported in its last heartbeat, or null. */
    reportedConfigVersion: nullable(Type.Number()),
    softwareVersion: nullable(Type.String()),
    /** The home's test mode, as the hub holds it (the one that stops dispatch). */
    testMode: Type.Boolean(),
    /**
     * The gateway's own test flag as its last heartbeat reported it (null: off, or never said):
     * `command` for a set_test_mode window ending at `until`, `home` while the hub's configuration
     * has the home in test mode. Only marks events; `until` may have passed since (check it).
     */
    gatewayTestMode: nullable(GatewayTestModeDtoSchema),
  },
  { additionalProperties: false },
);
export type GatewayDto = Static<typeof GatewaySchema>;

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

export const DeviceSchema = Type.Object(
  {
    gatewayId: Type.String(),
    id: Type.String(),
    homeId: nullable(Type.String()),
    /** e.g. "bedroom". */
    room: nullable(Type.String()),
    kind: nullable(stringEnum(DEVICE_KINDS)),
    /** A DRIVERS id (devices/src/registry.ts). */
    driver: nullable(Type.String()),
    /** Reported offline when silent longer than this; null = event-only device. */
    expectedIntervalS: nullable(Type.Number()),
    /** True when registered by an installer (in the gateway's config), false when only heard of. */
    registered: Type.Boolean(),
    lastSeenAt: nullable(IsoTime),
    online: nullable(Type.Boolean()),
    batteryPct: nullable(Type.Number()),
    signal: nullable(Type.Number()),
  },
  { additionalProperties: false },
);
export type DeviceDto = Static<typeof DeviceSchema>;

export const GatewayListQuerySchema = Type.Object(
  {
    homeId: Type.Optional(CareId),
    state: Type.Optional(stringEnum(GATEWAY_CLAIM_STATES)),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  },
  { additionalProperties: false },
);
export type GatewayListQuery = Static<typeof GatewayListQuerySchema>;

export const GatewayListResponseSchema = Type.Object(
  { gateways: Type.Array(GatewaySchema) },
  { additionalProperties: false },
);
export type GatewayListResponse = Static<typeof GatewayListResponseSchema>;

export const GatewayResponseSchema = Type.Object(
  { gateway: GatewaySchema, devices: Type.Array(DeviceSchema) },
  { additionalProperties: false },
);
export type GatewayResponse = Static<typeof GatewayResponseSchema>;

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

export const CreateGatewayResponseSchema = Type.Object(
  {
    gateway: GatewaySchema,
    /** Shown once; only its hash is stored. */
    claimCode: Type.String(),
  },
  { additionalProperties: false },
);
export type CreateGatewayResponse = Static<typeof CreateGatewayResponseSchema>;

export const ClaimGatewayRequestSchema = Type.Object(
  {
    gatewayId: GatewayId,
    claimCode: Type.String({ minLength: 1, maxLength: 64 }),
    homeId: CareId,
  },
  { additionalProperties: false },
);
export type ClaimGatewayRequest = Static<typeof ClaimGatewayRequestSchema>;

export const DecommissionGatewayRequestSchema = Type.Object(
  { reason: Type.Optional(ShortText) },
  { additionalProperties: false },
);
export type DecommissionGatewayRequest = Static<typeof DecommissionGatewayRequestSchema>;

/**
 * Re-arming a decommissioned gateway (a refurbished box, or one taken out by mistake): the hub
 * issues it a new claim code and it goes back to stock — unclaimed, no home, no devices — so an
 * installer claims it again, zero-touch. The old code and the old credentials stay dead.
 */
export const RearmGatewayRequestSchema = Type.Object(
  { reason: Type.Optional(ShortText) },
  { additionalProperties: false },
);
export type RearmGatewayRequest = Static<typeof RearmGatewayRequestSchema>;

export const RearmGatewayResponseSchema = Type.Object(
  {
    gateway: GatewaySchema,
    /** The new claim code: shown once (write it to the gateway's claim file); only a verifier is stored. */
    claimCode: Type.String(),
    /** Devices registered on the gateway in its former home, removed with it. */
    devicesRemoved: Type.Array(Type.String()),
  },
  { additionalProperties: false },
);
export type RearmGatewayResponse = Static<typeof RearmGatewayResponseSchema>;

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

export const DeviceResponseSchema = Type.Object(
  { device: DeviceSchema },
  { additionalProperties: false },
);
export type DeviceResponse = Static<typeof DeviceResponseSchema>;
export const DeviceListResponseSchema = Type.Object(
  { devices: Type.Array(DeviceSchema) },
  { additionalProperties: false },
);
export type DeviceListResponse = Static<typeof DeviceListResponseSchema>;

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

export const ClaimGatewayResponseSchema = Type.Object(
  {
    gateway: GatewaySchema,
    /**
     * Also published retained on the gateway's down/config topic. No credentials: the gateway picks
     * up its own over the claim channel (claim.ts); `gateway.credentialState` shows how far it got.
     */
    config: GatewayConfigMessageSchema,
  },
  { additionalProperties: false },
);
export type ClaimGatewayResponse = Static<typeof ClaimGatewayResponseSchema>;
