/**
 * Gateways, their devices, and the configuration the hub retains on down/config. Part of the care
 * contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { FIELD_NAME_PATTERN } from '../messages.js';
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
  /** The home's test mode, as the hub holds it (the one that stops dispatch). */
  testMode: boolean;
  /**
   * The gateway's own test flag as its last heartbeat reported it (null: off, or never said):
   * `command` for a set_test_mode window ending at `until`, `home` while the hub's configuration
   * has the home in test mode. Only marks events; `until` may have passed since (check it).
   */
  gatewayTestMode: { source: 'command' | 'home'; until: string | null } | null;
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

export interface RearmGatewayResponse {
  gateway: GatewayDto;
  /** The new claim code: shown once (write it to the gateway's claim file); only a verifier is stored. */
  claimCode: string;
  /** Devices registered on the gateway in its former home, removed with it. */
  devicesRemoved: string[];
}

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
