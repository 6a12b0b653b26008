/**
 * Telemetry series for charts (GET /homes/:id/telemetry). Part of the care contract (../care.ts
 * lists the routes).
 */
import { type Static, Type } from '@sinclair/typebox';
import { IsoTime, nullable } from '../operations-common.js';
import { DeviceId } from './common.js';

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

/**
 * A point's value. A type list, not a union: the hub serializes answers with this schema, and its
 * serializer checks a tuple's items by `type` (a union there would refuse every point) and tests a
 * type list with `typeof`, cheaply, for each of thousands of points.
 */
const PointValue = Type.Unsafe<number | boolean | string>({
  type: ['number', 'boolean', 'string'],
});

export const TelemetrySeriesSchema = Type.Object(
  {
    gatewayId: Type.String(),
    deviceId: Type.String(),
    field: Type.String(),
    /** From TELEMETRY_FIELDS, or null for a field outside the canonical list. */
    unit: nullable(Type.String()),
    /** [epoch ms, value] in time order. */
    points: Type.Array(Type.Tuple([Type.Number(), PointValue])),
  },
  { additionalProperties: false },
);
export type TelemetrySeriesDto = Static<typeof TelemetrySeriesSchema>;

export const TelemetryQueryResponseSchema = Type.Object(
  { from: IsoTime, to: IsoTime, series: Type.Array(TelemetrySeriesSchema) },
  { additionalProperties: false },
);
export type TelemetryQueryResponse = Static<typeof TelemetryQueryResponseSchema>;
