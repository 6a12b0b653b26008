/**
 * Commissioning records: the result of the installer's guided device test. Part of the care
 * contract (../care.ts lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { stringEnum } from '../schema.js';
import { DeviceId, GatewayId, ShortText } from './common.js';
import { DEVICE_KINDS } from './gateways.js';

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
export const CommissioningRecordSchema = Type.Object(
  {
    id: Type.String(),
    homeId: Type.String(),
    recordedAt: Type.String({ format: 'date-time' }),
    recordedBy: Type.Object(
      { userId: Type.String(), username: Type.String(), displayName: Type.String() },
      { additionalProperties: false },
    ),
    startedAt: Type.String({ format: 'date-time' }),
    startedBy: Type.Union([Type.Null(), Type.String()]),
    finishedAt: Type.Union([Type.Null(), Type.String({ format: 'date-time' })]),
    finishedBy: Type.Union([Type.Null(), Type.String()]),
    steps: Type.Array(CommissioningStepSchema),
  },
  { additionalProperties: false },
);
export type CommissioningRecordDto = Static<typeof CommissioningRecordSchema>;

export const CommissioningRecordResponseSchema = Type.Object(
  { record: CommissioningRecordSchema },
  { additionalProperties: false },
);
export type CommissioningRecordResponse = Static<typeof CommissioningRecordResponseSchema>;
export const CommissioningRecordListResponseSchema = Type.Object(
  {
    /** Newest first. */
    records: Type.Array(CommissioningRecordSchema),
  },
  { additionalProperties: false },
);
export type CommissioningRecordListResponse = Static<typeof CommissioningRecordListResponseSchema>;
